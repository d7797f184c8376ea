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
