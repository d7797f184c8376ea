"""Reads of tasks and notifications, scoped to the caller's agency."""

from __future__ import annotations

import functools

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Now
from django.http import Http404
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.selectors import membership_of
from config.compiled import CompiledQuery
from config.rest import CountedRows, CountingPaginator, count_apart
from referral import access
from referral.models import Referral

from .models import AgencyTask, Notification

SCOPES = ("mine", "queue", "overdue")


def _base() -> QuerySet[AgencyTask]:
    return AgencyTask.objects.select_related("referral", "agency", "owner")


def task_list(*, user, scope: str) -> QuerySet[AgencyTask]:
    """`mine`: claimed by the user; `queue`: the agency's unclaimed tasks the user may take;
    `overdue`: the agency's open tasks past due. Overdue first, then by due date.

    Each is one indexed query on (agency, is_open, due), or for `mine` on the open tasks'
    owners, whatever the number of tasks.
    """
    member = membership_of(user)
    if not policy.sees_case_content(member):
        return AgencyTask.objects.none()
    if scope == "mine":
        return _mine(member.agency_id, user.pk)
    if scope == "queue":
        return _queue(member.agency_id, user.pk, roles=_claimable_roles(member))
    if scope == "overdue":
        return _overdue(member.agency_id)
    raise ValueError(scope)


def _claimable_roles(member) -> tuple[str, ...]:
    return tuple(
        r
        for r in ("caseworker", "supervisor", "chair", "auditor", "admin")
        if set(member.roles) & policy.claim_roles(r)
    )


def _inbox(tasks: QuerySet[AgencyTask]) -> QuerySet[AgencyTask]:
    # Overdue first, then by due date: a task past due is due before any other, so that is the
    # due date ascending, undated tasks last, which the (agency, is_open, due) index walks in
    # order. A page stops after its rows instead of sorting the agency's whole scope first.
    return tasks.order_by(F("due").asc(nulls_last=True), "id")


def _open(agency: int) -> QuerySet[AgencyTask]:
    return _base().filter(agency_id=agency, is_open=True)


# What closes a task (workflows/nodes.py sets `is_open = False` with it). `is_open` implies
# neither, and asking for that as well lets `mine` walk the open tasks' owner index
# (migration 0004) instead of every task the member ever owned.
CLOSED = (STATUS.DONE, STATUS.CANCELED)


def _mine(agency: int, user: int) -> QuerySet[AgencyTask]:
    return _inbox(_open(agency).filter(owner_id=user).exclude(status__in=CLOSED))


def _queue(agency: int, user: int, *, roles: tuple[str, ...]) -> QuerySet[AgencyTask]:
    # `in_queue` is open and unclaimed, on our table (migration 0005): viewflow's owner and
    # status are on its own, which every open task of the agency had to be joined to first.
    return _inbox(
        _base()
        .filter(agency_id=agency, in_queue=True, role__in=roles)
        .exclude(excluded_user_id=user)
    )


def _overdue(agency: int) -> QuerySet[AgencyTask]:
    return _inbox(_open(agency).filter(due__lt=Now()))


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


def _rows(tasks: QuerySet[AgencyTask], *, apart: bool = False) -> QuerySet:
    """The columns an inbox shows, with the scope's total in each row (`CountingPaginator`).

    `COUNT(*) OVER ()` counts in the same pass as the page, but makes the page join every task
    of the scope to its referral and owner and sort them all before cutting 50. `apart` counts
    in a scalar subquery instead (`config.rest.count_apart`), read from our task table alone,
    and the page stops after its rows: the overdue inbox (312 overdue tasks at the busiest hub:
    its SQL 2.4 to 6.4 ms before, 0.8 to 1.1 ms after) and the queue (bench/README.md). `mine`
    is a few dozen tasks by its own index."""
    total = count_apart(tasks, by="agency_id") if apart else Window(Count("*"))
    return tasks.annotate(**{CountingPaginator.TOTAL: total}).values(
        *TASK_ROW_COLUMNS, CountingPaginator.TOTAL
    )


def _overdue_rows(agency: int) -> QuerySet:
    return _rows(_overdue(agency), apart=True)


def _queue_rows_of(agency: int, user: int, *, roles: tuple[str, ...]) -> QuerySet:
    return _rows(_queue(agency, user, roles=roles), apart=True)


# The inbox is read far more often than anything else: each scope compiled once
# (config/compiled.py); the queue once per set of roles a member may claim for (at most 32).
_MINE_ROWS = CompiledQuery(lambda agency, user: _rows(_mine(agency, user)), agency=int, user=int)
_OVERDUE_ROWS = CompiledQuery(_overdue_rows, agency=int)


@functools.cache
def _queue_rows(roles: tuple[str, ...]) -> CompiledQuery:
    return CompiledQuery(functools.partial(_queue_rows_of, roles=roles), agency=int, user=int)


