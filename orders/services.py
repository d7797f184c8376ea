"""Every change to an order's life after it is made: applications for a stalking protection
order and the court's decisions on them, variations, renewals, extensions and discharges,
service and the notification duty, and the enforcement of breaches. Typed, atomic, each with
its event in the same transaction; transitions guarded by their source states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import Agency, Membership
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound
from justice.models import Offence
from referral import services as referral_services
from referral.models import Incident, LocalPolicy, ProtectiveOrder, Referral

from . import events
from .models import (
    NOTIFICATION_DAYS,
    SPO_MINIMUM_YEARS,
    Enforcement,
    NotificationDuty,
    OrderApplication,
    OrderChange,
)

Kind = ProtectiveOrder.Kind
Status = ProtectiveOrder.Status

# Orders whose service starts the suspect's duty to notify the police (SPA 2019 s.9).
NOTIFYING_KINDS = frozenset({Kind.STALKING_PROTECTION_ORDER, Kind.INTERIM_SPO})


def years_after(day: date, years: int) -> date:
    """The same day `years` later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def spo_earliest_expiry(starts: date) -> date:
    """An SPO has effect for at least two years (SPA 2019 s.3(4)), or until further order."""
    return years_after(starts, SPO_MINIMUM_YEARS)


def _check_day(on: date, name: str, *, not_before: date | None = None, what: str = "") -> None:
    if on > timezone.localdate():
        raise DomainError("The date is in the future.", fields={name: ["Not in the future."]})
    if not_before is not None and on < not_before:
        raise DomainError(
            f"The date is before {what}.",
            fields={name: [f"Not before {what} ({not_before:%d %B %Y})."]},
        )


def _order_of(referral: Referral, order_id: int) -> ProtectiveOrder:
    """The case's own order, locked; `NotFound` for another case's."""
    order = (
        ProtectiveOrder.objects.select_for_update()
        .filter(pk=order_id, referral_id=referral.pk)
        .first()
    )
    if order is None:
        raise NotFound("No such order on this case.")
    return order


def _check_in_force(order: ProtectiveOrder) -> None:
    if order.status != Status.IN_FORCE:
        raise Conflict(
            f"The order is no longer in force ({order.get_status_display().lower()} on "
            f"{order.ended_on:%d %B %Y}).",
            code="order_not_in_force",
        )


# --- Applications for a stalking protection order -------------------------------------------


@transaction.atomic
def order_application_make(
    *, referral: Referral, actor, membership: Membership, applied_on: date, court: str = "",
    reason: str = "",
) -> OrderApplication:
    """The police apply to a magistrates' court for a stalking protection order (SPA s.1)."""
    if not policy.can_write(membership, "orders"):
        raise NotAllowed("Only the police apply for a stalking protection order.")
    _check_day(applied_on, "applied_on")
    application = OrderApplication.objects.create(
        referral=referral, applied_on=applied_on, court=court.strip(), reason=reason.strip(),
        agency=membership.agency, recorded_by=actor,
    )
    events.order_application_event(application=application, verb="made", actor=actor)
    return application


@dataclass(frozen=True)
class ApplicationDecision:
    """The court's decision on an application: `interim` (an interim order while it is
    decided), `made` (the full order), `refused` or `withdrawn`. An order's `expires` None is
    until further order."""

    decision: str
    on: date
    conditions: str = ""
    requirements: str = ""
    expires: date | None = None
    court: str = ""
    reason: str = ""


DECISIONS = ("interim", "made", "refused", "withdrawn")
# The states each decision may follow.
_DECIDABLE = {
    "interim": (OrderApplication.Status.PENDING,),
    "made": (OrderApplication.Status.PENDING, OrderApplication.Status.INTERIM_MADE),
    "refused": (OrderApplication.Status.PENDING, OrderApplication.Status.INTERIM_MADE),
    "withdrawn": (OrderApplication.Status.PENDING, OrderApplication.Status.INTERIM_MADE),
}
_VERBS = {"interim": "interim_made", "made": "granted", "refused": "refused",
          "withdrawn": "withdrawn"}
_STATUSES = {
    "interim": OrderApplication.Status.INTERIM_MADE,
    "made": OrderApplication.Status.MADE,
    "refused": OrderApplication.Status.REFUSED,
    "withdrawn": OrderApplication.Status.WITHDRAWN,
}


