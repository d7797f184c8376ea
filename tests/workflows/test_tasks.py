"""Who may take and do a task; queues; involvement; notifications; hearings, breaches, updates."""

import pytest
from django.core import mail
from django.utils import timezone

from referral.models import Referral
from tests.referral.factories import incident_body  # noqa: I001
from workflows.models import AgencyTask, Notification, task_outcome

pytestmark = pytest.mark.django_db


def _task(referral_id, task_type):
    return AgencyTask.objects.get(referral_id=referral_id, task_type=task_type, is_open=True)


def test_task_detail_has_its_form(refer, as_user):
    case = refer()
    task = _task(case["id"], "triage")
    body = as_user("hub.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()
    assert body["task_type"] == "triage" and body["referral"] == case["id"]
    assert body["reference"] == case["reference"] and body["due"]
    assert body["form"]["properties"]["decision"]["enum"] == ["accept", "request_info", "decline"]
    assert body["form"]["required"] == ["decision", "risk_level"]


def test_police_research_form_offers_charging_advice(refer, work, as_user):
    case = refer()
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "standard"})
    police_task = AgencyTask.objects.get(
        referral_id=case["id"], task_type="research", agency__slug="police"
    )
    police = as_user("police.caseworker").get(f"/api/v1/tasks/{police_task.pk}/").json()
    assert "request_charging_advice" in police["form"]["properties"]
    probation_task = AgencyTask.objects.get(
        referral_id=case["id"], task_type="research", agency__slug="probation"
    )
    probation = as_user("probation.caseworker").get(f"/api/v1/tasks/{probation_task.pk}/").json()
    assert "request_charging_advice" not in probation["form"]["properties"]


def test_other_agencies_tasks_are_404(refer, as_user):
    case = refer()
    task = _task(case["id"], "triage")
    police = as_user("police.caseworker")
    for method, suffix in [("get", ""), ("post", "claim/"), ("post", "complete/")]:
        response = getattr(police, method)(f"/api/v1/tasks/{task.pk}/{suffix}", {}, format="json")
        assert response.status_code == 404, (suffix, response.content)
    assert task.pk not in [
        t["id"] for t in police.get("/api/v1/tasks/?scope=queue").json()["results"]
    ]


def test_a_task_id_no_task_can_have_is_404_not_a_database_error(as_user):
    """Task ids are 64-bit: a larger one in the URL never reaches the prepared look-up."""
    hub = as_user("hub.caseworker")
    for task_id in (0, 2**63, 10**30):
        for method, suffix in [("get", ""), ("post", "claim/"), ("post", "release/")]:
            response = getattr(hub, method)(f"/api/v1/tasks/{task_id}/{suffix}", {}, format="json")
            assert response.status_code == 404, (task_id, suffix, response.content)


def test_decliner_cannot_approve_own_decline(refer, work, demo, as_user):
    from agencies.services import member_set_roles

    case = refer()
    # A supervisor who also triages: they decline, so someone else must approve.
    supervisor = demo["hub.supervisor"]
    member_set_roles(membership=supervisor, roles=["supervisor"])
    work(
        "hub.supervisor",
        "triage",
        case["id"],
        {"decision": "decline", "risk_level": "standard", "reason": "Not stalking."},
    )
    task = _task(case["id"], "approve_decline")
    client = as_user("hub.supervisor")
    assert task.pk not in [
        t["id"] for t in client.get("/api/v1/tasks/?scope=queue").json()["results"]
    ]
    assert client.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 403
    # A caseworker may not approve a decline either.
    assert as_user("hub.caseworker").post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 403


def test_claim_twice_and_complete_twice_conflict(refer, as_user):
    case = refer()
    task = _task(case["id"], "triage")
    hub, chair = as_user("hub.caseworker"), as_user("hub.chair")
    assert hub.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    response = chair.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_claimed"
    done = {"decision": "accept", "risk_level": "standard"}
    assert chair.post(f"/api/v1/tasks/{task.pk}/complete/", done, format="json").status_code == 409
    assert hub.post(f"/api/v1/tasks/{task.pk}/complete/", done, format="json").status_code == 200
    assert hub.post(f"/api/v1/tasks/{task.pk}/complete/", done, format="json").status_code == 409


