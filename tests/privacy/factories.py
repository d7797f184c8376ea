"""Closed cases for the retention tests: bare referral rows (or referred through the API)
closed as the workflow closes them, with the closure event on the trail."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from audit import events as audit_events
from justice.models import Offence, OffenceKind
from privacy.selectors.retention import plus_years
from referral.models import ProtectiveOrder, Referral
from tests.referral.factories import ReferralFactory

CLOSURE_VERB = {"closed": "approve_closure.approved", "declined": "referral.declined"}


def close(referral: Referral, *, by, status: str = "closed") -> Referral:
    """Close the case as the workflow does: its status, and the closure's event (today)."""
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=status)
        audit_events.record(verb=CLOSURE_VERB[status], actor=by, referral_id=referral.pk)
    referral.status = status
    return referral


def bare_case(
    demo,
    *,
    referrer: str = "police.caseworker",
    status: str | None = "closed",
    convicted: bool = False,
    orders: tuple[dict, ...] = (),
) -> Referral:
    """A referral row of the referrer's agency, with these orders ({"expires": date, ...}) and a
    conviction if asked; closed (or declined) today unless `status` is None (left open)."""
    member = demo[referrer]
    referral = ReferralFactory(
        referrer_agency=member.agency, referred_by=member.user, status=Referral.Status.REVIEW
    )
    for order in orders:
        ProtectiveOrder.objects.create(
            referral=referral,
            kind=order.get("kind", ProtectiveOrder.Kind.RESTRAINING_ORDER),
            conditions="No contact.",
            starts=order.get("starts", date(2024, 1, 1)),
            expires=order.get("expires"),
            status=order.get("status", "in_force"),
            ended_on=order.get("ended_on"),
            agency=member.agency,
            recorded_by=member.user,
        )
    if convicted:
        Offence.objects.create(
            referral=referral,
            kind=OffenceKind.PHA_S4A,
            agency=member.agency,
            recorded_by=member.user,
            status=Offence.Status.CONVICTED,
            convicted_on=timezone.localdate(),
        )
    if status is not None:
        close(referral, by=demo["hub.supervisor"].user, status=status)
    return referral


def years_on(years: int, days: int = 0) -> date:
    """The day `years` (and `days`) from today."""
    return plus_years(timezone.localdate(), years) + timedelta(days=days)