def _check_decision(application: OrderApplication, decision: ApplicationDecision) -> None:
    if decision.decision not in DECISIONS:
        raise DomainError("Choose the court's decision.",
                          fields={"decision": ["One of: " + ", ".join(DECISIONS) + "."]})
    if application.status not in _DECIDABLE[decision.decision]:
        raise Conflict(
            f"The application is {application.get_status_display().lower()}: it cannot now be "
            f"{_VERBS[decision.decision].replace('_', ' ')}.",
            code="application_decided",
        )
    errors: dict[str, list[str]] = {}
    if decision.on > timezone.localdate():
        errors["on"] = ["Not in the future."]
    elif decision.on < application.applied_on:
        errors["on"] = [f"Not before the application ({application.applied_on:%d %B %Y})."]
    if decision.decision in ("interim", "made") and not decision.conditions.strip():
        errors["conditions"] = ["Enter the order's prohibitions."]
    if decision.decision == "made" and decision.expires is not None:
        earliest = spo_earliest_expiry(decision.on)
        if decision.expires < earliest:
            errors["expires"] = [
                "A stalking protection order lasts at least two years (Stalking Protection Act "
                f"2019 s.3): not before {earliest:%d %B %Y}, or leave empty for until further "
                "order."
            ]
    if decision.decision == "interim" and decision.expires is not None and (
        decision.expires <= decision.on
    ):
        errors["expires"] = ["Must be after the day it was made."]
    if errors:
        raise DomainError("The decision could not be recorded.", fields=errors)


def _end_order(order: ProtectiveOrder, *, status: str, on: date, kind: str, actor,
               membership: Membership, reason: str = "") -> OrderChange:
    order.status = status
    order.ended_on = on
    order.updated_at = timezone.now()
    order.save(update_fields=["status", "ended_on", "updated_at"])
    return OrderChange.objects.create(
        order=order, referral_id=order.referral_id, kind=kind, on=on,
        expires_before=order.expires, expires_after=order.expires, reason=reason,
        agency=membership.agency, recorded_by=actor,
    )


@transaction.atomic
def order_application_decide(
    *, referral: Referral, application_id: int, actor, membership: Membership,
    decision: ApplicationDecision,
) -> OrderApplication:
    """The court's decision on an application, as the police record it. An interim order or
    the full order becomes an order of the case (`order.recorded`); the full order replaces an
    interim one in force, and a refusal or withdrawal ends it."""
    if not policy.can_write(membership, "orders"):
        raise NotAllowed("Only the police record the court's decision on their application.")
    application = (
        OrderApplication.objects.select_for_update()
        .filter(pk=application_id, referral_id=referral.pk)
        .first()
    )
    if application is None:
        raise NotFound("No such application on this case.")
    _check_decision(application, decision)
    court = decision.court.strip() or application.court
    interim = (
        ProtectiveOrder.objects.select_for_update().get(pk=application.interim_order_id)
        if application.interim_order_id else None
    )
    if decision.decision in ("interim", "made"):
        kind = (
            Kind.INTERIM_SPO if decision.decision == "interim"
            else Kind.STALKING_PROTECTION_ORDER
        )
        order = referral_services.order_create(
            referral=referral, actor=actor, membership=membership,
            draft=referral_services.OrderDraft(
                kind=kind, conditions=decision.conditions.strip(), starts=decision.on,
                expires=decision.expires, made_by=ProtectiveOrder.MadeBy.COURT_ON_APPLICATION,
                court=court, requirements=decision.requirements.strip(),
            ),
        )
        if decision.decision == "interim":
            application.interim_order = order
        else:
            application.order = order
    if interim is not None and interim.status == Status.IN_FORCE:
        if decision.decision == "made":
            _end_order(interim, status=Status.REPLACED, on=decision.on,
                       kind=OrderChange.Kind.REPLACED, actor=actor, membership=membership)
        elif decision.decision in ("refused", "withdrawn"):
            _end_order(interim, status=Status.DISCHARGED, on=decision.on,
                       kind=OrderChange.Kind.DISCHARGED, actor=actor, membership=membership,
                       reason=decision.reason)
    application.status = _STATUSES[decision.decision]
    if decision.reason.strip():
        application.reason = decision.reason.strip()
    application.court = court
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "interim_order", "order", "reason", "court",
                                    "decided_at"])
    events.order_application_event(
        application=application, verb=_VERBS[decision.decision], actor=actor
    )
    return application


# --- Changes to an order in force -------------------------------------------------------------


@dataclass(frozen=True)
class OrderChangeDraft:
    """A change to an order: `varied` (new conditions or requirements, and or a new expiry),
    `renewed` or `extended` (a later expiry), `discharged` (ends the order on `on`)."""

    kind: str
    on: date
    expires: date | None = None
    conditions: str = ""
    requirements: str = ""
    court: str = ""
    reason: str = ""