def task_rows(*, user, scope: str) -> CountedRows:
    """`task_list` as plain rows of the columns an inbox shows, in the same order, a page at a
    time with the total (all of the caller's agency, so its slug is not read per row).

    An inbox page is read far more often than anything else: rows instead of task, referral,
    agency and user objects (and only the columns shown) cost a page of 50 a fraction of the
    time (bench/README.md).
    """
    member = membership_of(user)
    if not policy.sees_case_content(member):
        return CountedRows.none()
    agency = member.agency_id
    if scope == "mine":
        page = functools.partial(_MINE_ROWS.rows, agency=agency, user=user.pk)
    elif scope == "queue":
        roles = _claimable_roles(member)
        if not roles:
            return CountedRows.none()
        page = functools.partial(_queue_rows(roles).rows, agency=agency, user=user.pk)
    elif scope == "overdue":
        page = functools.partial(_OVERDUE_ROWS.rows, agency=agency)
    else:
        raise ValueError(scope)
    return CountedRows(
        page=page,
        count=lambda: task_list(user=user, scope=scope).count(),
    )


def task_get(*, user, task_id) -> AgencyTask:
    """One task of the caller's agency on a case it may see now (or on none); 404 for any other,
    the same as a missing one. A member whose role sees no case content sees no task."""
    member = membership_of(user)
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not policy.sees_case_content(member):
        raise Http404
    found = _TASK.objects(pk=task_id, agency=member.agency_id, limit=1)
    if not found or not _case_visible(member, found[0].referral_id):
        raise Http404
    return found[0]


def _case_visible(member, referral_id: int | None) -> bool:
    return referral_id is None or Referral.objects.filter(
        access.case_visibility(member), pk=referral_id
    ).exists()


# Every task request (claim, release, complete, a task's page) reads it, most of them twice:
# compiling it (a task with its case, agency and owner: two tables of the task and three joined)
# cost more than running it (bench/README.md).
_TASK = CompiledQuery(lambda pk, agency: _base().filter(pk=pk, agency_id=agency),
                      prepare="task", pk=int, agency=int)


def task_work_readable(*, task: AgencyTask, membership) -> bool:
    """Whether the member may read the section a task's work belongs to (its context and result:
    `policy.EVENT_SECTIONS`)."""
    section = policy.event_section(task.task_type)
    return section is None or policy.can_read(membership, section)


def notifications_for(*, user) -> QuerySet[Notification]:
    """The member's notices, but none about a case its agency may no longer see."""
    visible = Referral.objects.filter(access.case_visibility(membership_of(user)))
    return (
        Notification.objects.filter(user=user)
        .filter(Q(referral__isnull=True) | Q(referral__in=visible))
        .filter(Q(task__referral__isnull=True) | Q(task__referral__in=visible))
        .select_related("task__referral")
    )


def unread_count(*, user) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()


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
_COMPLETED_CASE_WORK = CompiledQuery(_completed_case_work, prepare="completed_case_work",
                                     referral=int)


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


def triage_before(task: AgencyTask) -> AgencyTask | None:
    """The triage that led to this task (an `approve_decline`): the last one of its process
    finished before the task was created."""
    return (
        AgencyTask.objects.filter(
            process_id=task.process_id,
            task_type="triage",
            status=STATUS.DONE,
            finished__lte=task.created,
        )
        .select_related("owner")
        .order_by("-finished", "-id")
        .first()
    )


def task_brief(*, task: AgencyTask, membership) -> dict:
    """What the one deciding a task must see to decide it, cut to what their agency may read:
    for `approve_decline` the decline (reason, triage's risk level, who proposed it) and the
    case's summary; for `link_referrals` the referrals to link; {} for other tasks (their
    context says it: `approve_downgrade` carries its proposal and the screen's answers)."""
    referral = task.referral
    if task.task_type == "approve_decline" and referral is not None:
        triage = triage_before(task)
        result = (triage.data.get("result") or {}) if triage else {}
        brief = {
            "decline_reason": result.get("reason", ""),
            "triage_risk_level": result.get("risk_level"),
            "current_risk_level": referral.risk_level,
            "proposed_by": triage.owner.get_username() if triage and triage.owner else None,
            "referrer_agency": referral.referrer_agency.slug,
        }
        if policy.sees_case_content(membership):
            brief.update(
                summary=referral.summary,
                behaviours=referral.behaviours,
                relationship=referral.relationship,
                stalking_since=referral.stalking_since.isoformat()
                if referral.stalking_since
                else None,
            )
        return brief
    if task.task_type == "link_referrals" and referral is not None:
        matches = task.process.coerced.data.get("context", {}).get("matches", [])
        return {
            "referral": _link_row(referral),
            "matches": [
                _link_row(r)
                for r in Referral.objects.filter(pk__in=matches)
                .select_related("referrer_agency")
                .order_by("pk")
            ],
        }
    return {}


def _link_row(referral) -> dict:
    return {
        "id": referral.pk,
        "reference": referral.reference,
        "status": referral.status,
        "risk_level": referral.risk_level,
        "referrer_agency": referral.referrer_agency.slug,
        "created_at": referral.created_at.isoformat(),
    }
