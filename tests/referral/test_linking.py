"""Linking: one victim-suspect pair is one timeline, and a linked case's content reaches a reader
only if its agency may see that case (and then only the sections it may read)."""

import pytest

from audit.models import Event
from referral.access import involvement_grant
from referral.linking import normalise
from referral.models import InvolvementBasis, Referral
from tests.referral.factories import incident_body, payload

pytestmark = pytest.mark.django_db

OTHER_VICTIM = {"name": "Grace Hopper", "date_of_birth": "1988-12-09"}
SUSPECT_ALIAS = {
    "name": "Bobby Smith", "date_of_birth": "1975-02-11", "aliases": ["Sample, Robert"],
}


def test_normalise_ignores_case_accents_punctuation_and_order():
    assert normalise("Smith, Jóhn") == normalise("john SMITH") == "john smith"


def test_the_same_pair_under_an_alias_shares_one_timeline(submit):
    first = submit()
    second = submit(suspect=SUSPECT_ALIAS, confirm_new=True, confirm_reason="A new matter.")
    assert second["linked_referrals"] == [first["reference"]]
    assert "Linked to earlier referral" in second["warnings"][0]
    a, b = Referral.objects.get(pk=first["id"]), Referral.objects.get(pk=second["id"])
    assert a.timeline_id == b.timeline_id == a.pk


def test_other_victims_of_the_same_suspect_are_other_timelines(submit):
    first = submit()
    second = submit(victim=OTHER_VICTIM, suspect=SUSPECT_ALIAS)
    assert second["linked_referrals"] == []
    assert second["linked"]["referrals"] == [] and second["linked"]["hidden"] == 0
    a, b = Referral.objects.get(pk=first["id"]), Referral.objects.get(pk=second["id"])
    assert a.timeline_id != b.timeline_id


@pytest.mark.parametrize(("username", "told"), [
    ("police.caseworker", True), ("hub.caseworker", True), ("advocacy.caseworker", False),
])
def test_the_suspect_known_in_other_cases_is_a_count_for_police_and_the_hub(
    submit, as_user, demo, username, told
):
    first = submit(summary="FIRST-CASE-SUMMARY")
    second = submit(username=username, victim=OTHER_VICTIM, suspect=SUSPECT_ALIAS,
                    victim_contact=None)
    referral = Referral.objects.get(pk=second["id"])
    detail = as_user(username).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert ("suspect_elsewhere" in detail["linked"]) is told
    if told:
        assert detail["linked"]["suspect_elsewhere"] == 1
        assert any("named in 1 other case" in w for w in second["warnings"])
    for body in (second, detail):
        assert first["reference"] not in str(body) and "FIRST-CASE-SUMMARY" not in str(body)


def test_the_same_victim_with_another_suspect_is_another_timeline(submit):
    first = submit()
    second = submit(suspect={"name": "Someone Else", "date_of_birth": "1960-01-01"})
    assert second["linked_referrals"] == []
    assert Referral.objects.get(pk=first["id"]).timeline_id == first["id"]
    assert Referral.objects.get(pk=second["id"]).timeline_id == second["id"]


def test_different_date_of_birth_does_not_link(submit):
    submit()
    second = submit(suspect={"name": "Bob Sample", "date_of_birth": "1976-02-11"})
    assert second["linked_referrals"] == []


def test_no_date_of_birth_does_not_link(submit):
    submit(suspect={"name": "Bob Sample"})
    second = submit(suspect={"name": "Bob Sample"})
    assert second["linked_referrals"] == []


