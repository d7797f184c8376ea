"""The case page's justice cards and forms."""

import pytest
from django.utils import timezone
from django.utils.html import escape

from justice.models import Offence, PoliceDecision, Sentence, WarningSigns
from referral.models import ProtectiveOrder
from tests.justice.factories import offence_for
from tests.referral.test_pages import NEW_URL, form_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _case(referral, tail=""):
    return f"/workspace/referrals/{referral.pk}/{tail}"


def _as(client, demo, username):
    client.force_login(demo[username].user)
    return client


def _error(response, field, message):
    return f'data-testid="error-{field}">{escape(message)}</p>' in response.content.decode()


@pytest.fixture
def offence(case, demo):
    return offence_for(case(), demo["police.caseworker"], crime_reference="13/77/26")


def test_the_case_page_shows_offences_with_record_links(client, demo, offence):
    page = _as(client, demo, "police.caseworker").get(_case(offence.referral))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Offences and outcomes" in html
    assert 'data-testid="offence-row"' in html
    assert "13/77/26" in html
    assert "Under investigation" in html
    assert 'data-testid="record-police-decision"' in html
    assert 'data-testid="record-offence"' in html
    assert 'data-testid="record-charging-decision"' not in html
    assert 'data-testid="section-hearings"' in html


def test_cps_sees_its_link_and_probation_none(client, demo, offence):
    html = _as(client, demo, "cps.caseworker").get(_case(offence.referral)).content.decode()
    assert 'data-testid="record-charging-decision"' in html
    assert 'data-testid="record-police-decision"' not in html
    html = _as(client, demo, "probation.caseworker").get(_case(offence.referral)).content.decode()
    assert 'data-testid="offence-row"' in html
    assert "record-police-decision" not in html and "record-offence" not in html


def test_record_an_offence_page(client, demo, case):
    referral = case()
    police = _as(client, demo, "police.caseworker")
    url = _case(referral, "offences/new/")
    page = police.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1" in html and "Record an offence" in html
    assert '<label for="id_crime_reference">Crime reference' in html
    bad = police.post(url, {"kind": "other"})
    assert bad.status_code == 200
    assert _error(bad, "label", "Name the offence.")
    assert not Offence.objects.exists()
    done = police.post(url, {"kind": "pha_s4a", "crime_reference": "13/5/26",
                             "domestic_abuse": "yes"})
    assert done.status_code == 302
    offence = Offence.objects.get()
    assert (offence.kind, offence.domestic_abuse) == ("pha_s4a", True)


def test_record_a_police_decision_page(client, demo, offence):
    police = _as(client, demo, "police.caseworker")
    url = _case(offence.referral, f"offences/{offence.pk}/police-decision/")
    page = police.get(url)
    assert page.status_code == 200
    assert "Reason for no further action" in page.content.decode()
    bad = police.post(url, {"kind": "no_further_action", "decided_on": TODAY.isoformat()})
    assert _error(bad, "nfa_reason", "No further action needs its outcome reason.")
    done = police.post(url, {"kind": "no_further_action", "nfa_reason": "public_interest",
                             "decided_on": TODAY.isoformat()})
    assert done.status_code == 302
    assert PoliceDecision.objects.get().nfa_reason == "public_interest"
    offence.refresh_from_db()
    assert offence.status == "no_further_action"


def test_forms_404_then_403(client, demo, offence, submit):
    url = _case(offence.referral, f"offences/{offence.pk}/police-decision/")
    assert _as(client, demo, "probation.caseworker").get(url).status_code == 403
    assert _as(client, demo, "oversight.auditor").get(url).status_code == 404
    missing = _case(offence.referral, "offences/999999/police-decision/")
    assert _as(client, demo, "police.caseworker").get(missing).status_code == 404


def test_record_a_cps_decision_page(client, demo, offence):
    cps = _as(client, demo, "cps.caseworker")
    url = _case(offence.referral, f"offences/{offence.pk}/charging-decision/")
    assert cps.get(url).status_code == 200
    done = cps.post(url, {"decision": "charge", "decided_on": TODAY.isoformat(),
                          "test": "full_code"})
    assert done.status_code == 302
    offence.refresh_from_db()
    assert offence.status == "charged"


