"""Identifiers beyond name and date of birth: normalised, recorded by the section's writers,
linking referrals of the same person, and shown only where the section is."""

import pytest
from django.test import Client

from audit.models import Event
from referral import linking
from referral.access import involvement_grant
from referral.models import InvolvementBasis, PersonIdentifier, Referral
from tests.referral.factories import payload

PNC = {"role": "suspect", "kind": "pnc_id", "value": "2001/0123456 x"}
PHONE = {"role": "victim", "kind": "phone", "value": "07700 900982"}


@pytest.mark.parametrize(
    ("kind", "value", "platform", "normalised"),
    [
        ("phone", "07700 900982", "", "+447700900982"),
        ("phone", "+44 7700 900982", "", "+447700900982"),
        ("phone", "(07700) 900-982", "", "+447700900982"),
        ("phone", "+1 202 555 0143", "", "+12025550143"),
        ("email", "  Alice.Example@Example.ORG ", "", "alice.example@example.org"),
        ("online_account", "@BobSample", "Instagram", "instagram:bobsample"),
        ("online_account", "bobsample", " instagram ", "instagram:bobsample"),
        ("pnc_id", "2001/0123456 x", "", "2001/0123456X"),
        ("pnc_id", " 2001/0123456X", "", "2001/0123456X"),
    ],
)
def test_identifiers_are_normalised(kind, value, platform, normalised):
    assert linking.normalised_identifier(kind, value, platform) == normalised


@pytest.mark.parametrize(
    ("kind", "value", "platform"),
    [("phone", "not a number", ""), ("phone", "123", ""), ("email", "alice", ""),
     ("email", "alice@localhost", ""), ("online_account", "@bob", ""), ("pnc_id", "   ", "")],
)
def test_bad_identifiers_are_refused(kind, value, platform):
    with pytest.raises(linking.BadIdentifier):
        linking.normalised_identifier(kind, value, platform)


def test_intake_records_identifiers_and_the_trail_masks_their_values(submit):
    body = submit(identifiers=[PNC, PHONE, {**PHONE, "value": "+447700900982"}])
    rows = PersonIdentifier.objects.filter(referral_id=body["id"]).order_by("role")
    # The same phone number twice is one identifier.
    assert [(r.role, r.kind, r.normalised) for r in rows] == [
        ("suspect", "pnc_id", "2001/0123456X"), ("victim", "phone", "+447700900982"),
    ]
    assert body["suspect"]["identifiers"][0]["normalised"] == "2001/0123456X"
    assert body["victim_contact"]["identifiers"][0]["value"] == "07700 900982"
    events = Event.objects.filter(referral_id=body["id"], verb__endswith="_identifier.recorded")
    assert sorted((e.verb, e.changes["kind"], e.changes["value"]) for e in events) == [
        ("suspect_identifier.recorded", "pnc_id", "***"),
        ("victim_identifier.recorded", "phone", "***"),
    ]
    assert not any("0123456" in str(e.changes) or "900982" in str(e.changes) for e in events)


def test_a_bad_identifier_at_intake_is_a_400(as_user):
    response = as_user("police.caseworker").post(
        "/api/v1/referrals/", payload(identifiers=[{**PHONE, "value": "call me"}]), format="json"
    )
    assert response.status_code == 400
    assert "identifiers" in response.json()["error"]["fields"]


def test_a_same_pnc_id_links_without_a_date_of_birth(submit):
    first = submit(identifiers=[PNC])
    # The same victim; the suspect by another name and no date of birth: the PNC id links them.
    second = submit(
        suspect={"name": "R. Sample"},
        identifiers=[{**PNC, "value": "2001/0123456X"}],
        confirm_new=True, confirm_reason="A new matter.",
    )
    assert Referral.objects.get(pk=second["id"]).timeline_id == first["id"]
    assert any("Linked to earlier referral" in w for w in second["warnings"])
    # Without the PNC id, the name without a date of birth links nothing.
    third = submit(suspect={"name": "R. Sample"})
    assert Referral.objects.get(pk=third["id"]).timeline_id == third["id"]


def test_an_identifier_links_only_within_its_role_and_kind(submit):
    first = submit(identifiers=[PHONE])
    other = submit(
        victim={"name": "Carol Other", "enhanced_rights": False},
        suspect={"name": "Dan Other"},
        identifiers=[{"role": "suspect", "kind": "phone", "value": "07700 900982"}],
    )
    assert Referral.objects.get(pk=other["id"]).timeline_id == other["id"] != first["id"]