def test_completing_an_unclaimed_task_is_409(refer, as_user):
    case = refer()
    task = _task(case["id"], "triage")
    response = as_user("hub.caseworker").post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {"decision": "accept", "risk_level": "standard"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_claimed"


@pytest.mark.parametrize(
    "data,field",
    [
        ({"decision": "maybe", "risk_level": "standard"}, "decision"),
        ({"decision": "accept"}, "risk_level"),
        ({"decision": "accept", "risk_level": "standard", "colour": "red"}, "colour"),
        ({"decision": "accept", "risk_level": "low"}, "risk_level"),
        ({"decision": "accept", "risk_level": "standard", "reason": 5}, "reason"),
    ],
)
def test_bad_form_is_400_with_fields_and_nothing_moves(refer, as_user, data, field):
    case = refer()
    task = _task(case["id"], "triage")
    client = as_user("hub.caseworker")
    client.post(f"/api/v1/tasks/{task.pk}/claim/")
    response = client.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    task.refresh_from_db()
    assert task.is_open and task.status == "ASSIGNED"


def test_lowering_risk_at_triage_needs_a_reason(refer, as_user):
    case = refer(yes=7)
    task = _task(case["id"], "triage")
    client = as_user("hub.caseworker")
    client.post(f"/api/v1/tasks/{task.pk}/claim/")
    response = client.post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {"decision": "accept", "risk_level": "medium"},
        format="json",
    )
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


def test_release_and_supervisor_reassign(refer, as_user, demo, django_capture_on_commit_callbacks):
    case = refer()
    task = _task(case["id"], "triage")
    hub = as_user("hub.caseworker")
    hub.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert hub.post(f"/api/v1/tasks/{task.pk}/release/").json()["owner"] is None
    # Only a supervisor reassigns.
    assert (
        hub.post(
            f"/api/v1/tasks/{task.pk}/reassign/", {"username": "hub.chair"}, format="json"
        ).status_code
        == 403
    )
    supervisor = as_user("hub.supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(
            f"/api/v1/tasks/{task.pk}/reassign/", {"username": "hub.chair"}, format="json"
        )
    assert response.status_code == 200 and response.json()["owner"] == "hub.chair"
    bad = supervisor.post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"username": "police.caseworker"}, format="json"
    )
    assert bad.status_code == 400
    assert Notification.objects.filter(user=demo["hub.chair"].user, kind="assigned").exists()


def _mirrors_hold(referral_id):
    """Every task of the case: `in_queue` is exactly open, NEW and nobody's (viewflow's columns),
    `is_open` exactly an unfinished status, and `completed_at` and `outcome` a completed task's
    finish and its result's answer, else empty."""
    for task in AgencyTask.objects.filter(referral_id=referral_id, flow_task_type="HUMAN"):
        unclaimed = task.is_open and task.status == "NEW" and task.owner_id is None
        assert task.in_queue == unclaimed, (task.task_type, task.status, task.owner_id)
        assert task.is_open == (task.status not in ("DONE", "CANCELED")), task.status
        done = task.status == "DONE"
        assert task.completed_at == (task.finished if done else None), task.task_type
        result = task.data.get("result") or {}
        assert task.outcome == (task_outcome(result) if done else ""), task.task_type


def test_in_queue_follows_every_change_of_owner_and_status(refer, work, as_user, demo):
    """The queue reads `in_queue` alone (migration 0005): claim, release, reassign, viewflow's
    own assign and unassign (its task pages call them), completion and the next tasks each
    keep it equal to what viewflow's status and owner say."""
    case = refer()
    task = _task(case["id"], "triage")
    hub, supervisor = as_user("hub.caseworker"), as_user("hub.supervisor")

    def queued():
        task.refresh_from_db()
        _mirrors_hold(case["id"])
        ids = [t["id"] for t in hub.get("/api/v1/tasks/?scope=queue").json()["results"]]
        assert (task.pk in ids) == task.in_queue
        return task.in_queue

    assert queued()
    assert hub.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    assert not queued()
    assert hub.post(f"/api/v1/tasks/{task.pk}/release/").status_code == 200
    assert queued()
    reassigned = supervisor.post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"username": "hub.chair"}, format="json"
    )
    assert reassigned.status_code == 200 and not queued()
    assert supervisor.post(f"/api/v1/tasks/{task.pk}/release/").status_code == 200
    assert queued()
    with task.activation() as activation:
        activation.assign(demo["hub.caseworker"].user)
    assert not queued()
    with task.activation() as activation:
        activation.unassign()
    assert queued()
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "standard"})
    assert not queued() and not task.is_open
    assert task.outcome == "accept" and task.completed_at == task.finished is not None
    research = AgencyTask.objects.filter(referral_id=case["id"], task_type="research")
    assert research.count() == 3 and all(t.in_queue for t in research)


