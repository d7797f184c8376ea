"""Claiming, releasing, reassigning and completing tasks, and the reads of them that are logged.

Calling a viewflow activation from code skips the permission checks its views make, so every
service here asks the access policy and the node's `can_assign` / `can_execute` itself, and
re-checks the task's state under the flow's row lock (409 when it moved on).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.models import Membership
from agencies.selectors import membership_of
from audit import events
from config.exceptions import Conflict, DomainError, NotAllowed

from .. import deferred, notifications, task_schemas
from ..models import AgencyTask, Notification
from ..nodes import may_take
from ..selectors import notification_get, task_get
from .completion import screened_risk, task_result_apply

User = get_user_model()


class _Activation:
    """`with _Activation(task) as activation`: the flow lock, with a lock timeout as a 409."""

    def __init__(self, task: AgencyTask):
        self.cm = task.activation()

    def __enter__(self):
        try:
            return self.cm.__enter__()
        except FlowLockFailed as exc:
            raise Conflict("Someone else is working on this case right now; try again.") from exc

    def __exit__(self, *exc_info):
        return self.cm.__exit__(*exc_info)


@transaction.atomic
def task_claim(*, actor, task_id) -> AgencyTask:
    """Take a task from the agency's queue. Exactly one of several simultaneous claimers wins."""
    task = task_get(user=actor, task_id=task_id)
    with _Activation(task) as activation:
        if task.status != STATUS.NEW or not task.is_open:
            if task.owner_id == actor.pk and task.is_open:
                return task
            raise Conflict("This task has already been claimed or done.", code="already_claimed")
        if not activation.flow_task.can_assign(actor, task):
            raise NotAllowed("Your role may not take this task.")
        task.assigned = timezone.now()
        activation.assign(actor)
        events.task_claimed_event(task=task, actor=actor)
    return task


@transaction.atomic
def task_release(*, actor, task_id) -> AgencyTask:
    """Put a claimed task back in the queue (its owner, or a supervisor of the agency)."""
    task = task_get(user=actor, task_id=task_id)
    with _Activation(task) as activation:
        if task.status != STATUS.ASSIGNED:
            raise Conflict("Only a claimed task can be released.")
        if not activation.flow_task.can_unassign(actor, task):
            raise NotAllowed("Only its owner or a supervisor may release this task.")
        task.assigned = None
        activation.unassign()
        events.task_released_event(task=task, actor=actor)
    return task


@transaction.atomic
def task_reassign(*, actor, task_id, to_username: str) -> AgencyTask:
    """A supervisor gives a task to a named member of the agency."""
    task = task_get(user=actor, task_id=task_id)
    member = membership_of(actor)
    if not policy.may(member, "reassign_task"):
        raise NotAllowed("Only a supervisor may reassign tasks.")
    target = User.objects.filter(username=to_username, is_active=True).first()
    with _Activation(task) as activation:
        if not task.is_open:
            raise Conflict("This task is finished.")
        if target is None or not may_take(target, task):
            raise DomainError(
                "That person may not take this task.",
                fields={"username": ["Not a member of this agency with a suitable role."]},
            )
        task.assigned = timezone.now()
        if task.status == STATUS.NEW:
            activation.assign(target)
        else:
            activation.reassign(target)
        events.task_reassigned_event(task=task, actor=actor, to_username=to_username)
    deferred.after_commit(notifications.task_assigned, task.pk)
    return task


@transaction.atomic
def task_complete(*, actor, task_id, data) -> AgencyTask:
    """Finish a claimed task with its form's fields; the flow moves on in the same transaction."""
    task = task_get(user=actor, task_id=task_id)
    member = membership_of(actor)
    errors = task_schemas.check(
        task.task_type,
        data,
        agency_kind=task.agency.kind,
        screened_risk=screened_risk(task.referral),
    )
    if errors:
        raise DomainError("Some fields do not fit this task's form.", fields=errors)
    with _Activation(task) as activation:
        if not task.is_open or task.status not in (STATUS.ASSIGNED, STATUS.STARTED):
            if task.status == STATUS.NEW:
                raise Conflict("Claim the task before completing it.", code="not_claimed")
            raise Conflict("This task is already done or the case has moved on.")
        if task.owner_id != actor.pk:
            raise Conflict("Someone else has claimed this task.", code="already_claimed")
        if not activation.flow_task.can_execute(actor, task) or not policy.may(
            member, "complete_task"
        ):
            raise NotAllowed("Your role may not complete this task.")
        task_result_apply(task=task, actor=actor, membership=member, data=data)
        task.data = {**task.data, "result": data}
        process = task.process.coerced
        results = process.data.setdefault("results", {})
        results[task.task_type] = data
        process.data.setdefault("actors", {})[task.task_type] = actor.pk
        process.save(update_fields=["data"])
        events.task_completed_event(task=task, actor=actor, result=data)
        activation.start(None)
        activation.execute()
    return task


def task_read_record(*, task: AgencyTask, actor, membership: Membership) -> None:
    """Log the read of a task's work when it is of a sensitive section (a threat assessment, a
    charging review, a victim update) and the member may read it, as a case detail logs it."""
    section = policy.event_section(task.task_type)
    if (
        task.referral_id is not None
        and section in policy.SENSITIVE_SECTIONS
        and policy.can_read(membership, section)
    ):
        events.case_sections_read_events(reads={task.referral_id: [section]}, actor=actor)


def notifications_mark_read(*, user) -> int:
    """Mark every unread notice of the member read; how many there were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_mark_read(*, user, notification_id) -> Notification:
    """Mark one of the member's notices read (one already read keeps its time). `NotFound` for
    a notice that is not theirs, or is about a case their agency may no longer see."""
    notification = notification_get(user=user, notification_id=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Conditional: of two marks at once, the first one's time stays.
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        ):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification
