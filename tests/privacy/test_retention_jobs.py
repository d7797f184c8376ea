"""The daily sweep's ways in: celery beat's entry and task, `manage.py retention_sweep`, and
the embedded timer loop of `serve --timers`."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from privacy import services
from privacy.models import RetentionReview
from privacy.tasks import sweep_retention
from tests.privacy.factories import bare_case, years_on

pytestmark = pytest.mark.django_db


def test_beat_runs_the_sweep_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention-sweep"]
    assert entry == {"task": "privacy.tasks.sweep_retention", "schedule": 86400.0}
    assert sweep_retention.name == entry["task"]
    assert sweep_retention.delay().get() == 0


def test_the_command_sweeps_as_of_a_day(demo):
    referral = bare_case(demo)
    out = io.StringIO()
    call_command("retention_sweep", "--today", years_on(6).isoformat(), stdout=out)
    assert "opened or reopened: 1" in out.getvalue()
    assert RetentionReview.objects.filter(referral=referral, status="due").exists()
    with pytest.raises(CommandError):
        call_command("retention_sweep", "--today", "someday")


def test_the_timer_loop_sweeps(demo, settings, tmp_path):
    from workflows.management.commands.serve import Command

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")  # the loop anchors too
    referral = bare_case(demo)
    services.retention_sweep(today=years_on(6))
    supervisor = demo["police.supervisor"]
    review = RetentionReview.objects.get(referral=referral)
    services.retention_review_decide(
        review=review,
        actor=supervisor.user,
        membership=supervisor,
        decision="defer",
        reason="Appeal.",
        deferred_until=timezone.localdate() + timedelta(days=1),
    )
    # Its deferral ends today (the service only takes a later date: the test moves it).
    RetentionReview.objects.filter(pk=review.pk).update(deferred_until=timezone.localdate())
    stop = threading.Event()
    waits = iter([False, True])  # one tick, then stop
    stop.wait = lambda _tick: next(waits)
    Command(stdout=io.StringIO(), stderr=io.StringIO())._timer_loop(stop, 0)
    review.refresh_from_db()
    assert review.status == "due"