def test_a_second_open_referral_of_the_pair_is_a_409_for_an_agency_that_sees_the_first(
    as_user, submit
):
    first = submit()
    client = as_user("police.supervisor")
    response = client.post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_referral" and first["reference"] in error["message"]
    assert Referral.objects.count() == 1

    response = client.post("/api/v1/referrals/", payload(confirm_new=True), format="json")
    assert response.status_code == 400 and "confirm_reason" in response.json()["error"]["fields"]

    response = client.post(
        "/api/v1/referrals/",
        payload(confirm_new=True, confirm_reason="New matter: workplace stalking after a move."),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["linked_referrals"] == [first["reference"]]


def test_an_agency_not_involved_in_the_open_referral_learns_nothing_of_it(as_user, submit):
    first = submit(summary="FIRST-CASE-SUMMARY", incidents=[incident_body(3)])
    response = as_user("advocacy.caseworker").post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["linked_referrals"] == [] and body["warnings"] == []
    assert body["linked"] == {"referrals": [], "hidden": 0}
    text = response.content.decode()
    assert first["reference"] not in text and "FIRST-CASE-SUMMARY" not in text
    second = Referral.objects.get(pk=body["id"])
    assert second.timeline_id == second.pk != first["id"]
    assert not Event.objects.filter(verb="referral.linked", referral_id=second.pk).exists()


@pytest.fixture
def hidden_link(submit, as_user):
    """Police's case A and advocacy's case B of the same pair, put on one timeline (as the hub
    does when it links them): advocacy may see B, not A."""
    a = submit(
        summary="A-SUMMARY",
        incidents=[incident_body(40, ["threats"]) | {"description": "A-INCIDENT-MARKER"}],
        orders=[{"kind": "restraining_order", "conditions": "A-ORDER-MARKER",
                 "starts": "2025-01-01"}],
    )
    b = submit(username="advocacy.caseworker",
               incidents=[incident_body(3, ["texts"]) | {"description": "B-INCIDENT-MARKER"}])
    Referral.objects.filter(pk=b["id"]).update(timeline_id=a["id"])
    return a, b


def test_a_linked_case_the_reader_may_not_see_gives_a_count_and_a_level_only(
    hidden_link, as_user
):
    a, b = hidden_link
    advocacy = as_user("advocacy.caseworker")
    timeline = advocacy.get(f"/api/v1/referrals/{b['id']}/timeline/")
    detail = advocacy.get(f"/api/v1/referrals/{b['id']}/")
    for response in (timeline, detail):
        assert response.status_code == 200
        text = response.content.decode()
        for marker in ("A-INCIDENT-MARKER", "A-ORDER-MARKER", "A-SUMMARY", a["reference"]):
            assert marker not in text, (marker, response.request["PATH_INFO"])
    body = timeline.json()
    assert {e["referral"] for e in body["entries"]} == {b["reference"]}
    assert body["linked"]["hidden"] == 1 and "ask the hub" in body["linked"]["message"].lower()
    # The level counts A's threats; the reasons do not say what A holds.
    assert body["escalation"]["level"] == "high"
    assert not any("threat" in r for r in body["escalation"]["reasons"])
    assert body["escalation"]["figures"]["incidents_last_12_months"] == 1


def test_a_linked_case_the_reader_may_see_is_on_its_timeline(hidden_link, as_user, demo):
    a, b = hidden_link
    involvement_grant(referral=Referral.objects.get(pk=a["id"]),
                      agency=demo["advocacy.caseworker"].agency, basis=InvolvementBasis.TASK,
                      source="test")
    body = as_user("advocacy.caseworker").get(f"/api/v1/referrals/{b['id']}/timeline/").json()
    assert {e["referral"] for e in body["entries"]} == {a["reference"], b["reference"]}
    assert "A-INCIDENT-MARKER" in str(body["entries"])
    assert body["linked"]["hidden"] == 0
    assert body["linked"]["referrals"] == [{"id": a["id"], "reference": a["reference"]}]
    assert any("threat" in r for r in body["escalation"]["reasons"])


def test_a_linked_case_the_reader_may_not_see_stays_off_the_pages(hidden_link, client, demo):
    from referral.views import case_url

    a, b = hidden_link
    client.force_login(demo["advocacy.caseworker"].user)
    for url in (case_url(b["id"]), case_url(b["id"]) + "timeline/"):
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "A-INCIDENT-MARKER" not in text and a["reference"] not in text
        assert "cannot see" in text


def test_a_breach_of_an_order_on_a_linked_case_the_agency_may_not_see_is_refused(
    hidden_link, as_user
):
    a, b = hidden_link
    order_id = Referral.objects.get(pk=a["id"]).orders.get().pk
    response = as_user("advocacy.caseworker").post(
        f"/api/v1/referrals/{b['id']}/incidents/",
        incident_body(2, breach_of_order=order_id), format="json",
    )
    assert response.status_code == 400
    assert "breach_of_order" in response.json()["error"]["fields"]


def test_timeline_spans_the_pairs_referrals_oldest_first(as_user, submit):
    a = submit(incidents=[incident_body(40)])
    b = submit(
        suspect={"name": "Robert Sample", "date_of_birth": "1975-02-11"},
        incidents=[incident_body(3, ["following"])],
        confirm_new=True, confirm_reason="A new matter.",
    )
    timeline = as_user("police.caseworker").get(f"/api/v1/referrals/{b['id']}/timeline/").json()
    kinds = [(e["kind"], e["referral"]) for e in timeline["entries"]]
    assert ("incident", a["reference"]) in kinds and ("incident", b["reference"]) in kinds
    ats = [e["at"] for e in timeline["entries"]]
    assert ats == sorted(ats)
    assert "following" in timeline["escalation"]["figures"]["new_behaviours"]


def test_the_migration_puts_each_pair_on_a_timeline_of_its_own(submit):
    from importlib import import_module

    from django.apps import apps

    a = submit()
    b = submit(victim=OTHER_VICTIM, suspect=SUSPECT_ALIAS)  # same suspect, another victim
    c = submit(suspect=SUSPECT_ALIAS, confirm_new=True, confirm_reason="New matter.")  # a's pair
    # As the old rule left them: one timeline for everyone sharing a victim or a suspect.
    Referral.objects.update(timeline_id=a["id"])
    import_module("referral.migrations.0006_timeline_per_pair").regroup_by_pair(apps, None)
    timelines = dict(Referral.objects.values_list("pk", "timeline_id"))
    assert timelines == {a["id"]: a["id"], b["id"]: b["id"], c["id"]: a["id"]}
