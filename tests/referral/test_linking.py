import pytest

from referral.linking import normalise
from referral.models import Referral

pytestmark = pytest.mark.django_db

OTHER_VICTIM = {"name": "Grace Hopper", "date_of_birth": "1988-12-09"}


def test_normalise_ignores_case_accents_punctuation_and_order():
    assert normalise("Smith, Jóhn") == normalise("john SMITH") == "john smith"


def test_same_suspect_under_an_alias_links(submit):
    first = submit()
    second = submit(
        victim=OTHER_VICTIM,
        suspect={
            "name": "Bobby Smith",
            "date_of_birth": "1975-02-11",
            "aliases": ["Sample, Robert"],
        },
    )
    assert second["linked_referrals"] == [first["reference"]]
    assert "Linked to earlier referral" in second["warnings"][0]
    a, b = Referral.objects.get(pk=first["id"]), Referral.objects.get(pk=second["id"])
    assert a.timeline_id == b.timeline_id == a.pk


def test_different_date_of_birth_does_not_link(submit):
    submit()
    second = submit(
        victim=OTHER_VICTIM, suspect={"name": "Bob Sample", "date_of_birth": "1976-02-11"}
    )
    assert second["linked_referrals"] == []


def test_no_date_of_birth_does_not_link(submit):
    submit(suspect={"name": "Bob Sample"})
    second = submit(victim=OTHER_VICTIM, suspect={"name": "Bob Sample"})
    assert second["linked_referrals"] == []


def test_same_victim_links(submit):
    first = submit()
    second = submit(suspect={"name": "Someone Else", "date_of_birth": "1960-01-01"})
    assert second["linked_referrals"] == [first["reference"]]


def test_second_open_referral_for_the_same_pair_is_not_silent(as_user, submit):
    from tests.referral.factories import payload

    first = submit()
    # The referrer is involved in the open one (an agency that is not learns nothing of it:
    # tests/workflows/test_link_referrals.py).
    client = as_user("police.caseworker")
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


def test_linking_merges_two_timelines(submit):
    a = submit()
    b = submit(victim=OTHER_VICTIM, suspect={"name": "Hal Nine", "date_of_birth": "1970-01-12"})
    # The third shares a's suspect and b's victim: all three end up on one timeline.
    c = submit(victim=OTHER_VICTIM, suspect={"name": "Bob Sample", "date_of_birth": "1975-02-11"})
    assert sorted(c["linked_referrals"]) == sorted([a["reference"], b["reference"]])
    timelines = set(Referral.objects.values_list("timeline_id", flat=True))
    assert timelines == {a["id"]}


def test_timeline_spans_linked_referrals(as_user, submit):
    from tests.referral.factories import incident_body

    a = submit(incidents=[incident_body(40)])
    b = submit(
        victim=OTHER_VICTIM,
        suspect={"name": "Robert Sample", "date_of_birth": "1975-02-11"},
        incidents=[incident_body(3, ["following"])],
    )
    timeline = as_user("police.caseworker").get(f"/api/v1/referrals/{b['id']}/timeline/").json()
    kinds = [(e["kind"], e["referral"]) for e in timeline["entries"]]
    assert ("incident", a["reference"]) in kinds and ("incident", b["reference"]) in kinds
    ats = [e["at"] for e in timeline["entries"]]
    assert ats == sorted(ats)
    assert "following" in timeline["escalation"]["figures"]["new_behaviours"]
