"""Every service that changes state writes exactly one event of its verb, in its transaction."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.events import DECISION_VERBS, TASK_DECISIONS
from audit.models import Event
from tests.referral.factories import incident_body, payload
from workflows.task_schemas import SCHEMAS

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(as_user):
    response = as_user("police.caseworker").post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def conference(as_user, case, demo):
    from referral.access import involvement_grant
    from referral.models import InvolvementBasis, Referral

    chair = as_user("hub.chair")
    body = chair.post(
        "/api/v1/conferences/",
        {
            "title": "M",
            "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "invited_agencies": ["police", "advocacy"],
        },
        format="json",
    ).json()
    involvement_grant(
        referral=Referral.objects.get(pk=case["id"]),
        agency=demo["hub.chair"].agency,
        basis=InvolvementBasis.TASK,
        source="t",
    )
    chair.post(f"/api/v1/conferences/{body['id']}/agenda/", {"referral": case["id"]}, format="json")
    chair.post(f"/api/v1/conferences/{body['id']}/acknowledge/")
    return body


def _claimed_triage(as_user, case):
    from workflows.models import AgencyTask

    task = AgencyTask.objects.get(referral_id=case["id"], task_type="triage")
    as_user("hub.caseworker").post(f"/api/v1/tasks/{task.pk}/claim/")
    return task


def _start(as_user, conference):
    as_user("hub.chair").post(f"/api/v1/conferences/{conference['id']}/start/")
    from conferences.models import AgendaItem

    return AgendaItem.objects.get(conference_id=conference["id"])


ACTIONS = {
    "referral.submitted": lambda c, u: u("advocacy.caseworker").post(
        "/api/v1/referrals/",
        payload(
            victim={"name": "New Person", "date_of_birth": "1999-09-09"},
            suspect={"name": "Other Person", "date_of_birth": "1966-06-06"},
        ),
        format="json",
    ),
    "incident.recorded": lambda c, u: u("police.caseworker").post(
        f"/api/v1/referrals/{c['id']}/incidents/", incident_body(), format="json"
    ),
    "order.recorded": lambda c, u: u("police.caseworker").post(
        f"/api/v1/referrals/{c['id']}/orders/",
        {"kind": "restraining_order", "conditions": "No contact", "starts": "2025-01-01"},
        format="json",
    ),
    "hearing.recorded": lambda c, u: u("police.caseworker").post(
        f"/api/v1/referrals/{c['id']}/hearings/",
        {"kind": "bail", "date": (timezone.localdate() + timedelta(days=20)).isoformat()},
        format="json",
    ),
    "section.read": lambda c, u: u("police.caseworker").get(f"/api/v1/referrals/{c['id']}/"),
    "access.refused": lambda c, u: u("probation.caseworker").get(f"/api/v1/referrals/{c['id']}/"),
    "task.claimed": lambda c, u: _claimed_triage(u, c),
}


@pytest.mark.parametrize("verb", sorted(ACTIONS))
def test_each_referral_service_writes_one_event(case, as_user, verb):
    events = Event.objects.filter(verb=verb)
    if verb == "section.read":  # one event per sensitive section read
        events = events.filter(changes__section="victim_contact")
    before = events.count()
    ACTIONS[verb](case, as_user)
    assert events.count() == before + 1


@pytest.mark.parametrize(
    "data,verb",
    [
        ({"decision": "accept", "risk_level": "standard"}, "triage.accept"),
        ({"decision": "decline", "risk_level": "standard", "reason": "r"}, "triage.decline"),
        (
            {"decision": "request_info", "risk_level": "standard", "reason": "r"},
            "triage.request_info",
        ),
        ({"decision": "accept", "risk_level": "high"}, "risk.overridden"),
        (
            {
                "decision": "accept",
                "risk_level": "standard",
                "classification": "harassment",
                "not_stalking_reason": "One incident",
            },
            "referral.classified",
        ),
    ],
)
def test_task_decisions_write_their_events(case, as_user, data, verb):
    task = _claimed_triage(as_user, case)
    before = Event.objects.filter(verb=verb).count()
    response = as_user("hub.caseworker").post(
        f"/api/v1/tasks/{task.pk}/complete/", data, format="json"
    )
    assert response.status_code == 200, response.content
    assert Event.objects.filter(verb=verb).count() == before + 1


def test_release_and_reassign_write_events(case, as_user):
    task = _claimed_triage(as_user, case)
    as_user("hub.caseworker").post(f"/api/v1/tasks/{task.pk}/release/")
    as_user("hub.supervisor").post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"username": "hub.chair"}, format="json"
    )
    assert Event.objects.filter(verb="task.released").count() == 1
    assert Event.objects.filter(verb="task.reassigned").count() == 1


def test_escalation_writes_one_event(case):
    from workflows.services import escalate_overdue

    escalate_overdue(now=timezone.now() + timedelta(days=30))
    escalate_overdue(now=timezone.now() + timedelta(days=31))
    assert Event.objects.filter(verb="task.escalated", referral_id=case["id"]).count() == 1


CONFERENCE_STEPS = [
    (
        "conference.started",
        lambda cid, item, u: u("hub.chair").post(f"/api/v1/conferences/{cid}/start/"),
    ),
    (
        "conference.decision",
        lambda cid, item, u: u("hub.chair").post(
            f"/api/v1/conferences/{cid}/agenda/{item.pk}/decisions/",
            {"text": "t", "reason": "r"},
            format="json",
        ),
    ),
    (
        "conference.action",
        lambda cid, item, u: u("hub.chair").post(
            f"/api/v1/conferences/{cid}/agenda/{item.pk}/actions/",
            {"agency": "police", "description": "d", "due": timezone.localdate().isoformat()},
            format="json",
        ),
    ),
    (
        "conference.closed",
        lambda cid, item, u: u("hub.chair").post(f"/api/v1/conferences/{cid}/close/"),
    ),
    (
        "confidentiality.acknowledged",
        lambda cid, item, u: u("police.caseworker").post(f"/api/v1/conferences/{cid}/acknowledge/"),
    ),
]


@pytest.mark.parametrize("verb,step", CONFERENCE_STEPS, ids=[v for v, _ in CONFERENCE_STEPS])
def test_conference_services_write_their_events(conference, as_user, verb, step):
    cid = conference["id"]
    if verb != "conference.started":
        item = _start(as_user, conference)
    else:
        from conferences.models import AgendaItem

        item = AgendaItem.objects.get(conference_id=cid)
    before = Event.objects.filter(verb=verb).count()
    response = step(cid, item, as_user)
    assert response.status_code in (200, 201), response.content
    assert Event.objects.filter(verb=verb).count() == before + 1


def test_minutes_signed_and_sent_are_events_with_recipients(conference, as_user):
    from workflows.models import AgencyTask

    chair = as_user("hub.chair")
    for step in ("start", "close", "sign"):
        chair.post(f"/api/v1/conferences/{conference['id']}/{step}/")
    assert Event.objects.filter(verb="minutes.signed").count() == 1
    task = AgencyTask.objects.get(task_type="minutes_distribution")
    chair.post(f"/api/v1/tasks/{task.pk}/claim/")
    chair.post(f"/api/v1/tasks/{task.pk}/complete/", {"sent": True}, format="json")
    sent = Event.objects.get(verb="minutes.sent")
    assert sent.recipients == ["advocacy", "hub", "police"]


def test_access_report_lists_every_contact_read_and_nothing_else(case, as_user, demo):
    police, advocacy = as_user("police.caseworker"), as_user("advocacy.caseworker")
    from referral.access import involvement_grant
    from referral.models import InvolvementBasis, Referral

    involvement_grant(
        referral=Referral.objects.get(pk=case["id"]),
        agency=demo["advocacy.caseworker"].agency,
        basis=InvolvementBasis.TASK,
        source="x",
    )
    involvement_grant(
        referral=Referral.objects.get(pk=case["id"]),
        agency=demo["cps.caseworker"].agency,
        basis=InvolvementBasis.TASK,
        source="x",
    )
    police.get(f"/api/v1/referrals/{case['id']}/")
    advocacy.get(f"/api/v1/referrals/{case['id']}/")
    police.get(f"/api/v1/referrals/{case['id']}/")
    as_user("cps.caseworker").get(f"/api/v1/referrals/{case['id']}/")  # cannot see contact details
    auditor = as_user("oversight.auditor")
    report = auditor.get(f"/api/v1/audit/access/?referral={case['id']}").json()["results"]
    # The referral's creation response showed the referrer the contact details too.
    readers = [e["actor"] for e in report]
    assert readers == [
        "police.caseworker",
        "police.caseworker",
        "advocacy.caseworker",
        "police.caseworker",
    ]
    assert {e["changes"]["section"] for e in report} == {"victim_contact"}
    charging = auditor.get(f"/api/v1/audit/access/?referral={case['id']}&section=charging")
    assert {e["changes"]["section"] for e in charging.json()["results"]} <= {"charging"}


def test_trail_api_scopes_and_shape(case, as_user):
    auditor = as_user("oversight.auditor")
    events = auditor.get(f"/api/v1/audit/events/?referral={case['id']}").json()["results"]
    first = events[0]
    assert set(first) >= {"seq", "at", "actor", "agency", "verb", "referral", "reason", "changes"}
    assert first["verb"] == "referral.submitted" and first["seq"] is not None
    police_view = (
        as_user("police.caseworker")
        .get(f"/api/v1/audit/events/?referral={case['id']}")
        .json()["results"]
    )
    assert police_view and {e["agency"] for e in police_view} == {"police"}
    assert (
        as_user("probation.caseworker")
        .get(f"/api/v1/audit/events/?referral={case['id']}")
        .status_code
        == 404
    )
    assert as_user("police.caseworker").get("/api/v1/audit/verify/").status_code == 403
    verify = auditor.get("/api/v1/audit/verify/").json()
    assert verify["ok"] is True and verify["first_bad"] is None and verify["events"] > 0


def test_export_csv_and_jsonl(case, as_user):
    import json

    auditor = as_user("oversight.auditor")
    jsonl = auditor.get(f"/api/v1/audit/events/export/?format=jsonl&referral={case['id']}")
    lines = [json.loads(x) for x in b"".join(jsonl.streaming_content).decode().splitlines()]
    assert lines[0]["verb"] == "referral.submitted"
    csv = b"".join(auditor.get("/api/v1/audit/events/export/?format=csv").streaming_content)
    assert csv.decode().splitlines()[0].startswith("seq,at,actor,agency,verb")
    assert as_user("police.caseworker").get("/api/v1/audit/events/export/").status_code == 403


def test_note_ids_are_not_events_but_decisions_are_in_the_timeline(case, as_user):
    from workflows.models import AgencyTask

    task = AgencyTask.objects.get(referral_id=case["id"], task_type="triage")
    hub = as_user("hub.caseworker")
    hub.post(f"/api/v1/tasks/{task.pk}/claim/")
    hub.post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {
            "decision": "request_info",
            "risk_level": "standard",
            "reason": "When did the calls start?",
        },
        format="json",
    )
    timeline = as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/timeline/").json()
    decisions = [e for e in timeline["entries"] if e["kind"] == "decision"]
    assert any(
        e["verb"] == "triage.request_info" and e["reason"] == "When did the calls start?"
        for e in decisions
    )
    assert uuid.uuid4()


def test_agenda_changes_write_their_events(conference, as_user, case, demo):
    from conferences.models import AgendaItem

    cid = conference["id"]
    chair = as_user("hub.chair")
    item = AgendaItem.objects.get(conference_id=cid)
    assert Event.objects.filter(verb="agenda.added", referral_id=case["id"]).count() == 1
    chair.post(f"/api/v1/conferences/{cid}/agenda/order/", {"order": [item.pk]}, format="json")
    assert Event.objects.filter(verb="agenda.reordered").count() == 1
    chair.post(f"/api/v1/conferences/{cid}/start/")
    chair.post(f"/api/v1/conferences/{cid}/move/", {"item": item.pk}, format="json")
    assert Event.objects.filter(verb="agenda.current").count() == 1
    chair.post(f"/api/v1/conferences/{cid}/agenda/{item.pk}/close/")
    assert Event.objects.filter(verb="agenda.heard", referral_id=case["id"]).count() == 1
    chair.post(f"/api/v1/conferences/{cid}/uninvite/", {"agency": "advocacy"}, format="json")
    assert Event.objects.filter(verb="conference.uninvited").count() == 1


def test_removing_a_case_from_the_agenda_writes_one_event(conference, as_user, case):
    from conferences.models import AgendaItem

    item = AgendaItem.objects.get(conference_id=conference["id"])
    response = as_user("hub.chair").delete(
        f"/api/v1/conferences/{conference['id']}/agenda/{item.pk}/")
    assert response.status_code == 204
    assert Event.objects.filter(verb="agenda.removed", referral_id=case["id"]).count() == 1


def test_section_reads_are_the_rows_the_orm_writes(case, demo):
    """The case detail's read events go in one hand-written statement on PostgreSQL
    (`audit.events._SECTION_READS`): its rows are the ones Django's own INSERT of the same
    events gives, column for column, and they seal and verify like any other."""
    from django.db import connection

    from audit import chain
    from audit.events import _new_event, sections_read_events
    from audit.models import PendingSeal
    from referral.models import Referral

    if connection.vendor != "postgresql":
        pytest.skip("the statement is PostgreSQL's; elsewhere the ORM writes them")
    referral = Referral.objects.get(pk=case["id"])
    actor = demo["police.caseworker"].user
    sections = ["victim_contact", "threat_assessment"]
    start = Event.objects.order_by("-id").values_list("id", flat=True).first()
    sections_read_events(referral=referral, sections=sections, actor=actor)
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    Event.objects._insert(
        [_new_event(verb="section.read", actor=actor, obj=referral, referral_id=referral.pk,
                    changes={"section": s}) for s in sections],
        fields=fields,
    )
    columns = [f.attname for f in fields if f.attname != "at"]
    rows = list(Event.objects.filter(id__gt=start).order_by("id").values(*columns))
    assert len(rows) == 4 and rows[:2] == rows[2:], rows
    assert [r["changes"] for r in rows[:2]] == [{"section": s} for s in sections]
    assert rows[0]["actor_id"] == actor.pk and rows[0]["agency_slug"] == "police"
    written = set(Event.objects.filter(id__gt=start).values_list("id", flat=True))
    assert written <= set(PendingSeal.objects.values_list("event_id", flat=True))  # queued
    chain.seal()
    assert chain.verify().ok


def test_the_decisions_of_a_task_are_every_outcome_its_form_allows():
    """`task_completed_event` writes `<task type>.<outcome>`: the registry names each outcome
    a decision task's form can give, so none of them is left off the case's timeline."""
    for task_type, outcomes in TASK_DECISIONS.items():
        fields = SCHEMAS[task_type]["properties"]
        if "decision" in fields or "outcome" in fields:
            allowed = (fields.get("decision") or fields["outcome"])["enum"]
        elif "approved" in fields:
            allowed = ["approved", "refused"]
        else:
            allowed = ["completed"]
        assert sorted(outcomes) == sorted(allowed), task_type
        assert {f"{task_type}.{o}" for o in outcomes} <= DECISION_VERBS
    assert not any(verb.startswith("research.") for verb in DECISION_VERBS)


def test_the_timeline_shows_decisions_and_not_other_events(case, as_user):
    """Decisions (a submission, an order, a breach) are on the timeline as decisions; reads,
    grants and a plain incident are not."""
    from audit.events import DECISION_VERBS
    from audit.selectors import decision_timeline

    police = as_user("police.caseworker")
    url = f"/api/v1/referrals/{case['id']}"
    order = police.post(f"{url}/orders/", {"kind": "bail_conditions", "conditions": "No contact",
                                           "starts": "2025-01-01"}, format="json").json()
    police.post(f"{url}/incidents/", incident_body(2), format="json")
    police.post(f"{url}/incidents/", incident_body(1, breach_of_order=order["id"]), format="json")
    police.get(f"{url}/")
    written = set(Event.objects.filter(referral_id=case["id"]).values_list("verb", flat=True))
    assert {"section.read", "access.granted", "incident.recorded"} <= written
    shown = set(decision_timeline(referral_ids=[case["id"]]).values_list("verb", flat=True))
    assert shown == written & DECISION_VERBS
    assert {"referral.submitted", "order.recorded", "breach.recorded"} <= shown
    entries = police.get(f"{url}/timeline/").json()["entries"]
    assert {e["verb"] for e in entries if e["kind"] == "decision"} == shown
