"""Amending an offence as recorded: police and CPS, with a reason; the trail holds codes, never
the offence's name; CPS altering a charged offence's kind is an altered charge, told by letter."""

import pytest
from django.utils import timezone
from django.utils.html import escape

from audit.models import Event
from justice.models import ChargingDecision, Offence
from referral.models import Referral
from tests.justice.factories import offence_for
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def offence(case, demo):
    return offence_for(case(), demo["police.caseworker"], crime_reference="13/1234/26")


def _amend(client, offence, **body):
    return client.post(
        f"/api/v1/referrals/{offence.referral_id}/offences/{offence.pk}/amend/", body,
        format="json",
    )


def _letters(referral):
    return sorted(
        AgencyTask.objects.filter(referral=referral, task_type="victim_letter").values_list(
            "process__data__context__reason", flat=True
        )
    )


def test_police_amend_an_offence_and_the_trail_holds_codes_before_and_after(offence, as_user):
    response = _amend(as_user("police.caseworker"), offence, kind="pha_s2a",
                      domestic_abuse=True, crime_reference="13/9999/26",
                      label="Stalking by messages", reason="Recorded under the wrong section.")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["domestic_abuse"], body["crime_reference"]) == (
        "pha_s2a", True, "13/9999/26"
    )
    offence.refresh_from_db()
    assert (offence.kind, offence.label) == ("pha_s2a", "Stalking by messages")
    event = Event.objects.get(verb="offence.amended", referral_id=offence.referral_id)
    assert event.reason == "Recorded under the wrong section."
    assert event.changes["offence"] == offence.pk
    assert event.changes["fields"] == ["crime_reference", "domestic_abuse", "kind", "label"]
    assert event.changes["before"]["kind"] == "pha_s4a"
    assert event.changes["after"]["kind"] == "pha_s2a"
    assert event.changes["before"]["domestic_abuse"] is None
    assert event.changes["after"]["crime_reference"] == "13/9999/26"
    # The offence's name is free text: masked on the trail.
    assert "Stalking by messages" not in str(event.changes)
    # A police amendment alters no charge: no letter.
    assert _letters(offence.referral) == []


