"""Celery tasks: the timer sweep (run by beat every minute) and outgoing email."""

from celery import shared_task


@shared_task(ignore_result=True)
def run_timers() -> int:
    from django.core.management import call_command

    from .services import escalate_overdue

    call_command("workflow_timers", verbosity=0)
    return escalate_overdue()


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_emails(messages) -> None:
    from .notifications import send_mass

    send_mass(messages)