CHANGE_KINDS = (
    OrderChange.Kind.VARIED, OrderChange.Kind.RENEWED, OrderChange.Kind.EXTENDED,
    OrderChange.Kind.DISCHARGED,
)


def _check_change(order: ProtectiveOrder, draft: OrderChangeDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.kind not in CHANGE_KINDS:
        errors["kind"] = ["One of: " + ", ".join(CHANGE_KINDS) + "."]
    if draft.on > timezone.localdate():
        errors["on"] = ["Not in the future."]
    elif draft.on < order.starts:
        errors["on"] = [f"Not before the order started ({order.starts:%d %B %Y})."]
    if draft.kind in (OrderChange.Kind.RENEWED, OrderChange.Kind.EXTENDED):
        if draft.expires is None:
            errors["expires"] = ["Give the new expiry date."]
        elif order.expires is not None and draft.expires <= order.expires:
            errors["expires"] = [f"After the current expiry ({order.expires:%d %B %Y})."]
        elif order.expires is None:
            errors["expires"] = ["The order is until further order: vary it instead."]
    if draft.kind == OrderChange.Kind.VARIED and not (
        draft.conditions.strip() or draft.requirements.strip() or draft.expires
    ):
        errors["conditions"] = ["Give the new conditions, requirements or expiry."]
    if (
        draft.kind == OrderChange.Kind.VARIED and draft.expires is not None
        and order.kind == Kind.STALKING_PROTECTION_ORDER
        and draft.expires < spo_earliest_expiry(order.starts)
    ):
        errors["expires"] = [
            "A stalking protection order lasts at least two years from "
            f"{order.starts:%d %B %Y} (Stalking Protection Act 2019 s.3)."
        ]
    if draft.expires is not None and draft.expires <= draft.on and "expires" not in errors:
        errors["expires"] = ["After the day of the change."]
    if errors:
        raise DomainError("The change could not be recorded.", fields=errors)


@transaction.atomic
def order_change_record(
    *, referral: Referral, order_id: int, actor, membership: Membership, draft: OrderChangeDraft
) -> OrderChange:
    """Vary, renew, extend or discharge an order in force, by whoever may record its kind."""
    order = _order_of(referral, order_id)
    if not policy.can_record_order(membership, order.kind):
        raise NotAllowed(f"Your agency may not change a {order.get_kind_display().lower()}.")
    _check_in_force(order)
    _check_change(order, draft)
    before = order.expires
    fields = ["updated_at"]
    if draft.kind == OrderChange.Kind.DISCHARGED:
        order.status, order.ended_on = Status.DISCHARGED, draft.on
        fields += ["status", "ended_on"]
    else:
        if draft.expires is not None:
            order.expires = draft.expires
            fields.append("expires")
        if draft.conditions.strip():
            order.conditions = draft.conditions.strip()
            fields.append("conditions")
        if draft.requirements.strip():
            order.requirements = draft.requirements.strip()
            fields.append("requirements")
    order.updated_at = timezone.now()
    order.save(update_fields=fields)
    change = OrderChange.objects.create(
        order=order, referral_id=order.referral_id, kind=draft.kind, on=draft.on,
        expires_before=before, expires_after=order.expires,
        conditions_changed=bool(draft.conditions.strip() or draft.requirements.strip()),
        reason=draft.reason.strip(), court=draft.court.strip(),
        agency=membership.agency, recorded_by=actor,
    )
    events.order_changed_event(change=change, order=order, actor=actor)
    return change


# --- Service and the notification duty ---------------------------------------------------------


def notification_due_on(served_on: date) -> date:
    """SPA 2019 s.9: within three days of service."""
    return served_on + timedelta(days=NOTIFICATION_DAYS)


@transaction.atomic
def order_serve(
    *, referral: Referral, order_id: int, actor, membership: Membership, served_on: date
) -> tuple[ProtectiveOrder, NotificationDuty | None]:
    """The order served on the suspect. For a stalking protection order (or interim order)
    the suspect's duty to notify the police starts (`NotificationDuty`, due in three days)."""
    order = _order_of(referral, order_id)
    if not policy.can_record_order(membership, order.kind):
        raise NotAllowed(f"Your agency may not record service of a "
                         f"{order.get_kind_display().lower()}.")
    _check_in_force(order)
    if order.served_on is not None:
        raise Conflict(f"The order was served on {order.served_on:%d %B %Y}.",
                       code="order_served")
    _check_day(served_on, "served_on", not_before=order.starts,
               what="the order was made")
    order.served_on = served_on
    order.updated_at = timezone.now()
    order.save(update_fields=["served_on", "updated_at"])
    duty = notification_duty_open(order=order)
    events.order_served_event(order=order, duty=duty, actor=actor)
    return order, duty


@transaction.atomic
def notification_duty_open(*, order: ProtectiveOrder) -> NotificationDuty | None:
    """The suspect's duty to notify, for a stalking protection order (or interim order) served
    (none for other kinds, or an order not served)."""
    if order.kind not in NOTIFYING_KINDS or order.served_on is None:
        return None
    return NotificationDuty.objects.create(
        order=order, referral_id=order.referral_id, served_on=order.served_on,
        due_on=notification_due_on(order.served_on),
    )


@transaction.atomic
def notification_duty_task_set(*, duty: NotificationDuty, task) -> None:
    duty.task = task
    duty.save(update_fields=["task"])


@transaction.atomic
def notification_record(
    *, referral: Referral, order_id: int, actor, membership: Membership, complied: bool,
    notified_on: date | None = None, reason: str = "", by_task: bool = False,
) -> NotificationDuty:
    """Whether the suspect notified the police within three days of service (SPA s.9). A
    failure is an offence (the caller opens it and its enforcement)."""
    if not policy.can_write(membership, "orders"):
        raise NotAllowed("Only the police record whether the suspect notified them.")
    order = _order_of(referral, order_id)
    duty = NotificationDuty.objects.select_for_update().filter(order=order).first()
    if duty is None:
        raise Conflict("The order has not been served: no notification is due.",
                       code="not_served")
    if duty.status != NotificationDuty.Status.PENDING:
        raise Conflict(f"Already recorded: {duty.get_status_display().lower()}.",
                       code="notification_recorded")
    if complied:
        notified_on = notified_on or timezone.localdate()
        if notified_on < duty.served_on or notified_on > timezone.localdate():
            raise DomainError("The date is outside the notification's period.",
                              fields={"notified_on": ["Between service and today."]})
    duty.status = (
        NotificationDuty.Status.COMPLIED if complied else NotificationDuty.Status.FAILED
    )
    duty.notified_on = notified_on if complied else None
    duty.decided_at = timezone.now()
    duty.save(update_fields=["status", "notified_on", "decided_at"])
    events.notification_event(duty=duty, actor=actor, by_task=by_task, reason=reason)
    return duty


# --- Enforcement of a breach ------------------------------------------------------------------


@transaction.atomic
def enforcement_open(
    *, referral: Referral, order: ProtectiveOrder, agency: Agency, due: datetime,
    local_policy: LocalPolicy | None, task=None, incident: Incident | None = None,
    notification: NotificationDuty | None = None, offence: Offence | None = None,
) -> Enforcement:
    """The enforcement a breach is owed: who acts, by when, under which policy version. Its
    breach and offence are on the trail already; the outcome's event comes when recorded."""
    return Enforcement.objects.create(
        referral=referral, order=order, incident=incident, notification=notification,
        offence=offence, agency=agency, task=task, due=due, policy=local_policy,
    )


@transaction.atomic
def enforcement_outcome_record(
    *, task_id: int, actor, outcome: str | None, reason: str = "", event: bool = True
) -> Enforcement | None:
    """The outcome of the enforcement a task was given (None if the task has none: one started
    before enforcements were recorded). `outcome` None keeps it uncoded; acted_at and on_time
    are recorded either way. `event` False when the caller's own event already says the
    outcome (a task completed with it: `enforcement.<outcome>`)."""
    enforcement = Enforcement.objects.select_for_update().filter(task_id=task_id).first()
    if enforcement is None:
        return None
    if enforcement.acted_at is not None:
        raise Conflict("The enforcement's outcome is recorded already.")
    if outcome is not None and outcome not in Enforcement.Outcome.values:
        raise DomainError("Choose the outcome.", fields={"outcome": ["Not an outcome."]})
    if (
        outcome == Enforcement.Outcome.RECALLED
        and enforcement.order.kind != Kind.LICENCE_CONDITIONS
    ):
        raise DomainError(
            "A recall answers a breach of licence conditions only.",
            fields={"outcome": ["Recall is for a breach of licence conditions: choose another "
                                "outcome."]},
        )
    now = timezone.now()
    enforcement.acted_at = now
    enforcement.on_time = now <= enforcement.due
    if outcome:
        enforcement.outcome = outcome
    enforcement.outcome_reason = reason.strip()
    enforcement.save(update_fields=["acted_at", "on_time", "outcome", "outcome_reason"])
    if event and enforcement.outcome != Enforcement.Outcome.PENDING:
        events.enforcement_event(enforcement=enforcement, actor=actor)
    return enforcement
