"""Orders at work in the flow: a breach opens its offence and its enforcement, due by the
region's local policy; service of a stalking protection order starts the police's check of the
suspect's notification; a failure to notify is an offence enforced in turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from agencies.models import AgencyKind, Membership
from audit import events as audit_events
from config.exceptions import Conflict, DomainError
from justice.models import BREACH_OFFENCE, Offence, OffenceKind, PoliceDecision
from justice.services import OffenceDraft, PoliceDecisionDraft, offence_create
from orders import services as order_services
from orders.models import Enforcement, NotificationDuty, OrderApplication, OrderChange
from referral.local_policy import NoLocalPolicy, local_policy
from referral.models import CourtHearing, Incident, LocalPolicy, ProtectiveOrder, Referral

from .. import allocation, calendar
from ..models import AgencyTask, TaskType
from . import justice as justice_work
from .assessments import check_hearing_date, hearing_record
from .registry import Completion
from .starts import case_task_start
from .victims import victims_code_event

ENFORCEMENT_DEADLINE = LocalPolicy.Key.ENFORCEMENT_DEADLINE


@dataclass(frozen=True)
class Deadline:
    """When enforcement is due, the local policy version that set it, and the rule in words."""

    due: datetime
    policy: LocalPolicy | None
    words: str


def _rule(value, order_kind: str) -> tuple[str, int]:
    """The rule of the policy's value for this kind of order (its own, else the default's) as
    (unit, count); a value that names neither gives the statutory-free fallback of 24 hours."""
    value = value if isinstance(value, dict) else {}
    for key in (order_kind, "default"):
        spec = value.get(key)
        if isinstance(spec, dict):
            for unit in ("hours", "working_days"):
                count = spec.get(unit)
                if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                    return unit, count
    return "hours", 24


def deadline_words(unit: str, count: int) -> str:
    if unit == "working_days":
        return f"{count} working day{'s' if count != 1 else ''}"
    return f"{count} hour{'s' if count != 1 else ''}"


def enforcement_deadline(*, region: str, order_kind: str, at: datetime | None = None
                         ) -> Deadline:
    """The deadline to act on a breach of this kind of order, counted from `at` (now), under
    the region's version of `enforcement.deadline` in effect then (else the default's; with
    neither, 24 hours and no version):
    `{"default": {"hours": n} | {"working_days": n}, "<order kind>": {...}}`. Working days end
    at close of business (`calendar.end_of_day`)."""
    at = at or timezone.now()
    try:
        found = local_policy(ENFORCEMENT_DEADLINE, region=region, at=at)
    except NoLocalPolicy:
        found = None  # no version at all (the seeded default removed): the fallback applies
    unit, count = _rule(found.value if found else None, order_kind)
    if unit == "working_days":
        due = calendar.end_of_day(calendar.add_working_days(timezone.localdate(at), count))
    else:
        due = at + timedelta(hours=count)
    return Deadline(due=due, policy=found, words=deadline_words(unit, count))


def _enforce(
    *, referral: Referral, order: ProtectiveOrder, offence: Offence | None,
    incident: Incident | None = None, notification: NotificationDuty | None = None,
) -> Enforcement | None:
    """The enforcement task and its row: police, or probation for licence conditions (a
    recall), due by the region's local policy, whose version the task's context names."""
    region = referral.referrer_agency.region
    kind = (
        AgencyKind.PROBATION if order.kind == ProtectiveOrder.Kind.LICENCE_CONDITIONS
        else AgencyKind.POLICE
    )
    agency = allocation.agency_of_kind(kind, region=region)
    if agency is None:
        return None
    deadline = enforcement_deadline(region=region, order_kind=order.kind)
    context = {
        "incident": incident.pk if incident else None,
        "order": order.pk,
        "offence": offence.pk if offence else None,
        "policy_version": deadline.policy.version if deadline.policy else None,
        "deadline": f"within {deadline.words} (local policy)",
    }
    task = case_task_start(
        referral=referral, task_type=TaskType.ENFORCEMENT, agency=agency, due=deadline.due,
        context=context,
    )
    return order_services.enforcement_open(
        referral=referral, order=order, agency=agency, due=deadline.due,
        local_policy=deadline.policy, task=task, incident=incident, notification=notification,
        offence=offence,
    )


@transaction.atomic
def breach_enforce(*, incident: Incident, actor, membership: Membership) -> Enforcement | None:
    """A breach: of a restraining order, non-molestation order or (interim) stalking
    protection order an offence (`BREACH_OFFENCE`) linked to the order and the incident; and
    its enforcement. Bail conditions: police enforcement, no offence (Bail Act 1976 s.7 power
    of arrest). Licence conditions: probation, no offence (recall)."""
    order = incident.breach_of_order
    referral = incident.referral
    offence = None
    offence_kind = BREACH_OFFENCE.get(order.kind)
    if offence_kind is not None:
        day = timezone.localdate(incident.occurred_at)
        offence = offence_create(
            referral=referral, actor=actor, membership=membership,
            draft=OffenceDraft(kind=offence_kind, committed_from=day, committed_to=day,
                               breach_of_order=order, incident=incident),
        )
    return _enforce(referral=referral, order=order, offence=offence, incident=incident)


# --- Stalking protection orders: applications, changes, service, notification ------------------


@transaction.atomic
def order_serve_log(
    *, referral: Referral, order_id: int, actor, membership: Membership, served_on: date
) -> tuple[ProtectiveOrder, NotificationDuty | None]:
    """Service recorded; for a stalking protection order the police check, by the end of the
    third day after service, that the suspect notified them (SPA 2019 s.9)."""
    order, duty = order_services.order_serve(
        referral=referral, order_id=order_id, actor=actor, membership=membership,
        served_on=served_on,
    )
    if duty is not None:
        _notification_check_start(referral, duty)
    return order, duty


def notification_duty_start(*, referral: Referral, order: ProtectiveOrder
                            ) -> NotificationDuty | None:
    """An order recorded as already served: its notification duty and check, as on service."""
    duty = order_services.notification_duty_open(order=order)
    if duty is not None:
        _notification_check_start(referral, duty)
    return duty


def _notification_check_start(referral: Referral, duty: NotificationDuty) -> None:
    police = allocation.agency_of_kind(AgencyKind.POLICE, region=referral.referrer_agency.region)
    task = case_task_start(
        referral=referral, task_type=TaskType.NOTIFICATION_CHECK, agency=police,
        due=calendar.end_of_day(duty.due_on),
        context={"order": duty.order_id, "served_on": duty.served_on.isoformat(),
                 "due_on": duty.due_on.isoformat()},
    )
    if task is not None:
        order_services.notification_duty_task_set(duty=duty, task=task)


def _notification_failed(duty: NotificationDuty, *, referral: Referral, actor,
                         membership: Membership) -> Enforcement | None:
    """Failing to notify is an offence (SPA 2019 s.11), enforced like a breach."""
    order = duty.order
    offence = offence_create(
        referral=referral, actor=actor, membership=membership,
        draft=OffenceDraft(kind=OffenceKind.SPA_NOTIFICATION, committed_from=duty.due_on,
                           breach_of_order=order),
    )
    return _enforce(referral=referral, order=order, offence=offence, notification=duty)


@transaction.atomic
def notification_log(
    *, referral: Referral, order_id: int, actor, membership: Membership, complied: bool,
    notified_on: date | None = None, reason: str = "", by_task: bool = False,
) -> NotificationDuty:
    """Whether the suspect notified the police; a failure opens a `spa_notification` offence
    and its enforcement."""
    duty = order_services.notification_record(
        referral=referral, order_id=order_id, actor=actor, membership=membership,
        complied=complied, notified_on=notified_on, reason=reason, by_task=by_task,
    )
    if duty.status == NotificationDuty.Status.FAILED:
        _notification_failed(duty, referral=referral, actor=actor, membership=membership)
    if not by_task:
        _check_task_finish(duty, actor=actor, result={
            "complied": complied,
            **({"notified_on": duty.notified_on.isoformat()} if duty.notified_on else {}),
        })
    return duty


def _check_task_finish(duty: NotificationDuty, *, actor, result: dict) -> None:
    """The police's open check of this notification, done by whoever recorded it on the case
    (its page or the API): the task's result is the record's, its work is over. Under the
    flow's lock, as completing it from the inbox would be."""
    task = AgencyTask.objects.filter(pk=duty.task_id, is_open=True).first()
    if task is None:
        return
    try:
        with task.activation() as activation:
            if not task.is_open:
                return
            if task.status == STATUS.NEW:
                activation.assign(actor)
            elif task.status == STATUS.ASSIGNED and task.owner_id != actor.pk:
                activation.reassign(actor)
            if task.status == STATUS.ASSIGNED:
                activation.start(None)
            task.data = {**task.data, "result": result}
            process = task.process.coerced
            process.data.setdefault("results", {})[task.task_type] = result
            process.data.setdefault("actors", {})[task.task_type] = actor.pk
            process.save(update_fields=["data"])
            audit_events.task_completed_event(task=task, actor=actor, result=result)
            activation.execute()
    except FlowLockFailed as exc:
        raise Conflict("Someone else is working on this case right now; try again.") from exc


