"""Reads of an order's life: its notification duty and what its breaches came to (the breach
summary: "50 breaches, one fine of £80" is a number the system shows), and the applications
for stalking protection orders. Each a fixed number of queries however many orders."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from justice.models import Offence
from referral.models import Incident, ProtectiveOrder, Referral

from .models import Enforcement, OrderApplication

# An offence was charged once it has a charge date or a status a charge leads to.
_CHARGED = Q(charged_on__isnull=False) | Q(
    status__in=[Offence.Status.CHARGED, Offence.Status.CONVICTED, Offence.Status.ACQUITTED]
)
SUMMARY_KEYS = ("breaches", "offences", "enforcements", "enforced_in_time", "arrests",
                "charged", "convicted", "fines_pence")
_SUMMARY_COLUMNS = tuple(f"summary_{key}" for key in SUMMARY_KEYS)
NOTIFICATION_COLUMNS = ("notification__status", "notification__served_on",
                        "notification__due_on", "notification__notified_on")


def _per_order(rows: QuerySet, key: str, aggregate) -> Coalesce:
    """One figure of `rows` for the outer order (`key` is their order's column), 0 for none."""
    figure = (
        rows.filter(**{key: OuterRef("pk")}).order_by().values(key)
        .annotate(figure=aggregate).values("figure")[:1]
    )
    return Coalesce(Subquery(figure, output_field=IntegerField()), 0)


def _with_facts(orders: QuerySet[ProtectiveOrder]) -> QuerySet[ProtectiveOrder]:
    offences = Offence.objects.all()
    enforcements = Enforcement.objects.all()
    # Named apart from the order's own relations (`breaches`, `enforcements`).
    return orders.annotate(
        summary_breaches=_per_order(Incident.objects.all(), "breach_of_order", Count("pk")),
        summary_offences=_per_order(offences, "breach_of_order", Count("pk")),
        summary_charged=_per_order(offences, "breach_of_order", Count("pk", filter=_CHARGED)),
        summary_convicted=_per_order(
            offences, "breach_of_order", Count("pk", filter=Q(status=Offence.Status.CONVICTED))
        ),
        summary_fines_pence=_per_order(offences, "breach_of_order", Sum("fine_pence")),
        summary_enforcements=_per_order(enforcements, "order", Count("pk")),
        summary_enforced_in_time=_per_order(
            enforcements, "order", Count("pk", filter=Q(on_time=True))
        ),
        summary_arrests=_per_order(
            enforcements, "order", Count("pk", filter=Q(outcome=Enforcement.Outcome.ARRESTED))
        ),
    )


def _notification(row: dict) -> dict | None:
    if row["notification__status"] is None:
        return None
    return {
        "status": row["notification__status"],
        "served_on": row["notification__served_on"],
        "due_on": row["notification__due_on"],
        "notified_on": row["notification__notified_on"],
    }


def order_facts(*, referral: Referral | None = None, order_ids: Iterable[int] = ()
                ) -> dict[int, dict]:
    """{order id: {"notification": ... or None, "breach_summary": {...}}} of the case's orders
    (or of these orders), in one query (always one, for the case's: however many it has)."""
    if referral is not None:
        orders = ProtectiveOrder.objects.filter(referral_id=referral.pk)
    else:
        orders = ProtectiveOrder.objects.filter(pk__in=list(order_ids))
    rows = _with_facts(orders).values(
        "pk", *NOTIFICATION_COLUMNS, *_SUMMARY_COLUMNS
    )
    return {
        row["pk"]: {
            "notification": _notification(row),
            "breach_summary": {key: row[f"summary_{key}"] for key in SUMMARY_KEYS},
        }
        for row in rows
    }


def order_breach_summary(*, referral: Referral) -> list[dict]:
    """What the breaches of each of the case's orders came to, from the records: breaches,
    their offences, enforcements (and how many in time), arrests, offences charged and
    convicted, and the fines imposed (pence). One query."""
    rows = (
        _with_facts(ProtectiveOrder.objects.filter(referral_id=referral.pk))
        .order_by("starts", "id")
        .values("pk", *_SUMMARY_COLUMNS)
    )
    return [{"order": row["pk"], **{key: row[f"summary_{key}"] for key in SUMMARY_KEYS}}
            for row in rows]


APPLICATION_COLUMNS = ("id", "kind", "applied_on", "court", "status", "interim_order_id",
                       "order_id", "reason", "agency__slug", "decided_at")


def order_applications(*, referral: Referral) -> list[dict]:
    """The case's applications for stalking protection orders, oldest first. One query."""
    return list(
        OrderApplication.objects.filter(referral_id=referral.pk)
        .order_by("applied_on", "id").values(*APPLICATION_COLUMNS)
    )
