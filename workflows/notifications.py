"""In-app notifications and emails about tasks, sent after the transaction commits.

Texts name the task type and the case reference, never a person: emails leave the system.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail

from agencies import policy
from agencies.selectors import agency_members

from .models import AgencyTask, Notification


def notice_text(task: AgencyTask, kind: str) -> str:
    """A notice's text (the load generator writes the same, bench/generate/notices.py)."""
    what = task.get_task_type_display()
    ref = task.referral.reference if task.referral_id else "a case"
    return {
        Notification.Kind.QUEUED: f"{what} on {ref} is in your agency's queue.",
        Notification.Kind.ASSIGNED: f"{what} on {ref} has been assigned to you.",
        Notification.Kind.OVERDUE: f"{what} on {ref} is overdue.",
    }[kind]


def _notify(task: AgencyTask, kind: str, users) -> int:
    users = [u for u in users if u.is_active]
    text = notice_text(task, kind)
    # Notifying is idempotent per user, kind and task: skip those already told, and let the
    # unique constraint absorb a race with another sender.
    told = set(
        Notification.objects.filter(task=task, kind=kind, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    created = [u for u in users if u.pk not in told]
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, task=task, text=text) for u in created],
        ignore_conflicts=True,
    )
    messages = [
        (
            f"Concord: {text}",
            f"{text}\n\nSign in to Concord to see it.",
            settings.DEFAULT_FROM_EMAIL,
            [u.email],
        )
        for u in created
        if u.email
    ]
    if messages:
        from .tasks import send_emails

        send_emails.delay(messages)
    return len(created)


def _task(task_id: int) -> AgencyTask | None:
    return (
        AgencyTask.objects.select_related("referral", "agency", "owner").filter(pk=task_id).first()
    )


def task_queued(*, task_id: int) -> int:
    task = _task(task_id)
    if task is None or task.agency is None:
        return 0
    if task.owner_id:
        return _assigned(task)
    members = [m.user for m in agency_members(agency=task.agency)
               if policy.may_take_task(m, task)]
    return _notify(task, Notification.Kind.QUEUED, members)


def task_assigned(*, task_id: int) -> int:
    task = _task(task_id)
    return 0 if task is None else _assigned(task)


def _assigned(task: AgencyTask) -> int:
    if task.owner is None:
        return 0
    return _notify(task, Notification.Kind.ASSIGNED, [task.owner])


def task_overdue(*, task_id: int) -> int:
    task = _task(task_id)
    if task is None or task.agency is None:
        return 0
    supervisors = [m.user for m in agency_members(agency=task.agency, role="supervisor")]
    if not supervisors:  # an agency without supervisors: its members must still hear of it
        supervisors = [m.user for m in agency_members(agency=task.agency)]
    return _notify(task, Notification.Kind.OVERDUE, supervisors)


def send_mass(messages) -> None:
    send_mass_mail([tuple(m) for m in messages], fail_silently=False)