@dataclass(frozen=True)
class ListedHearing:
    """The hearing an application is listed for: its day and court (the application's court
    when none is given)."""

    on: date
    court: str = ""


def check_listed_hearing(hearing: ListedHearing) -> None:
    """A listed hearing is recorded before it is held (`check_hearing_date`), as the
    application's `hearing`."""
    try:
        check_hearing_date(hearing.on)
    except DomainError as exc:
        raise DomainError(
            exc.message, fields={"hearing": [m for ms in exc.fields.values() for m in ms]}
        ) from exc


@transaction.atomic
def order_application_log(
    *, referral: Referral, actor, membership: Membership, applied_on: date, court: str = "",
    reason: str = "", hearing: ListedHearing | None = None,
) -> tuple[OrderApplication, CourtHearing | None]:
    """The police apply for a stalking protection order (`orders.services.
    order_application_make`); with the hearing it is listed for, that hearing is recorded as an
    `order` hearing (`hearing_record`: its assessment tasks start as for any order hearing)."""
    if hearing is not None:
        check_listed_hearing(hearing)
    application = order_services.order_application_make(
        referral=referral, actor=actor, membership=membership, applied_on=applied_on,
        court=court, reason=reason,
    )
    listed = None
    if hearing is not None:
        listed = hearing_record(
            referral=referral, actor=actor, membership=membership,
            kind=CourtHearing.Kind.ORDER, on=hearing.on,
            court=hearing.court.strip() or application.court,
        )
        application.hearing = listed
        application.save(update_fields=["hearing"])
    return application, listed