def test_a_task_involves_its_agency_and_the_flows_end_revokes(refer, work, as_user):
    case = refer(yes=1)
    rid = case["id"]
    probation = as_user("probation.caseworker")
    assert probation.get(f"/api/v1/referrals/{rid}/").status_code == 404
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "standard"})
    assert probation.get(f"/api/v1/referrals/{rid}/").status_code == 200
    for user in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
        work(user, "research", rid, {"summary": "s", "withheld": False})
    work("police.caseworker", "plan", rid, {"plan": "Warning letter; safety plan."})
    work("hub.caseworker", "review", rid, {"decision": "close", "note": "n"})
    work(
        "hub.caseworker",
        "closure",
        rid,
        {
            "charged": False,
            "not_charged_reason": "Withdrawn",
            "protective_order": False,
            "victim_informed": True,
            "summary": "s",
        },
    )
    work("hub.supervisor", "approve_closure", rid, {"approved": True})
    assert Referral.objects.get(pk=rid).status == "closed"
    assert probation.get(f"/api/v1/referrals/{rid}/").status_code == 404
    # The referrer keeps its own referral.
    assert as_user("police.caseworker").get(f"/api/v1/referrals/{rid}/").status_code == 200


def test_queue_notifications_and_email_after_commit(
    refer, demo, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = refer()
    task = _task(case["id"], "triage")
    assert not Notification.objects.filter(task=task).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    task = _task(case["id"], "triage")
    notified = set(
        Notification.objects.filter(task=task, kind="queued").values_list(
            "user__username", flat=True
        )
    )
    assert notified == {"hub.caseworker", "hub.supervisor", "hub.chair"}
    assert len(mail.outbox) == 3
    assert case["reference"] in mail.outbox[0].subject
    assert "Alice" not in mail.outbox[0].body and "Bob" not in mail.outbox[0].body


def test_the_request_leaves_the_queue_notices_to_a_worker(
    refer, demo, settings, django_capture_on_commit_callbacks
):
    """Outside the suite's eager mode, opening a task sends one message to the broker (real
    Redis) after its commit, and a worker writes the notices: the request no longer writes one
    per member and queues their emails itself."""
    import json

    import redis

    from config.celery import app
    from workflows import tasks

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = set(broker.lrange("celery", 0, -1))
    app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = refer()
    finally:
        app.conf.task_always_eager = True
    sent = [m for m in broker.lrange("celery", 0, -1) if m not in before]
    for message in sent:
        broker.lrem("celery", 1, message)
    task = _task(case["id"], "triage")
    announced = [json.loads(m)["headers"] for m in sent]
    assert [(h["task"], h["argsrepr"]) for h in announced] == [
        ("workflows.tasks.notify_task_queued", f"({task.pk},)")
    ]
    assert not Notification.objects.filter(task=task).exists()
    assert tasks.notify_task_queued(task.pk) == 3  # what the worker runs
    assert Notification.objects.filter(task=task, kind="queued").count() == 3


def test_a_broker_that_is_down_does_not_fail_a_committed_change(
    refer, demo, django_capture_on_commit_callbacks
):
    """The notice of a queued task is sent after the commit: when Redis cannot take it, the
    referral still answers 201 (it is saved; a 500 would invite a second submission). The
    callback is a robust one, whose failure Django logs."""
    import socket

    from config.celery import app

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_connection_timeout
    app.conf.update(broker_url=dead, task_always_eager=False, broker_connection_timeout=0.5)
    app.close()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = refer()  # asserts the 201
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1],
                        broker_connection_timeout=saved[2])
        app.close()
    assert _task(case["id"], "triage").in_queue
    assert not Notification.objects.filter(task__referral_id=case["id"]).exists()


