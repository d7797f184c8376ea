"""The orders app's events on the trail: codes, dates, ids and amounts; free text masked,
reasons in `reason`."""

from __future__ import annotations

from datetime import date

from audit.events import MASK, record
from audit.models import Event
from referral.models import ProtectiveOrder

from .models import Enforcement, NotificationDuty, OrderApplication, OrderChange


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def order_application_event(*, application: OrderApplication, verb: str, actor) -> Event:
    """`order_application.made|interim_made|granted|refused|withdrawn`."""
    return record(
        verb=f"order_application.{verb}",
        actor=actor,
        obj=application,
        referral_id=application.referral_id,
        changes={
            "kind": application.kind,
            "applied_on": _iso(application.applied_on),
            "status": application.status,
            "court": MASK if application.court else "",
            "interim_order": application.interim_order_id,
            "order": application.order_id,
        },
        reason=application.reason,
    )


def order_changed_event(*, change: OrderChange, order: ProtectiveOrder, actor) -> Event:
    """`order.varied|renewed|extended|discharged` (a replacement is told by the application's
    `order_application.granted`)."""
    return record(
        verb=f"order.{change.kind}",
        actor=actor,
        obj=order,
        referral_id=order.referral_id,
        changes={
            "kind": order.kind,
            "on": _iso(change.on),
            "expires_before": _iso(change.expires_before),
            "expires_after": _iso(change.expires_after),
            "conditions": MASK if change.conditions_changed else "",
            "status": order.status,
            "court": MASK if change.court else "",
        },
        reason=change.reason,
    )


def order_served_event(*, order: ProtectiveOrder, duty: NotificationDuty | None, actor) -> Event:
    return record(
        verb="order.served",
        actor=actor,
        obj=order,
        referral_id=order.referral_id,
        changes={
            "kind": order.kind,
            "served_on": _iso(order.served_on),
            "notification_due_on": _iso(duty.due_on) if duty else None,
        },
    )


def notification_event(*, duty: NotificationDuty, actor, by_task: bool, reason: str = ""
                       ) -> Event:
    """The suspect notified or failed to: `notification_check.complied|failed` when the police
    check task decided it, else `order.notified|notification_failed`."""
    complied = duty.status == NotificationDuty.Status.COMPLIED
    if by_task:
        verb = "notification_check." + ("complied" if complied else "failed")
    else:
        verb = "order." + ("notified" if complied else "notification_failed")
    return record(
        verb=verb,
        actor=actor,
        obj=duty.order,
        referral_id=duty.referral_id,
        changes={
            "order": duty.order_id,
            "due_on": _iso(duty.due_on),
            "notified_on": _iso(duty.notified_on),
            "complied": complied,
        },
        reason=reason,
    )


def enforcement_event(*, enforcement: Enforcement, actor) -> Event:
    """`enforcement.<outcome>`: what was done about a breach, and whether in time."""
    return record(
        verb=f"enforcement.{enforcement.outcome}",
        actor=actor,
        obj=enforcement,
        referral_id=enforcement.referral_id,
        changes={
            "outcome": enforcement.outcome,
            "order": enforcement.order_id,
            "incident": enforcement.incident_id,
            "offence": enforcement.offence_id,
            "due": enforcement.due.isoformat(),
            "on_time": enforcement.on_time,
            "policy_version": enforcement.policy.version if enforcement.policy_id else None,
        },
        reason=enforcement.outcome_reason,
    )