def test_fields_left_out_stay_as_recorded(offence, as_user):
    response = _amend(as_user("police.caseworker"), offence, domestic_abuse=False,
                      reason="Not domestic.")
    assert response.status_code == 200, response.content
    offence.refresh_from_db()
    assert (offence.kind, offence.crime_reference, offence.domestic_abuse) == (
        "pha_s4a", "13/1234/26", False
    )
    event = Event.objects.get(verb="offence.amended", referral_id=offence.referral_id)
    assert event.changes["fields"] == ["domestic_abuse"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "pha_s2"}, "reason"),
        ({"kind": "pha_s2", "reason": "  "}, "reason"),
        ({"kind": "nonsense", "reason": "Why."}, "kind"),
        ({"kind": "other", "reason": "Why."}, "label"),
        ({"crime_reference": 7, "reason": "Why."}, "crime_reference"),
    ],
)
def test_a_bad_amendment_is_400_and_changes_nothing(offence, as_user, body, field):
    response = _amend(as_user("police.caseworker"), offence, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    offence.refresh_from_db()
    assert offence.kind == "pha_s4a"
    assert not Event.objects.filter(verb="offence.amended").exists()


def test_an_amendment_that_changes_nothing_is_400(offence, as_user):
    response = _amend(as_user("police.caseworker"), offence, kind="pha_s4a", reason="Same.")
    assert response.status_code == 400


def test_a_closed_offence_keeps_its_kind_but_its_reference_may_be_corrected(offence, as_user):
    Offence.objects.filter(pk=offence.pk).update(status="no_further_action")
    police = as_user("police.caseworker")
    assert _amend(police, offence, kind="pha_s2", reason="Why.").status_code == 400
    assert _amend(police, offence, crime_reference="13/1/26", reason="Typo.").status_code == 200


@pytest.mark.parametrize(
    "username, status",
    [("probation.caseworker", 403), ("advocacy.caseworker", 403), ("ftac.caseworker", 403),
     ("hub.caseworker", 403), ("cps.caseworker", 200)],
)
def test_police_and_cps_amend_the_others_may_not(offence, as_user, username, status):
    response = _amend(as_user(username), offence, domestic_abuse=True, reason="Former partner.")
    assert response.status_code == status, response.content


def test_an_agency_not_involved_gets_404(submit, as_user, demo):
    referral_id = submit()["id"]
    offence = offence_for(Referral.objects.get(pk=referral_id), demo["police.caseworker"])
    response = _amend(as_user("cps.caseworker"), offence, domestic_abuse=True, reason="Why.")
    assert response.status_code == 404


def test_cps_altering_a_charged_offence_is_an_altered_charge_told_by_letter(offence, as_user):
    cps = as_user("cps.caseworker")
    charged = cps.post(
        f"/api/v1/referrals/{offence.referral_id}/offences/{offence.pk}/charging-decisions/",
        {"decision": "charge", "decided_on": TODAY.isoformat()}, format="json",
    )
    assert charged.status_code == 201, charged.content
    response = _amend(cps, offence, kind="pha_s2a", reason="Charge reviewed.")
    assert response.status_code == 200, response.content
    offence.refresh_from_db()
    assert (offence.kind, offence.status, offence.cps_decision) == (
        "pha_s2a", "charged", "charge_altered"
    )
    altered = ChargingDecision.objects.get(offence=offence, decision="charge_altered")
    assert altered.charged_as == "pha_s2a"
    assert _letters(offence.referral) == ["charge altered"]
    verbs = set(Event.objects.filter(referral_id=offence.referral_id).values_list("verb",
                                                                                flat=True))
    assert {"offence.amended", "charging_decision.charge_altered"} <= verbs


def test_cps_correcting_a_charged_offence_reference_alters_no_charge(offence, as_user):
    Offence.objects.filter(pk=offence.pk).update(status="charged")
    response = _amend(as_user("cps.caseworker"), offence, crime_reference="13/2/26",
                      reason="Typo.")
    assert response.status_code == 200
    assert _letters(offence.referral) == []


# --- The page ---------------------------------------------------------------------------


def _page(offence):
    return f"/workspace/referrals/{offence.referral_id}/offences/{offence.pk}/amend/"


def test_the_offences_card_links_to_the_amend_form_for_police_and_cps(client, demo, offence):
    case_url = f"/workspace/referrals/{offence.referral_id}/"
    for username, shown in (("police.caseworker", True), ("cps.caseworker", True),
                            ("probation.caseworker", False)):
        client.force_login(demo[username].user)
        html = client.get(case_url).content.decode()
        assert ('data-testid="amend-offence"' in html) is shown, username


def test_the_amend_page_amends_and_lists_errors_at_the_top(client, demo, offence):
    client.force_login(demo["police.caseworker"].user)
    page = client.get(_page(offence))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1") == 1 and "Amend an offence" in html
    assert 'value="13/1234/26"' in html
    refused = client.post(_page(offence), {"kind": "pha_s2a", "domestic_abuse": "unknown",
                                           "crime_reference": "13/1234/26", "reason": ""})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert 'data-testid="error-summary"' in text
    assert escape("Say why the offence is amended.") in text
    done = client.post(_page(offence), {"kind": "pha_s2a", "domestic_abuse": "yes",
                                        "crime_reference": "13/1234/26",
                                        "reason": "Wrong section."})
    assert done.status_code == 302
    offence.refresh_from_db()
    assert (offence.kind, offence.domestic_abuse) == ("pha_s2a", True)


def test_the_amend_page_is_404_then_403(client, demo, offence):
    client.force_login(demo["probation.caseworker"].user)
    assert client.get(_page(offence)).status_code == 403
    client.force_login(demo["oversight.auditor"].user)
    assert client.get(_page(offence)).status_code == 404
