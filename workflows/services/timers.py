"""The timer sweep's work: escalating overdue tasks."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit import events

from .. import notifications
from ..models import AgencyTask


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Flag every open task past its due date, once, and tell its agency's supervisors.

    Idempotent and catch-up safe: a conditional update claims each task's escalation, so
    running twice (or from two places, or after downtime) escalates each task exactly once.
    """
    now = now or timezone.now()
    escalated = 0
    candidates = AgencyTask.objects.filter(
        is_open=True, due__lt=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for task_id in list(candidates):
        with transaction.atomic():
            if not AgencyTask.objects.filter(pk=task_id, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            task = AgencyTask.objects.select_related("agency").get(pk=task_id)
            events.task_escalated_event(task=task)
            transaction.on_commit(lambda task_id=task_id: notifications.task_overdue(task_id))
            escalated += 1
    return escalated