def test_notification_list_and_unread_count(refer, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refer()
    client = as_user("hub.caseworker")
    body = client.get("/api/v1/notifications/").json()
    assert body["unread"] == 1 and body["results"][0]["kind"] == "queued"
    client.post("/api/v1/notifications/read/")
    assert client.get("/api/v1/notifications/").json()["unread"] == 0


def test_breach_creates_an_enforcement_task_due_in_24_hours(refer, as_user):
    case = refer(
        orders=[{"kind": "restraining_order", "conditions": "No contact", "starts": "2025-01-01"}]
    )
    police = as_user("police.caseworker")
    response = police.post(
        f"/api/v1/referrals/{case['id']}/incidents/",
        incident_body(1, ["texts"], breach_of_order=case["orders"][0]["id"]),
        format="json",
    )
    assert response.status_code == 201
    task = _task(case["id"], "enforcement")
    assert task.agency.slug == "police"
    hours = (task.due - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24
    assert response.json()["escalation"]["figures"]["breaches"] == 1


def test_hearing_creates_pre_hearing_tasks_and_asks_cps(refer, as_user):
    from workflows import calendar

    case = refer()
    hearing_day = calendar.add_working_days(timezone.localdate(), 10)
    response = as_user("police.caseworker").post(
        f"/api/v1/referrals/{case['id']}/hearings/",
        {"kind": "bail", "date": hearing_day.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    tasks = AgencyTask.objects.filter(referral_id=case["id"], is_open=True)
    assert sorted(tasks.values_list("task_type", "agency__slug")) == [
        ("pre_hearing_risk_assessment", "advocacy"),
        ("pre_hearing_risk_assessment", "police"),
        ("psychiatric_assessment_request", "cps"),
        ("triage", "hub"),
    ]
    pre = tasks.filter(task_type="pre_hearing_risk_assessment").first()
    assert timezone.localdate(pre.due) == calendar.add_working_days(hearing_day, -2)


def test_past_hearing_is_400(refer, as_user):
    case = refer()
    response = as_user("police.caseworker").post(
        f"/api/v1/referrals/{case['id']}/hearings/",
        {"kind": "bail", "date": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("enhanced,days", [(False, 5), (True, 1)])
def test_bail_change_gives_police_the_duty_holder_a_victim_update(
    refer, as_user, enhanced, days
):
    from workflows import calendar

    case = refer(
        victim={"name": "Kim Kay", "date_of_birth": "1992-02-02", "enhanced_rights": enhanced}
    )
    as_user("police.caseworker").post(
        f"/api/v1/referrals/{case['id']}/orders/",
        {"kind": "bail_conditions", "conditions": "Not to enter Leeds", "starts": "2026-01-01"},
        format="json",
    )
    task = _task(case["id"], "victim_update")
    assert task.agency.slug == "police"
    assert timezone.localdate(task.due) == calendar.add_working_days(timezone.localdate(), days)


@pytest.mark.parametrize("kind,updates", [("bail_conditions", 1), ("restraining_order", 0)])
def test_bail_conditions_referred_with_the_case_give_police_the_duty_holder_a_victim_update(
    refer, kind, updates
):
    """The victim's views on bail conditions must be sought whenever they are recorded, with
    the referral as well as later (`order_log`)."""
    case = refer(orders=[{"kind": kind, "conditions": "No contact", "starts": "2026-01-01"}])
    found = AgencyTask.objects.filter(referral_id=case["id"], task_type="victim_update")
    assert found.count() == updates
    if updates:
        task = found.get()
        assert task.agency.slug == "police" and task.owner is None
        assert task.process.data["context"] == {
            "reason": "bail conditions recorded", "trigger": "bail_at_referral",
            "duty_holder": "police",
        }


def test_a_completed_task_keeps_its_answer_for_the_reports(refer, work):
    """A decline proposed, refused by the supervisor, then accepted: each completed task holds
    its finish and its answer (`outcome`); the task still open holds neither."""
    case = refer()
    rid = case["id"]
    work(
        "hub.caseworker", "triage", rid,
        {"decision": "decline", "risk_level": "standard", "reason": "No course of conduct."},
    )
    work("hub.supervisor", "approve_decline", rid, {"approved": False, "reason": "Two visits."})
    _mirrors_hold(rid)
    answers = list(
        AgencyTask.objects.filter(referral_id=rid, flow_task_type="HUMAN")
        .order_by("pk")
        .values_list("task_type", "outcome", "is_open")
    )
    assert answers == [
        ("triage", "decline", False),
        ("approve_decline", "refused", False),
        ("triage", "", True),
    ]


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        ({"decision": "request_info", "risk_level": "high"}, "request_info"),
        ({"approved": True, "reason": "Agreed."}, "approved"),
        ({"approved": False}, "refused"),
        ({"summary": "Known to police.", "withheld": False}, ""),
        ({"decision": None}, ""),
    ],
)
def test_task_outcome_reads_the_answer_of_a_result(result, outcome):
    assert task_outcome(result) == outcome


def test_the_migration_fills_in_the_answers_of_tasks_completed_before_it(refer, work):
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    case = refer()
    rid = case["id"]
    work(
        "hub.caseworker", "triage", rid,
        {"decision": "decline", "risk_level": "standard", "reason": "No course of conduct."},
    )
    work("hub.supervisor", "approve_decline", rid, {"approved": True, "reason": "Agreed."})
    tasks = AgencyTask.objects.filter(referral_id=rid, flow_task_type="HUMAN").order_by("pk")
    kept = list(tasks.values_list("task_type", "completed_at", "outcome"))
    tasks.update(completed_at=None, outcome="")  # as the tasks stood before the migration
    with connection.schema_editor() as editor:
        import_module("workflows.migrations.0011_task_report_mirrors").fill_in(apps, editor)
    assert list(tasks.values_list("task_type", "completed_at", "outcome")) == kept
    assert [outcome for _, _, outcome in kept] == ["decline", "approved"]
    _mirrors_hold(rid)