def test_a_same_victim_phone_and_suspect_pnc_id_is_the_same_pair(submit, as_user):
    submit(identifiers=[PNC, PHONE])
    response = as_user("police.caseworker").post(
        "/api/v1/referrals/",
        payload(
            victim={"name": "A. Example", "enhanced_rights": False}, suspect={"name": "B. S."},
            identifiers=[PNC, PHONE],
        ),
        format="json",
    )
    # The pair already has an open referral the police may see: a 409 unless confirmed.
    assert response.status_code == 409


def test_post_identifiers_by_the_sections_writers(submit, as_user):
    rid = submit()["id"]
    url = f"/api/v1/referrals/{rid}/identifiers/"
    police = as_user("police.caseworker")
    made = police.post(url, {"role": "suspect", "kind": "online_account", "value": "@BobS",
                             "platform": "Instagram"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["normalised"] == "instagram:bobs" and made.json()["role"] == "suspect"
    again = police.post(url, {"role": "suspect", "kind": "online_account", "value": "bobs",
                              "platform": "instagram"}, format="json")
    assert again.status_code == 409
    bad = police.post(url, {"role": "victim", "kind": "email", "value": "nope"}, format="json")
    assert bad.status_code == 400 and "value" in bad.json()["error"]["fields"]
    assert Event.objects.filter(verb="suspect_identifier.recorded", referral_id=rid).count() == 1


def test_only_writers_of_the_section_record_identifiers(submit, as_user, demo):
    rid = submit()["id"]
    referral = Referral.objects.get(pk=rid)
    for slug in ("cps", "advocacy"):
        involvement_grant(referral=referral, agency=demo[f"{slug}.caseworker"].agency,
                          basis=InvolvementBasis.TASK, source="test")
    url = f"/api/v1/referrals/{rid}/identifiers/"
    # CPS writes neither the victim's contact details nor the suspect section.
    assert as_user("cps.caseworker").post(url, PHONE, format="json").status_code == 403
    assert as_user("cps.caseworker").post(url, PNC, format="json").status_code == 403
    # Advocacy writes the victim's contact details, not the suspect section.
    assert as_user("advocacy.caseworker").post(url, PHONE, format="json").status_code == 201
    assert as_user("advocacy.caseworker").post(url, PNC, format="json").status_code == 403
    # An agency that may not see the case: 404.
    assert as_user("probation.caseworker").post(url, PNC, format="json").status_code == 404


@pytest.mark.parametrize("username", ["cps.caseworker", "probation.caseworker", "ftac.caseworker"])
def test_victim_identifiers_are_never_shown_to_cps_probation_or_psychiatric(
    submit, as_user, demo, username
):
    rid = submit(identifiers=[PNC, PHONE])["id"]
    involvement_grant(referral=Referral.objects.get(pk=rid), agency=demo[username].agency,
                      basis=InvolvementBasis.TASK, source="test")
    detail = as_user(username).get(f"/api/v1/referrals/{rid}/").json()
    assert "victim_contact" not in detail
    assert "900982" not in str(detail)
    assert detail["suspect"]["identifiers"][0]["normalised"] == "2001/0123456X"
    client = Client()
    client.force_login(demo[username].user)
    page = client.get(f"/workspace/referrals/{rid}/").content.decode()
    assert "900982" not in page and 'data-testid="victim-identifier"' not in page
    assert 'data-testid="suspect-identifier"' in page


def test_the_case_page_shows_identifiers_by_their_labels(submit, demo):
    rid = submit(identifiers=[PNC, PHONE])["id"]
    client = Client()
    client.force_login(demo["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{rid}/").content.decode()
    assert "Police National Computer id" in page and "2001/0123456 x" in page
    assert "Phone number" in page and "07700 900982" in page


def test_identifier_endpoint_is_in_the_openapi_document(document):
    post = document["paths"]["/api/v1/referrals/{referral_id}/identifiers/"]["post"]
    assert post["operationId"] == "referrals_identifiers_create"
    assert "201" in post["responses"]


# --- The page ---------------------------------------------------------------------------------


def _signed_in(demo, username: str) -> Client:
    client = Client()
    client.force_login(demo[username].user)
    return client


def test_police_record_an_identifier_from_the_case_page(submit, demo):
    case = submit()
    url = f"/workspace/referrals/{case['id']}/identifiers/new/"
    police = _signed_in(demo, "police.caseworker")
    form = police.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert "Whose is it?" in html and 'value="victim"' in html and 'value="suspect"' in html
    assert 'href="' + url in police.get(f"/workspace/referrals/{case['id']}/").content.decode()

    done = police.post(url, {"role": "suspect", "kind": "phone", "value": "07700 900982"})
    assert done.status_code == 302
    assert PersonIdentifier.objects.filter(
        referral_id=case["id"], role="suspect", kind="phone", normalised="+447700900982"
    ).exists()
    again = police.post(url, {"role": "suspect", "kind": "phone", "value": "+44 7700 900982"})
    assert again.status_code == 200 and "already recorded" in again.content.decode()
    bad = police.post(url, {"role": "suspect", "kind": "phone", "value": "not a number"})
    assert bad.status_code == 200 and 'href="#id_value"' in bad.content.decode()


def test_the_identifier_page_is_404_to_an_agency_not_involved_and_403_to_a_reader(submit, demo):
    case = submit()
    url = f"/workspace/referrals/{case['id']}/identifiers/new/"
    assert _signed_in(demo, "cps.caseworker").get(url).status_code == 404
    involvement_grant(referral=Referral.objects.get(pk=case["id"]),
                      agency=demo["cps.caseworker"].agency, basis=InvolvementBasis.TASK,
                      source="test")
    cps = _signed_in(demo, "cps.caseworker")
    assert cps.get(url).status_code == 403
    assert cps.post(url, {"role": "suspect", "kind": "phone",
                          "value": "07700 900982"}).status_code == 403
    assert not PersonIdentifier.objects.filter(referral_id=case["id"]).exists()


# --- Linking on an identifier recorded after intake ---------------------------------------

OTHER_VICTIM = {"name": "A. Example", "enhanced_rights": False}  # no date of birth: no link


def test_an_identifier_recorded_after_intake_links_the_case_as_intake_would(submit, as_user):
    first = submit(identifiers=[PHONE])
    second = submit(victim=OTHER_VICTIM)
    assert Referral.objects.get(pk=second["id"]).timeline_id == second["id"]
    made = as_user("police.caseworker").post(
        f"/api/v1/referrals/{second['id']}/identifiers/", PHONE, format="json")
    assert made.status_code == 201, made.content
    assert Referral.objects.get(pk=second["id"]).timeline_id == first["id"]
    event = Event.objects.get(verb="referral.linked", referral_id=second["id"])
    assert event.changes["linked"] == [first["reference"]]
    timeline = as_user("police.caseworker").get(
        f"/api/v1/referrals/{second['id']}/timeline/").json()
    assert first["reference"] in str(timeline["linked"])
    # Linked already: another identifier of the same people links nothing again.
    as_user("police.caseworker").post(f"/api/v1/referrals/{second['id']}/identifiers/",
                                      {**PHONE, "role": "suspect"}, format="json")
    assert Event.objects.filter(verb="referral.linked", referral_id=second["id"]).count() == 1


def test_an_identifier_after_intake_tells_nothing_of_a_case_the_agency_may_not_see(
    submit, as_user
):
    from workflows.models import AgencyTask

    unseen = submit("advocacy.caseworker", identifiers=[PHONE])
    mine = submit(victim=OTHER_VICTIM)
    police = as_user("police.caseworker")
    made = police.post(f"/api/v1/referrals/{mine['id']}/identifiers/", PHONE, format="json")
    assert made.status_code == 201, made.content
    assert unseen["reference"] not in made.content.decode()
    assert Referral.objects.get(pk=mine["id"]).timeline_id == mine["id"]
    assert not Event.objects.filter(verb="referral.linked", referral_id=mine["id"]).exists()
    # The coordinator is asked to link or merge them, once.
    [task] = AgencyTask.objects.filter(referral_id=mine["id"], task_type="link_referrals")
    assert task.agency.slug == "hub" and task.process.data["context"]["matches"] == [unseen["id"]]
    police.post(f"/api/v1/referrals/{mine['id']}/identifiers/",
                {"role": "victim", "kind": "email", "value": "a@example.org"}, format="json")
    tasks = AgencyTask.objects.filter(referral_id=mine["id"], task_type="link_referrals")
    assert tasks.count() == 1
    detail = police.get(f"/api/v1/referrals/{mine['id']}/").content.decode()
    assert unseen["reference"] not in detail


def test_an_identifier_from_the_case_page_links_and_says_so(submit, demo):
    first = submit(identifiers=[PHONE])
    second = submit(victim=OTHER_VICTIM)
    police = _signed_in(demo, "police.caseworker")
    done = police.post(f"/workspace/referrals/{second['id']}/identifiers/new/", PHONE,
                       follow=True)
    assert done.status_code == 200
    assert Referral.objects.get(pk=second["id"]).timeline_id == first["id"]
    assert f"Linked to other referral(s) of the same victim and suspect: {first['reference']}" \
        in done.content.decode()
