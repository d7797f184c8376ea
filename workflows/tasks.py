"""Celery tasks: the timer sweep (run by beat every minute), notifications and outgoing email.

Each task runs a domain function; `deferred.register` tells the domain which task runs it, so
services hand work to a worker (`deferred.after_commit`) without importing this module.
"""

from django.core.management import call_command

from audit.chain import seal
from config.celery import app

from . import deferred, notifications
from .services import escalate_overdue


@app.task(ignore_result=True)
def run_timers() -> int:
    call_command("workflow_timers", verbosity=0)
    escalated = escalate_overdue()
    seal()
    return escalated


@app.task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_emails(messages) -> None:
    notifications.send_mass(messages)


# Telling an agency that a task is in its queue writes a notification for each member who may
# take it and queues their emails: a worker does it, after the commit of the request that opened
# the task.
@app.task(ignore_result=True)
def notify_task_queued(task_id: int) -> int:
    return notifications.task_queued(task_id)


@app.task(ignore_result=True)
def notify_task_assigned(task_id: int) -> int:
    return notifications.task_assigned(task_id)


deferred.register(notifications.send_mass, send_emails)
deferred.register(notifications.task_queued, notify_task_queued)
deferred.register(notifications.task_assigned, notify_task_assigned)
