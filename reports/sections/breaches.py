"""Orders and breaches: how often each order was breached, what each breach led to (the
police's action, the breach offence's charge, conviction and sentence, the fine), the cases
with the most breaches, and breaches by month.

A breach is an incident logged as breaching an order (`Incident.breach_of_order`). What it led
to is read from its `Enforcement` (the police's action) and its breach offence
(`justice.models.BREACH_OFFENCE`: the offence with the incident and the order), in five
queries whatever the size of the cohort.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When

from justice.models import Offence
from orders.models import Enforcement
from referral.models import Incident, ProtectiveOrder

from ..cohort import Cohort
from ..outcomes import CHARGED_STATUSES, SENTENCES
from ..series import monthly_counts, monthly_table
from ..sql import Median, cases_with
from ..tables import Column, Row, Table, share

Outcome = Enforcement.Outcome

# Orders by how often they were breached: (key, label, fewest, most or None).
BANDS = (
    ("none", "Never breached", 0, 0),
    ("one", "Once", 1, 1),
    ("two_to_four", "2 to 4 times", 2, 4),
    ("five_to_nine", "5 to 9 times", 5, 9),
    ("ten_to_nineteen", "10 to 19 times", 10, 19),
    ("twenty_or_more", "20 times or more", 20, None),
)

# The breach's own offence, through the incident (an incident may also carry other offences).
_OFFENCE = "offences__"
_BREACH_OFFENCE = Q(offences__breach_of_order__isnull=False)
_FINED = _BREACH_OFFENCE & Q(offences__disposal=Offence.Disposal.FINE)

# What a breach led to, each true of a breach or not (a breach arrested on and charged counts
# under both).
OUTCOMES: tuple[tuple[str, str, Q], ...] = (
    ("arrested", "Suspect arrested", Q(enforcement__outcome=Outcome.ARRESTED)),
    (
        "voluntary_interview",
        "Interviewed voluntarily",
        Q(enforcement__outcome=Outcome.VOLUNTARY_INTERVIEW),
    ),
    ("warned", "Warned", Q(enforcement__outcome=Outcome.WARNED)),
    ("recalled", "Recalled to prison", Q(enforcement__outcome=Outcome.RECALLED)),
    ("not_traced", "Suspect not traced", Q(enforcement__outcome=Outcome.NOT_TRACED)),
    ("no_action", "Police took no action", Q(enforcement__outcome=Outcome.NO_ACTION)),
    ("offence", "Recorded as an offence", _BREACH_OFFENCE),
    ("charged", "Charged", _BREACH_OFFENCE & Q(offences__status__in=CHARGED_STATUSES)),
    (
        "no_further_action",
        "Offence not taken further",
        _BREACH_OFFENCE & Q(offences__status=Offence.Status.NO_FURTHER_ACTION),
    ),
    ("convicted", "Convicted", _BREACH_OFFENCE & Q(offences__status=Offence.Status.CONVICTED)),
    *(
        (key, label, _BREACH_OFFENCE & Q(offences__disposal__in=disposals))
        for key, label, disposals in SENTENCES
    ),
)

_OUTCOME = {key: q for key, _, q in OUTCOMES}
# Sentences from the least severe to the most (`SENTENCES` lists the most severe first, then
# discharges, then other sentences).
_SEVERITY = (SENTENCES[-1], *reversed(SENTENCES[:-1]))


def build(cohort: Cohort) -> tuple[Table, ...]:
    breaches = cohort.rows_of(Incident.objects.filter(breach_of_order__isnull=False))
    return (
        breaches_per_order(cohort),
        breach_outcomes(breaches),
        most_breached(breaches),
        monthly_table(
            "breaches_by_month",
            "Breaches by month",
            monthly_counts(breaches, "occurred_at"),
            label="Breaches",
            note="Each breach of an order on the cohort's cases in the month it happened.",
        ),
    )


def breaches_per_order(cohort: Cohort) -> Table:
    """Orders by how often they were breached (one query)."""
    # Each order joined to its breaches and counted, then the orders counted by band over that.
    orders = cohort.rows_of(ProtectiveOrder.objects.all()).annotate(
        breach_count=Count("breaches")
    )
    aggregates = {"orders": Count("pk"), "breaches": Sum("breach_count")}
    for key, _, fewest, most in BANDS:
        band = Q(breach_count__gte=fewest) & (
            Q(breach_count__lte=most) if most is not None else Q()
        )
        aggregates[f"{key}_orders"] = Count("pk", filter=band)
        aggregates[f"{key}_breaches"] = Sum("breach_count", filter=band)
    figures = orders.order_by().aggregate(**aggregates)
    total_orders, total_breaches = figures["orders"], figures["breaches"] or 0

    def values(orders_n: int, breaches_n: int | None) -> dict:
        return {
            "orders": orders_n,
            "orders_share": share(orders_n, total_orders),
            "breaches": breaches_n or 0,
            "breaches_share": share(breaches_n or 0, total_breaches),
        }

    return Table(
        key="breaches_per_order",
        title="Orders by how often they were breached",
        columns=(
            Column("orders", "Orders"),
            Column("orders_share", "Share of orders", kind="share", numerator="orders"),
            Column("breaches", "Breaches"),
            Column("breaches_share", "Share of breaches", kind="share", numerator="breaches"),
        ),
        rows=tuple(
            Row(key, label, values(figures[f"{key}_orders"], figures[f"{key}_breaches"]))
            for key, label, _, _ in BANDS
        ),
        total=Row("total", "All orders", values(total_orders, total_breaches)),
        parts=True,
        chart="bar",
        chart_column="orders_share",
        note=(
            "Every order on the cohort's cases (protective orders, bail and licence "
            "conditions), by the incidents logged as breaching it on any case; a breach is "
            "one incident, however many conditions it broke."
        ),
    )


def breach_outcomes(breaches) -> Table:
    """What each breach led to (two queries: the breaches by outcome, their fines)."""
    figures = cases_with(
        breaches, {"breaches": Q(), **{key: q for key, _, q in OUTCOMES}}, case="pk"
    )
    figures |= breaches.order_by().aggregate(
        fine_total=Sum("offences__fine_pence", filter=_FINED),
        fine_median=Median("offences__fine_pence", filter=_FINED),
    )
    total = figures["breaches"]
    median = figures["fine_median"]

    def values(key: str) -> dict:
        out = {"breaches": figures[key], "breaches_share": share(figures[key], total)}
        if key == "fine":
            out["fines_total_pence"] = figures["fine_total"] or 0
            out["fines_median_pence"] = round(median) if median is not None else None
        return out

    return Table(
        key="breach_outcomes",
        title="What each breach led to",
        columns=(
            Column("breaches", "Breaches"),
            Column("breaches_share", "Share", kind="share", numerator="breaches"),
            Column("fines_total_pence", "Fines in total", kind="money", basis="breaches"),
            Column("fines_median_pence", "Median fine", kind="money", basis="breaches"),
        ),
        rows=tuple(Row(key, label, values(key)) for key, label, _ in OUTCOMES),
        total=Row(
            "total",
            "All breaches",
            {
                "breaches": total,
                "breaches_share": share(total, total),
            },
        ),
        chart="bar",
        chart_column="breaches_share",
        note=(
            "Each breach once under each outcome it led to: what police did about it (its "
            "enforcement) and, for a breach that is an offence, where that offence stands and "
            "its sentence. A breach logged with the referral has neither. Fines in pence."
        ),
    )


def most_breached(breaches) -> Table:
    """The ten cases with the most breaches, unnamed, with what their breaches led to (one
    grouped query, over the breaches of the ten alone)."""
    most = (
        breaches.order_by()
        .values("referral_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "referral_id")
        .values("referral_id")[:10]
    )
    rows = list(
        breaches.filter(referral_id__in=most)
        .order_by()
        .values("referral_id")
        .annotate(
            n=Count("pk", distinct=True),
            arrested=Count("pk", distinct=True, filter=Q(enforcement__outcome=Outcome.ARRESTED)),
            charged=Count("pk", distinct=True, filter=_OUTCOME["charged"]),
            fined=Count("pk", distinct=True, filter=_FINED),
            fines=Sum("offences__fine_pence", filter=_FINED),
            severity=Max(_severity_rank(), filter=_BREACH_OFFENCE),
        )
        .order_by("-n", "referral_id")
        .values_list("n", "arrested", "charged", "fined", "fines", "severity")[:10]
    )
    words = {rank: label for rank, (_, label, _) in enumerate(_SEVERITY, start=1)}
    return Table(
        key="most_breached",
        title="The cases with the most breaches",
        columns=(
            Column("breaches", "Breaches"),
            Column("arrested", "Arrested on"),
            Column("charged", "Charged"),
            Column("fined", "Fined"),
            Column("fines_pence", "Fines in total", kind="money", basis="fined"),
            Column("sentence", "Most severe sentence", kind="text", basis="breaches"),
        ),
        rows=tuple(
            Row(
                f"case_{i}",
                f"Case {i}",
                {
                    "breaches": n,
                    "arrested": arrested,
                    "charged": charged,
                    "fined": fined,
                    "fines_pence": fines or 0,
                    "sentence": words.get(rank or 0, "None"),
                },
            )
            for i, (n, arrested, charged, fined, fines, rank) in enumerate(rows, start=1)
        ),
        chart="bar",
        chart_column="breaches",
        note=(
            "The ten cohort cases with the most breaches logged on them, most first, named "
            "only by their place; what their breaches led to, and the most severe sentence "
            "passed for one of them."
        ),
    )


def _severity_rank() -> Case:
    """The breach offence's sentence as its rank in `_SEVERITY` (0: none)."""
    return Case(
        *(
            When(**{f"{_OFFENCE}disposal__in": disposals}, then=Value(rank))
            for rank, (_, _, disposals) in enumerate(_SEVERITY, start=1)
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
