"""Overdue tasks escalate exactly once, also after downtime; working-day arithmetic."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from workflows import calendar
from workflows.models import AgencyTask, Notification
from workflows.services import escalate_overdue

pytestmark = pytest.mark.django_db


def test_overdue_task_escalates_exactly_once(refer, demo, django_capture_on_commit_callbacks):
    case = refer()
    task = AgencyTask.objects.get(referral_id=case["id"], task_type="triage")
    assert escalate_overdue() == 0  # not due yet
    later = task.due + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(now=later) == 1
        assert escalate_overdue(now=later) == 0
        assert escalate_overdue(now=later + timedelta(days=3)) == 0
    task.refresh_from_db()
    assert task.escalated_at == later
    assert Event.objects.filter(verb="task.escalated", object_id=str(task.pk)).count() == 1
    told = Notification.objects.filter(task=task, kind="overdue")
    assert list(told.values_list("user__username", flat=True)) == ["hub.supervisor"]


def test_catch_up_after_downtime_escalates_each_missed_task_once(refer):
    cases = [
        refer(victim={"name": f"Victim {n}", "date_of_birth": f"199{i}-01-01"})
        for i, n in enumerate(["Ann", "Bea", "Cat"])
    ]
    tasks = AgencyTask.objects.filter(referral_id__in=[c["id"] for c in cases], task_type="triage")
    # Nothing ran for a week: one sweep catches up on all three.
    week_later = timezone.now() + timedelta(days=7)
    assert escalate_overdue(now=week_later) == 3
    assert escalate_overdue(now=week_later + timedelta(hours=1)) == 0
    assert all(t.escalated_at == week_later for t in tasks)


def test_done_tasks_do_not_escalate(refer, work):
    case = refer()
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "standard"})
    triage = AgencyTask.objects.get(referral_id=case["id"], task_type="triage")
    escalate_overdue(now=timezone.now() + timedelta(days=60))
    triage.refresh_from_db()
    assert triage.escalated_at is None


def test_overdue_scope_lists_it_first(refer, as_user):
    a = refer()
    b = refer(
        victim={"name": "Dora Dee", "date_of_birth": "1985-03-03"},
        suspect={"name": "Ed Eff", "date_of_birth": "1966-06-06"},
    )
    AgencyTask.objects.filter(referral_id=b["id"]).update(due=timezone.now() - timedelta(hours=1))
    client = as_user("hub.caseworker")
    queue = client.get("/api/v1/tasks/?scope=queue").json()["results"]
    assert [t["referral"] for t in queue] == [b["id"], a["id"]]
    assert queue[0]["overdue"] is True and queue[1]["overdue"] is False
    overdue = client.get("/api/v1/tasks/?scope=overdue").json()["results"]
    assert [t["referral"] for t in overdue] == [b["id"]]
    assert client.get("/api/v1/tasks/?scope=everything").status_code == 400


def test_run_timers_command_is_idempotent(refer):
    case = refer()
    AgencyTask.objects.filter(referral_id=case["id"]).update(due=timezone.now() - timedelta(days=1))
    call_command("run_timers", verbosity=0)
    call_command("run_timers", verbosity=0)
    assert Event.objects.filter(verb="task.escalated").count() == 1


def test_celery_beat_runs_the_sweep():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["timers"]["task"] == "workflows.tasks.run_timers"


# --- Working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,days,expected",
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday -> Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday -> Monday
        (
            date(2026, 12, 24),
            1,
            date(2026, 12, 29),
        ),  # Christmas, Boxing Day (substitute Monday 28th)
        (date(2026, 12, 24), 5, date(2027, 1, 5)),  # ... and New Year's Day
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Good Friday and Easter Monday
        (date(2026, 8, 28), 1, date(2026, 9, 1)),  # summer bank holiday
        (date(2026, 11, 25), -2, date(2026, 11, 23)),  # two working days before a Wednesday
        (date(2026, 11, 30), -2, date(2026, 11, 26)),  # two before a Monday skip the weekend
        (date(2026, 12, 29), -2, date(2026, 12, 23)),  # ... and the Christmas holidays
    ],
)
def test_working_days(start, days, expected):
    calendar.refresh_holidays()
    assert calendar.add_working_days(start, days) == expected


def test_bank_holidays_are_data():
    from workflows.models import BankHoliday

    assert BankHoliday.objects.filter(date=date(2026, 12, 28)).exists()
    assert not calendar.is_working_day(date(2026, 12, 25))
    assert calendar.is_working_day(date(2026, 12, 23))
