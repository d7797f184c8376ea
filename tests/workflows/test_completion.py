"""Workflows orchestrates: one table says what completing each task type does, conference
services change only the meeting (the flows' part is `workflows.services.meetings`), and work for
a worker is handed over through `deferred`."""

import pytest
from django.utils import timezone

from conferences import services as conference_services
from workflows import deferred, notifications
from workflows.flows import CaseTaskFlow, ReferralFlow
from workflows.models import AgencyTask, Notification, TaskType
from workflows.nodes import AgencyView
from workflows.services import COMPLETION, assessments, case_task_start, conference_finish
from workflows.services import justice as justice_work
from workflows.services import orders as order_work
from workflows.services import victims as victim_work


def test_every_task_type_says_what_completing_it_does():
    assert set(COMPLETION) == set(TaskType.values)
    assert all(callable(handler) for handler in COMPLETION.values())


def test_each_area_says_what_completing_its_own_task_types_does_and_no_other_area_does():
    tables = [justice_work.COMPLETION, order_work.COMPLETION, assessments.COMPLETION,
              victim_work.COMPLETION]
    keys = [key for table in tables for key in table]
    assert len(keys) == len(set(keys))
    for table in tables:
        assert all(COMPLETION[key] is handler for key, handler in table.items())


@pytest.mark.django_db
@pytest.mark.parametrize("task_type", CaseTaskFlow.TYPES)
def test_each_single_task_type_routes_to_its_own_node(demo, task_type):
    """The route's default is the minutes: a type without its own case would become one."""
    task = case_task_start(
        referral=None, task_type=task_type, agency=demo["hub.chair"].agency,
        due=timezone.now(),
    )
    assert task is not None and task.task_type == task_type
    assert task.flow_task.name == task_type


def test_every_human_task_of_the_flows_is_a_task_type_in_the_table():
    nodes = [
        node
        for flow in (ReferralFlow, CaseTaskFlow)
        for node in flow.instance.nodes()
        if isinstance(node, AgencyView)
    ]
    assert {node.agency_task_type for node in nodes} <= set(COMPLETION)
    assert set(CaseTaskFlow.TYPES) <= set(COMPLETION)


@pytest.mark.django_db
def test_closing_a_meeting_starts_its_minutes_only_through_the_orchestrator(demo):
    chair = demo["hub.chair"].user

    def started(title):
        conference = conference_services.conference_create(
            actor=chair, title=title, starts_at=timezone.now(), invited=[]
        )
        return conference_services.conference_start(actor=chair, conference=conference)

    conference_services.conference_close(actor=chair, conference=started("Domain only"))
    assert not AgencyTask.objects.filter(task_type="minutes_distribution").exists()
    finished = conference_finish(actor=chair, conference=started("Orchestrated"))
    task = AgencyTask.objects.get(task_type="minutes_distribution")
    assert (task.agency, task.process.coerced.data["context"]) == (
        demo["hub.chair"].agency, {"conference": finished.pk}
    )


def test_a_function_no_worker_task_runs_is_refused():
    def unregistered(task_id):  # pragma: no cover - never run
        return task_id

    with pytest.raises(LookupError):
        deferred.enqueue(unregistered, 1)


@pytest.mark.django_db
def test_work_handed_over_after_commit_runs_in_the_worker_task(
    refer, demo, django_capture_on_commit_callbacks
):
    """The suite's Celery runs tasks eagerly: the registered task writes the notices, and only
    once the transaction commits."""
    refer()
    task = AgencyTask.objects.filter(task_type="triage").get()
    Notification.objects.filter(task=task).delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deferred.after_commit(notifications.task_queued, task.pk)
    assert not Notification.objects.filter(task=task).exists()
    for callback in callbacks:
        callback()
    assert Notification.objects.filter(task=task, kind="queued").exists()