@transaction.atomic
def order_application_decide_log(
    *, referral: Referral, application_id: int, actor, membership: Membership,
    decision: order_services.ApplicationDecision,
) -> OrderApplication:
    """The court's decision on an application (`orders.services.order_application_decide`)."""
    return order_services.order_application_decide(
        referral=referral, application_id=application_id, actor=actor, membership=membership,
        decision=decision,
    )


@transaction.atomic
def order_change_log(
    *, referral: Referral, order_id: int, actor, membership: Membership,
    draft: order_services.OrderChangeDraft,
) -> OrderChange:
    """A change to an order in force (`orders.services.order_change_record`)."""
    return order_services.order_change_record(
        referral=referral, order_id=order_id, actor=actor, membership=membership, draft=draft
    )


# --- Completing the tasks ---------------------------------------------------------------------


def _enforced(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The enforcement's outcome recorded (acted_at, on_time); an arrest is news the victim is
    told of. The task's completion is `enforcement.<outcome>` when the form gave the outcome;
    an arrest answered on the old yes/no form writes its own `enforcement.arrested`."""
    outcome = data.get("outcome") or ("arrested" if data.get("arrested") else None)
    order_services.enforcement_outcome_record(
        task_id=task.pk, actor=actor, outcome=outcome, reason=data.get("outcome_reason", ""),
        event="outcome" not in data,
    )
    if data.get("arrested") or outcome == Enforcement.Outcome.ARRESTED:
        _arrested(task=task, actor=actor, membership=membership)


def _arrested(*, task: AgencyTask, actor, membership: Membership) -> None:
    """An arrest for a breach that is an offence is the police's action on that offence (the
    victim is told through it); an arrest for a breach of bail or licence is news all the
    same."""
    offence = Offence.objects.filter(
        pk__in=Enforcement.objects.filter(task_id=task.pk).values("offence_id"),
        status=Offence.Status.OPEN,
    ).first()
    if offence is None:
        victims_code_event(referral=task.referral, trigger="arrest", actor=actor)
        return
    justice_work.police_decision_log(
        offence=offence, actor=actor, membership=membership,
        draft=PoliceDecisionDraft(kind=PoliceDecision.Kind.ARRESTED,
                                  decided_on=timezone.localdate()),
    )


def _notification_checked(*, task: AgencyTask, actor, membership: Membership, data: dict
                          ) -> None:
    """The police's check of the suspect's notification; already recorded on the case (from
    its page or the API), the task only closes."""
    context = task.process.coerced.data.get("context") or {}
    order_id = context.get("order")
    duty = NotificationDuty.objects.filter(order_id=order_id).first()
    if duty is None or duty.status != NotificationDuty.Status.PENDING:
        return
    notified_on = data.get("notified_on")
    notification_log(
        referral=task.referral, order_id=order_id, actor=actor, membership=membership,
        complied=bool(data["complied"]),
        notified_on=date.fromisoformat(notified_on) if notified_on else None,
        reason=data.get("note", ""), by_task=True,
    )


COMPLETION: dict[str, Completion] = {
    TaskType.ENFORCEMENT: _enforced,
    TaskType.NOTIFICATION_CHECK: _notification_checked,
}
