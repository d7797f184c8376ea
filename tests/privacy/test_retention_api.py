"""Retention through the API: the shapes, who may do what (403 for a role that may not, 404
for an agency outside the case's reach), and a case run past its schedule end to end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit import chain
from audit.models import Event
from privacy import services
from privacy.models import RetentionReview
from referral.models import Person, Referral
from tests.agencies.factories import MemberFactory
from tests.privacy.factories import bare_case, years_on
from tests.referral.factories import answers, payload

pytestmark = pytest.mark.django_db

REVIEW_KEYS = {
    "id",
    "referral",
    "reference",
    "referrer_agency",
    "record_kind",
    "status",
    "outcome",
    "schedule",
    "years",
    "counted_from",
    "due_on",
    "held",
    "decided_by",
    "decided_at",
    "reason",
    "deferred_until",
}


def _review(demo, **case) -> RetentionReview:
    referral = bare_case(demo, **case)
    services.retention_sweep(today=years_on(12))
    return RetentionReview.objects.get(referral=referral)


def _decide(client, review, **body):
    return client.post(f"/api/v1/retention/reviews/{review.pk}/decision/", body, format="json")


def test_the_reviews_list_shape_and_who_reads_it(demo, as_user):
    mine = _review(demo)
    theirs = _review(demo, referrer="advocacy.caseworker")
    listed = as_user("police.supervisor").get("/api/v1/retention/reviews/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert set(row) == REVIEW_KEYS
    assert (row["id"], row["status"], row["referrer_agency"], row["held"]) == (
        mine.pk,
        "due",
        "police",
        False,
    )
    # The hub's supervisors and oversight's auditor read every case's review (one region).
    for reader in ("hub.supervisor", "oversight.auditor"):
        ids = {r["id"] for r in as_user(reader).get("/api/v1/retention/reviews/").json()["results"]}
        assert {mine.pk, theirs.pk} <= ids
    assert as_user("police.caseworker").get("/api/v1/retention/reviews/").status_code == 403
    assert (
        as_user("police.supervisor").get(f"/api/v1/retention/reviews/{theirs.pk}/").status_code
        == 404
    )
    bad = as_user("police.supervisor").get("/api/v1/retention/reviews/?status=gone")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_decisions_answer_403_404_400_and_defer(demo, as_user):
    review = _review(demo)
    until = (timezone.localdate() + timedelta(days=90)).isoformat()
    assert (
        _decide(
            as_user("police.caseworker"), review, decision="defer", reason="x", deferred_until=until
        ).status_code
        == 403
    )
    other = _review(demo, referrer="advocacy.caseworker")
    assert (
        _decide(
            as_user("police.supervisor"), other, decision="defer", reason="x", deferred_until=until
        ).status_code
        == 404
    )
    missing = _decide(
        as_user("police.supervisor"), review, decision="defer", reason="", deferred_until=until
    )
    assert missing.status_code == 400
    assert "reason" in missing.json()["error"]["fields"]
    deferred = _decide(
        as_user("police.supervisor"),
        review,
        decision="defer",
        reason="Appeal pending.",
        deferred_until=until,
    )
    assert deferred.status_code == 200, deferred.content
    assert (deferred.json()["status"], deferred.json()["deferred_until"]) == ("deferred", until)
    again = _decide(
        as_user("police.supervisor"), review, decision="defer", reason="x", deferred_until=until
    )
    assert again.status_code == 409


def test_a_legal_hold_through_the_api_stops_erasure_with_409(demo, as_user):
    review = _review(demo)
    supervisor = as_user("police.supervisor")
    url = f"/api/v1/referrals/{review.referral_id}/legal-holds/"
    assert supervisor.post(url, {"reason": ""}, format="json").status_code == 400
    assert as_user("police.caseworker").post(url, {"reason": "x"}, format="json").status_code == 403
    other = bare_case(demo, referrer="advocacy.caseworker")
    assert (
        supervisor.post(
            f"/api/v1/referrals/{other.pk}/legal-holds/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    placed = supervisor.post(url, {"reason": "Civil claim issued."}, format="json")
    assert placed.status_code == 201
    hold = placed.json()
    assert (hold["active"], hold["placed_by"], hold["agency"]) == (
        True,
        "police.supervisor",
        "police",
    )
    assert supervisor.get("/api/v1/retention/reviews/").json()["results"][0]["held"] is True
    refused = _decide(supervisor, review, decision="erase", reason="Past its schedule.")
    assert refused.status_code == 409
    assert Referral.objects.get(pk=review.referral_id).erased_at is None
    assert [h["id"] for h in as_user("oversight.auditor").get(url).json()] == [hold["id"]]
    lift = f"/api/v1/legal-holds/{hold['id']}/lift/"
    assert supervisor.post(lift, {"reason": ""}, format="json").status_code == 400
    lifted = supervisor.post(lift, {"reason": "Claim settled."}, format="json")
    assert lifted.status_code == 200 and lifted.json()["active"] is False
    assert supervisor.post(lift, {"reason": "Again."}, format="json").status_code == 409


def test_schedules_are_read_by_members_and_set_by_an_administrator(demo, as_user, api):
    listed = as_user("police.caseworker").get("/api/v1/retention/schedules/").json()["results"]
    assert {s["outcome"] for s in listed} == {
        "declined",
        "no_conviction",
        "convicted",
        "order_in_force",
    }
    schedule = next(s for s in listed if s["outcome"] == "convicted")
    url = f"/api/v1/retention/schedules/{schedule['id']}/"
    assert as_user("hub.supervisor").patch(url, {"years": 12}, format="json").status_code == 403
    admin = api(MemberFactory(agency=demo["hub.supervisor"].agency, roles=["admin"]).user)
    bad = admin.patch(url, {"years": 0}, format="json")
    assert bad.status_code == 400 and "years" in bad.json()["error"]["fields"]
    changed = admin.patch(url, {"years": 12, "description": "Twelve years."}, format="json")
    assert changed.status_code == 200 and changed.json()["years"] == 12
    duplicate = admin.post(
        "/api/v1/retention/schedules/", {"outcome": "convicted", "years": 3}, format="json"
    )
    assert duplicate.status_code == 400 and "outcome" in duplicate.json()["error"]["fields"]
    assert Event.objects.filter(verb="retention_schedule.changed").count() == 1


def test_a_declined_case_run_past_its_schedule_is_erased_and_the_chain_still_verifies(
    demo, as_user
):
    """Referred, declined by the hub (a second person approving), past its two years: the
    sweep lists it, the referrer's supervisor approves, the case is pseudonymised, and the
    trail verifies with every event of the case still sealed."""

    body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(1)})
    case = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json").json()
    rid = case["id"]
    _complete(
        as_user,
        "hub.caseworker",
        "triage",
        rid,
        {"decision": "decline", "risk_level": "standard", "reason": "Not stalking."},
    )
    _complete(
        as_user, "hub.supervisor", "approve_decline", rid, {"approved": True, "reason": "Agreed."}
    )
    referral = Referral.objects.get(pk=rid)
    assert referral.status == "declined"

    assert services.retention_sweep(today=years_on(2, -1)) == 0
    assert services.retention_sweep(today=years_on(2)) == 1
    review = RetentionReview.objects.get(referral_id=rid)
    assert review.outcome == "declined"

    erased = _decide(
        as_user("police.supervisor"),
        review,
        decision="erase",
        reason="Past its retention schedule.",
    )
    assert erased.status_code == 200, erased.content
    assert erased.json()["status"] == "erased"
    referral.refresh_from_db()
    assert referral.erased_at is not None
    victim = Person.objects.get(pk=referral.victim_id)
    assert victim.name != body["victim"]["name"] and victim.date_of_birth is None

    chain.seal()
    verification = chain.verify()
    assert verification.ok, verification
    events = Event.objects.filter(referral_id=rid)
    assert not events.filter(seal__isnull=True).exists()
    verbs = list(events.order_by("pk").values_list("verb", flat=True))
    assert (
        verbs.index("referral.declined")
        < verbs.index("retention.due")
        < verbs.index("case.erased")
        < verbs.index("retention.erased")
    )
    assert not events.filter(reason__contains="Not stalking").exists()
    assert events.get(verb="retention.erased").reason == "Past its retention schedule."
    # Nothing further is due for it, and a second erasure is refused.
    assert services.retention_sweep(today=years_on(30)) == 0
    assert (
        _decide(as_user("police.supervisor"), review, decision="erase", reason="Again.").status_code
        == 409
    )


def _complete(as_user, username, task_type, referral_id, data):
    client = as_user(username)
    tasks = client.get("/api/v1/tasks/?scope=queue&page_size=500").json()["results"]
    task = next(t for t in tasks if t["task_type"] == task_type and t["referral"] == referral_id)
    assert client.post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    done = client.post(f"/api/v1/tasks/{task['id']}/complete/", data, format="json")
    assert done.status_code == 200, done.content
