"""Reads of tasks and notifications, scoped to the caller's agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.formats import date_format
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.models import Membership
from agencies.selectors import membership_of
from conferences.models import Conference
from config.exceptions import NotFound
from justice import selectors as justice_selectors
from justice.models import Offence
from referral import access
from referral.models import Referral

from .models import AgencyTask, Notification

SCOPES = ("mine", "queue", "overdue")

# What an inbox shows of a task, its case and its owner (and what `policy.may_take_task` asks).
INBOX_COLUMNS = (
    "task_type",
    "status",
    "role",
    "agency",
    "agency__slug",
    "excluded_user",
    "due",
    "is_open",
    "escalated_at",
    "created",
    "referral",
    "referral__reference",
    "referral__risk_level",
    "owner",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def _base() -> QuerySet[AgencyTask]:
    return AgencyTask.objects.select_related("referral", "agency", "owner")


@dataclass(frozen=True)
class TaskQuery:
    """What a reader asks of an inbox beyond its scope; empty values ask nothing."""

    task_type: str = ""
    reference: str = ""  # a case reference, or a part of one
    due: str = ""  # one of DUE_FILTERS
    risk_level: str = ""
    sort: str = ""  # one of TASK_SORTS; "due" when empty


DUE_FILTERS = {
    "overdue": "Overdue",
    "today": "Due by the end of today",
    "week": "Due within 7 days",
    "none": "No due date",
}
TASK_SORTS = {
    "due": "Overdue first, then by due date",
    "risk": "Highest risk first",
    "newest": "Newest first",
    "reference": "Case reference",
}
def task_list(*, user, scope: str, query: TaskQuery | None = None) -> QuerySet[AgencyTask]:
    """`mine`: claimed by the user; `queue`: the agency's unclaimed tasks the user may take;
    `overdue`: the agency's open tasks past due. Filtered as `query` asks; overdue first, then
    by due date, unless it asks another sort; the columns an inbox shows (`INBOX_COLUMNS`), and
    each task's meeting (`meeting_id`) and action (`action_text`) from its context, which tell
    apart tasks of no case (the minutes of two meetings).

    Each is one indexed query on (agency, is_open, due), or for `mine` on the open tasks'
    owners, or for `queue` on the agency's queued tasks, whatever the number of tasks.
    """
    query = query or TaskQuery()
    member = membership_of(user)
    if not policy.works_tasks(member):
        return AgencyTask.objects.none()
    if scope == "mine":
        tasks = _open(member.agency_id).filter(owner_id=user.pk).exclude(status__in=CLOSED)
    elif scope == "queue":
        # `in_queue` is open and unclaimed, on our table (migration 0005): viewflow keeps owner
        # and status on its own table, which every open task of the agency would be joined to.
        tasks = AgencyTask.objects.filter(
            agency_id=member.agency_id, in_queue=True, role__in=_claimable_roles(member)
        ).exclude(excluded_user_id=user.pk)
    elif scope == "overdue":
        tasks = _open(member.agency_id).filter(due__lt=Now())
    else:
        raise ValueError(scope)
    if not policy.sees_case_content(member):  # a DPO: its own role's tasks only
        tasks = tasks.filter(role__in=_claimable_roles(member))
    tasks = _filtered(tasks, query)
    tasks = tasks.select_related("referral", "agency", "owner").only(*INBOX_COLUMNS).annotate(
        meeting_id=KeyTextTransform("conference", KeyTransform("context", "process__data")),
        action_text=KeyTextTransform("description", KeyTransform("context", "process__data")),
    )
    # Overdue first, then by due date: a task past due is due before any other, so that is the
    # due date ascending, undated tasks last, which the (agency, is_open, due) index walks in
    # order. A page stops after its rows instead of sorting the agency's whole scope first.
    due_order = (F("due").asc(nulls_last=True), "id")
    if query.sort == "risk":
        # "high" < "medium" < "standard": the levels' names sort highest first.
        return tasks.order_by(F("referral__risk_level").asc(nulls_last=True), *due_order)
    if query.sort == "newest":
        return tasks.order_by("-created", "-id")
    if query.sort == "reference":
        return tasks.order_by(F("referral__reference").asc(nulls_last=True), *due_order)
    return tasks.order_by(*due_order)


def _filtered(tasks: QuerySet[AgencyTask], query: TaskQuery) -> QuerySet[AgencyTask]:
    if query.task_type:
        tasks = tasks.filter(task_type=query.task_type)
    if query.reference.strip():
        tasks = tasks.filter(referral__reference__icontains=query.reference.strip())
    if query.risk_level:
        tasks = tasks.filter(referral__risk_level=query.risk_level)
    if query.due == "overdue":
        tasks = tasks.filter(due__lt=Now())
    elif query.due in ("today", "week"):
        today = timezone.localdate() + timedelta(days=1 if query.due == "today" else 7)
        end = timezone.make_aware(datetime.combine(today, time.min))
        tasks = tasks.filter(due__lt=end)
    elif query.due == "none":
        tasks = tasks.filter(due__isnull=True)
    return tasks


def meeting_titles(ids) -> dict[int, str]:
    """The titles and dates of these meetings, by id (the tasks of no case name theirs)."""
    wanted = {int(i) for i in ids if i}
    if not wanted:
        return {}
    return {
        pk: f"{title}, {date_format(timezone.localtime(starts), 'j M Y')}"
        for pk, title, starts in Conference.objects.filter(pk__in=wanted).values_list(
            "pk", "title", "starts_at"
        )
    }


def _claimable_roles(member) -> tuple[str, ...]:
    return tuple(
        r
        for r in ("caseworker", "supervisor", "chair", "auditor", "admin", "dpo")
        if set(member.roles) & policy.claim_roles(r)
    )


def _open(agency: int) -> QuerySet[AgencyTask]:
    return AgencyTask.objects.filter(agency_id=agency, is_open=True)


# What closes a task (workflows/nodes.py sets `is_open = False` with it). `is_open` implies
# neither, and asking for that as well lets `mine` walk the open tasks' owner index
# (migration 0004) instead of every task the member ever owned.
CLOSED = (STATUS.DONE, STATUS.CANCELED)


def task_get(*, user, task_id) -> AgencyTask:
    """One task of the caller's agency on a case it may see now (or on none); `NotFound` for any
    other, the same as a missing one. A member whose role has no inbox (`policy.works_tasks`)
    sees no task; one that reads no case content, only its own role's
    (`policy.sees_task_of_role`)."""
    member = membership_of(user)
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise NotFound from None
    if not policy.works_tasks(member):
        raise NotFound
    task = (
        _base()
        .select_related("referral__referrer_agency", "referral__victim", "referral__suspect",
                        "referral__screening")
        .filter(pk=task_id, agency_id=member.agency_id)
        .first()
    )
    if (
        task is None
        or not policy.sees_task_of_role(member, task.role)
        or not _case_visible(member, task.referral_id)
    ):
        raise NotFound
    return task


def _case_visible(member, referral_id: int | None) -> bool:
    return referral_id is None or Referral.objects.filter(
        access.case_visibility(member), pk=referral_id
    ).exists()


def task_work_readable(*, task: AgencyTask, membership) -> bool:
    """Whether the member may read the section a task's work belongs to (its context and result:
    `policy.EVENT_SECTIONS`)."""
    section = policy.event_section(task.task_type)
    return section is None or policy.can_read(membership, section)


def notifications_for(*, user) -> QuerySet[Notification]:
    """The member's notices, newest first, but none about a case its agency may no longer see
    (a notice's case is its task's: `Notification.referral`). `task_agency_id` says whose task
    it came from: another agency's task (the decision a notice reports) is not the reader's to
    open."""
    visible = access.visible_case_ids(membership_of(user))
    return (
        Notification.objects.filter(user=user)
        .filter(Q(referral__isnull=True) | Q(referral_id__in=visible))
        .annotate(task_agency_id=F("task__agency_id"))
    )


def unread_count(*, user) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()


def case_open_tasks(*, referral, membership) -> list[AgencyTask]:
    """Who holds which work on the case now: its open tasks, due first, with their agency and
    owner: the member's own agency's, and of the others only those whose work the member may
    read (`task_work_readable`). One query."""
    tasks = (
        AgencyTask.objects.filter(referral_id=referral.pk, is_open=True)
        .select_related("agency", "owner")
        .order_by(F("due").asc(nulls_last=True), "id")
    )
    return [
        task for task in tasks
        if task.agency_id == membership.agency_id
        or task_work_readable(task=task, membership=membership)
    ]


# The threat assessment form's sharing answers, kept out of its section's entry.
THREAT_SHARING_FIELDS = ("share_recommendations", "sharing_basis")


def case_sections(*, referral) -> dict:
    """The sections the agencies' own work fills, from their completed tasks (one query)."""
    done = (
        AgencyTask.objects.filter(
            referral_id=referral.pk,
            task_type__in=["research", "threat_assessment", "charging_review"],
            status=STATUS.DONE,
        )
        .select_related("agency")
        .order_by("finished", "id")
    )
    research, threat, charging = [], None, None
    for task in done:
        result = task.data.get("result", {})
        entry = {"agency": task.agency.slug, "completed": task.finished, **result}
        if task.task_type == "research":
            research.append(entry)
        elif task.task_type == "threat_assessment":
            # Whether and why it was shared is the shared recommendations' own section.
            threat = {k: v for k, v in entry.items() if k not in THREAT_SHARING_FIELDS}
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
    case's summary; for `link_referrals` the referrals to link; for `closure` the outcome of
    each offence (readers of offences; sentences for readers of court); {} for other tasks (their
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
    if task.task_type == "closure" and referral is not None:
        if not policy.can_read(membership, "offences"):
            return {}
        lines = justice_selectors.outcome_lines(
            referral=referral, court=policy.can_read(membership, "court")
        )
        return {"outcomes": "; ".join(lines) if lines else "No offence recorded."}
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


# The tasks in which a supervisor approves (or refuses) what another member proposed.
APPROVAL_TASK_TYPES = ("approve_decline", "approve_closure", "approve_downgrade")


def tasks_escalated(*, user) -> QuerySet[AgencyTask]:
    """The agency's open tasks that escalated to its supervisors (past due), oldest due first;
    none for a member whose role sees no case content. One query."""
    member = membership_of(user)
    if not policy.sees_case_content(member):
        return AgencyTask.objects.none()
    return (
        _open(member.agency_id)
        .filter(escalated_at__isnull=False)
        .select_related("referral", "agency", "owner")
        .only(*INBOX_COLUMNS)
        .order_by(F("due").asc(nulls_last=True), "id")
    )


def tasks_awaiting_approval(*, user) -> QuerySet[AgencyTask]:
    """The agency's open approvals (of a decline, a closure, a lower risk level), claimed or
    not, oldest due first; none for a member whose role sees no case content. One query."""
    member = membership_of(user)
    if not policy.sees_case_content(member):
        return AgencyTask.objects.none()
    return (
        _open(member.agency_id)
        .filter(task_type__in=APPROVAL_TASK_TYPES)
        .select_related("referral", "agency", "owner")
        .only(*INBOX_COLUMNS)
        .order_by(F("due").asc(nulls_last=True), "id")
    )


def notification_get(*, user, notification_id) -> Notification:
    """One of the member's notices that it may still see, or `NotFound` (the same as a missing
    one, or another member's)."""
    try:
        notification_id = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound from None
    notification = notifications_for(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound
    return notification
# --- A task's form, set up from its case ----------------------------------------------------

# The answers a task's form starts from: the case's current values of the fields it decides
# again (the triager starts from the risk the case has, and confirms or changes it).
INITIAL_FROM_CASE: dict[str, tuple[str, ...]] = {
    "triage": ("risk_level", "classification"),
    "pre_hearing_risk_assessment": ("risk_level",),
}


def task_form_initial(*, task: AgencyTask) -> dict:
    """What the task's form starts from, read from its case (`INITIAL_FROM_CASE`)."""
    referral = task.referral
    if referral is None:
        return {}
    return {name: getattr(referral, name) for name in INITIAL_FROM_CASE.get(task.task_type, ())}


def task_form_choices(*, task: AgencyTask) -> dict[str, list[tuple[int, str]]]:
    """The things a task's id fields may name, as people know them: the earlier referrals a
    merge may keep (by reference), the agency's meetings a case may go on, scheduled or in
    session (by title and date), the case's open offences a charging review may decide on."""
    if task.task_type == "link_referrals" and task.referral is not None:
        matches = task.process.coerced.data.get("context", {}).get("matches", [])
        cases = Referral.objects.filter(pk__in=matches).order_by("pk")
        return {"into": [(pk, reference) for pk, reference in cases.values_list("pk", "reference")]}
    if task.task_type == "schedule_conference":
        meetings = Conference.objects.filter(
            coordinator_id=task.agency_id,
            status__in=[Conference.Status.SCHEDULED, Conference.Status.IN_SESSION],
        ).order_by("starts_at", "id")[:50]
        return {"conference": [
            (m.pk, f"{m.title}, {date_format(timezone.localtime(m.starts_at), 'j M Y H:i')}")
            for m in meetings
        ]}
    if task.task_type == "charging_review" and task.referral is not None:
        return {"offences": [
            (o.pk, o.title + (f" (crime ref. {o.crime_reference})" if o.crime_reference else ""))
            for o in Offence.objects.filter(
                referral_id=task.referral_id, status=Offence.Status.OPEN
            ).order_by("created_at", "id")
        ]}
    return {}


def reassign_candidates(*, task: AgencyTask) -> list[Membership]:
    """The members of the task's agency who may take it (`policy.may_take_task`), but its
    owner, by name."""
    members = Membership.objects.select_related("user", "agency").filter(
        agency_id=task.agency_id, user__is_active=True
    ).exclude(user_id=task.owner_id or 0).order_by("user__last_name", "user__first_name",
                                                    "user__username")
    return [m for m in members if policy.may_take_task(m, task)]
