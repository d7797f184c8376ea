"""Reads of tasks and notifications, scoped to the caller's agency."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.selectors import membership_of
from config.compiled import CompiledQuery

from .models import AgencyTask, Notification

SCOPES = ("mine", "queue", "overdue")


def _base() -> QuerySet[AgencyTask]:
    return AgencyTask.objects.select_related("referral", "agency", "owner")


def task_list(*, user, scope: str) -> QuerySet[AgencyTask]:
    """`mine`: claimed by the user; `queue`: the agency's unclaimed tasks the user may take;
    `overdue`: the agency's open tasks past due. Overdue first, then by due date.

    Each is one indexed query on (agency, is_open, due) whatever the number of tasks.
    """
    member = membership_of(user)
    if member is None:
        return AgencyTask.objects.none()
    now = timezone.now()
    open_tasks = _base().filter(agency_id=member.agency_id, is_open=True)
    if scope == "mine":
        tasks = open_tasks.filter(owner_id=user.pk)
    elif scope == "queue":
        roles = [
            r
            for r in ("caseworker", "supervisor", "chair", "auditor", "admin")
            if set(member.roles) & policy.claim_roles(r)
        ]
        tasks = open_tasks.filter(owner__isnull=True, status=STATUS.NEW, role__in=roles).exclude(
            excluded_user_id=user.pk
        )
    elif scope == "overdue":
        tasks = open_tasks.filter(due__lt=now)
    else:
        raise ValueError(scope)
    return tasks.annotate(
        overdue_first=Case(
            When(due__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("overdue_first", "due", "id")


TASK_ROW_COLUMNS = (
    "id",
    "task_type",
    "status",
    "role",
    "referral_id",
    "referral__reference",
    "referral__risk_level",
    "due",
    "is_open",
    "escalated_at",
    "owner__username",
    "created",
)


def task_rows(*, user, scope: str) -> QuerySet:
    """`task_list` as plain rows of the columns an inbox shows, in the same order (all of the
    caller's agency, so its slug is not read per row).

    An inbox page is read far more often than anything else: rows instead of task, referral,
    agency and user objects (and only the columns shown) cost a page of 50 a fraction of the
    time (bench/README.md).
    """
    return task_list(user=user, scope=scope).values(*TASK_ROW_COLUMNS)


def task_get(*, user, task_id) -> AgencyTask:
    """One task of the caller's agency; 404 for any other (the same as a missing one)."""
    member = membership_of(user)
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if member is None:
        raise Http404
    task = _base().filter(pk=task_id, agency_id=member.agency_id).first()
    if task is None:
        raise Http404
    return task


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("task__referral")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _completed_case_work(referral: int) -> QuerySet[AgencyTask]:
    return (
        AgencyTask.objects.filter(
            referral_id=referral,
            task_type__in=["research", "threat_assessment", "charging_review"],
            status=STATUS.DONE,
        )
        .select_related("agency")
        .order_by("finished", "id")
    )


# Read by every case detail: compiled once (config/compiled.py).
_COMPLETED_CASE_WORK = CompiledQuery(_completed_case_work, referral=int)


def case_sections(*, referral) -> dict:
    """The sections the agencies' own work fills, from their completed tasks (one query)."""
    done = _COMPLETED_CASE_WORK.objects(referral=referral.pk)
    research, threat, charging = [], None, None
    for task in done:
        result = task.data.get("result", {})
        entry = {"agency": task.agency.slug, "completed": task.finished, **result}
        if task.task_type == "research":
            research.append(entry)
        elif task.task_type == "threat_assessment":
            threat = entry
        else:
            charging = entry
    return {"research": research, "threat_assessment": threat, "charging": charging}
