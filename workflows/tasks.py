"""Celery tasks: the timer sweep (run by beat every minute) and outgoing email."""

from celery import shared_task


@shared_task(ignore_result=True)
def run_timers() -> int:
    from django.core.management import call_command

    from audit.chain import seal

    from .services import escalate_overdue

    call_command("workflow_timers", verbosity=0)
    escalated = escalate_overdue()
    seal()
    return escalated


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_emails(messages) -> None:
    from .notifications import send_mass

    send_mass(messages)


# Telling an agency that a task is in its queue writes a notification for each member who may
# take it and queues their emails: 10 to 20 ms for a hub's thirty members, three times over when
# triage opens the research. Done here, by a worker, the request that opened the task only sends
# this message after its commit (bench/README.md).
@shared_task(ignore_result=True)
def notify_task_queued(task_id: int) -> int:
    from .notifications import task_queued

    return task_queued(task_id=task_id)


@shared_task(ignore_result=True)
def notify_task_assigned(task_id: int) -> int:
    from .notifications import task_assigned

    return task_assigned(task_id=task_id)