def test_record_a_hearing_outcome_and_a_sentence(client, demo, offence, held_hearing):
    referral = offence.referral
    cps = _as(client, demo, "cps.caseworker")
    cps.post(_case(referral, f"offences/{offence.pk}/charging-decision/"),
             {"decision": "charge", "decided_on": TODAY.isoformat()})
    hearing = held_hearing(referral)
    url = _case(referral, f"hearings/{hearing.pk}/outcome/")
    assert cps.get(url).status_code == 200
    bad = cps.post(url, {"result": "bail_with_conditions"})
    assert _error(bad, "bail_conditions", "Give the bail conditions.")
    assert cps.post(url, {"result": "convicted", "offence": offence.pk}).status_code == 302
    page = cps.get(_case(referral)).content.decode()
    assert 'data-testid="record-sentence"' in page
    assert "Convicted" in page

    url = _case(referral, f"offences/{offence.pk}/sentence/")
    form = cps.get(url)
    assert form.status_code == 200
    assert "Requirement 3" in form.content.decode()
    bad = cps.post(url, {"disposal": "fine", "sentenced_on": TODAY.isoformat()})
    assert _error(bad, "fine_pence", "A fine needs its amount.")
    done = cps.post(url, {
        "disposal": "community_order", "sentenced_on": TODAY.isoformat(),
        "hearing": hearing.pk, "requirement_1": "mental_health_treatment",
        "requirement_2": "unpaid_work", "requirement_2_detail": "100 hours",
        "restraining_order": "No contact with the victim.",
    })
    assert done.status_code == 302, done.content.decode()[:2000]
    sentence = Sentence.objects.get()
    assert [r.kind for r in sentence.requirements.all()] == [
        "mental_health_treatment", "unpaid_work",
    ]
    assert ProtectiveOrder.objects.get(kind="restraining_order").made_by == "court_on_conviction"
    page = cps.get(_case(referral)).content.decode()
    assert "Community order" in page
    assert 'data-testid="treatment-required"' in page
    assert "Mental health treatment" in page


def test_a_fine_shows_in_pounds(client, demo, offence, held_hearing):
    referral = offence.referral
    cps = _as(client, demo, "cps.caseworker")
    cps.post(_case(referral, f"offences/{offence.pk}/charging-decision/"),
             {"decision": "charge", "decided_on": TODAY.isoformat()})
    hearing = held_hearing(referral)
    cps.post(_case(referral, f"hearings/{hearing.pk}/outcome/"),
             {"result": "plea_guilty", "offence": offence.pk})
    done = cps.post(_case(referral, f"offences/{offence.pk}/sentence/"),
                    {"disposal": "fine", "sentenced_on": TODAY.isoformat(), "fine_pence": "80"})
    assert done.status_code == 302
    offence.refresh_from_db()
    assert offence.fine_pence == 8000
    assert "Fine, £80" in cps.get(_case(referral)).content.decode()


def test_record_the_warning_signs_page(client, demo, case):
    referral = case()
    hub = _as(client, demo, "hub.caseworker")
    url = _case(referral, "warning-signs/new/")
    page = hub.get(url)
    assert page.status_code == 200
    assert "Fixated?" in page.content.decode()
    done = hub.post(url, {"fixated": "yes", "obsessive": "unknown", "repeated": "no"})
    assert done.status_code == 302
    signs = WarningSigns.objects.get()
    assert (signs.stage, signs.fixated, signs.obsessive, signs.unwanted, signs.repeated) == (
        "triage", True, None, None, False,
    )
    html = hub.get(_case(referral)).content.decode()
    assert 'data-testid="warning-signs"' in html
    assert "Not known" in html


def test_the_referral_form_records_the_warning_signs(client, demo):
    police = _as(client, demo, "police.caseworker")
    page = police.get(NEW_URL).content.decode()
    assert '<legend>Fixated?' in page and '<legend>Repeated?' in page
    response = police.post(NEW_URL, form_data(sign_fixated="yes", sign_unwanted="unknown",
                                              sign_repeated="no"))
    assert response.status_code == 302, response.content.decode()[:3000]
    signs = WarningSigns.objects.get()
    assert (signs.stage, signs.fixated, signs.obsessive, signs.unwanted, signs.repeated) == (
        "referral", True, None, None, False,
    )


def test_the_referral_form_without_signs_records_none(client, demo):
    response = _as(client, demo, "police.caseworker").post(NEW_URL, form_data())
    assert response.status_code == 302
    assert not WarningSigns.objects.exists()
