"""Criminal-justice outcomes: what became of each case and each offence (the police outcome,
charge, conviction, sentence), the fines imposed, the orders made and the applications for
them, and how long from referral to each.

Everything is read from the rows the justice and orders apps keep current (`Offence`'s state,
`ProtectiveOrder`, `OrderApplication`), in eight queries whatever the size of the cohort.
"""

from __future__ import annotations

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate

from justice.models import Offence, OffenceKind
from orders.models import OrderApplication
from referral.models import ProtectiveOrder

from ..cohort import Cohort
from ..outcomes import CASE_OUTCOMES, CHARGED_STATUSES, POLICE_OUTCOMES, SENTENCES, Disposal, Status
from ..sql import DaysBetween, Median, cases_with
from ..tables import Column, Row, Table, share

Order = ProtectiveOrder.Kind

# The orders that protect the victim, made since the case was referred.
PROTECTIVE_KINDS = (
    Order.STALKING_PROTECTION_ORDER,
    Order.INTERIM_SPO,
    Order.RESTRAINING_ORDER,
    Order.NON_MOLESTATION_ORDER,
)
MadeBy = ProtectiveOrder.MadeBy
ORDERS_MADE: tuple[tuple[str, str, Q], ...] = (
    (
        "stalking_protection_order",
        "Stalking protection order",
        Q(kind=Order.STALKING_PROTECTION_ORDER),
    ),
    ("interim_spo", "Interim stalking protection order", Q(kind=Order.INTERIM_SPO)),
    ("restraining_order", "Restraining order", Q(kind=Order.RESTRAINING_ORDER)),
    (
        "restraining_order_on_conviction",
        "of which on conviction",
        Q(kind=Order.RESTRAINING_ORDER, made_by=MadeBy.COURT_ON_CONVICTION),
    ),
    (
        "restraining_order_on_acquittal",
        "of which on acquittal",
        Q(kind=Order.RESTRAINING_ORDER, made_by=MadeBy.COURT_ON_ACQUITTAL),
    ),
    ("non_molestation_order", "Non-molestation order", Q(kind=Order.NON_MOLESTATION_ORDER)),
)

CASE_RULE = (
    "A case counts for an outcome when any of its offences has it (a case with one offence "
    "charged and another not taken further counts as charged)"
)


def build(cohort: Cohort) -> tuple[Table, ...]:
    offences = cohort.rows_of(Offence.objects.all())
    cases = cohort.referrals().count()
    figures = _case_figures(offences)
    return (
        case_outcomes(cases, figures),
        police_outcomes(figures),
        offence_outcomes(offences),
        fines(offences),
        orders_made(cohort, cases),
        order_applications(cohort),
        time_to_outcome(cohort),
    )


def _share_columns(count: str, label: str) -> tuple[Column, Column]:
    return Column(count, label), Column(f"{count}_share", "Share", kind="share", numerator=count)


def _case_figures(offences) -> dict[str, int]:
    """Cases counted from their offences in one query: `with_offence`, each outcome of
    `CASE_OUTCOMES` (any offence), each police outcome's furthest (`at_least_<key>`: cases with
    an offence at that stage or further) and offences at each stage (`offences_<key>`)."""
    cases = {"with_offence": Q()}
    for key, _, q in CASE_OUTCOMES:
        cases[key] = q
    stages = {"offences": Q()}
    further = Q(pk__in=[])
    for key, _, q in POLICE_OUTCOMES:
        further |= q
        cases[f"at_least_{key}"] = further
        stages[f"offences_{key}"] = q
    return cases_with(offences, cases, counts=stages)


def case_outcomes(cases: int, figures: dict[str, int]) -> Table:
    rows = [Row("with_offence", "With an offence recorded", {"cases": figures["with_offence"]})]
    rows += [Row(key, label, {"cases": figures[key]}) for key, label, _ in CASE_OUTCOMES]
    return Table(
        key="case_outcomes",
        title="What became of each case",
        columns=_share_columns("cases", "Cases"),
        rows=tuple(
            Row(r.key, r.label, {**r.values, "cases_share": share(r.values["cases"], cases)})
            for r in rows
        ),
        total=Row(
            "total", "Cases in the cohort", {"cases": cases, "cases_share": share(cases, cases)}
        ),
        chart="bar",
        chart_column="cases_share",
        note=(
            f"{CASE_RULE}; a sentence is the offence's disposal, so a case with two sentences "
            "counts under both. Shares are of every case in the cohort, with an offence or not."
        ),
    )


def police_outcomes(figures: dict[str, int]) -> Table:
    furthest = _undo_cumulative([key for key, _, _ in POLICE_OUTCOMES], figures)
    with_offence, offences = figures["with_offence"], figures["offences"]
    return Table(
        key="police_outcomes",
        title="How far each case and offence went with the police and CPS",
        columns=(
            *_share_columns("cases", "Cases"),
            *_share_columns("offences", "Offences"),
        ),
        rows=tuple(
            Row(
                key,
                label,
                {
                    "cases": furthest[key],
                    "cases_share": share(furthest[key], with_offence),
                    "offences": figures[f"offences_{key}"],
                    "offences_share": share(figures[f"offences_{key}"], offences),
                },
            )
            for key, label, _ in POLICE_OUTCOMES
        ),
        total=Row(
            "total",
            "With an offence recorded",
            {
                "cases": with_offence,
                "cases_share": share(with_offence, with_offence),
                "offences": offences,
                "offences_share": share(offences, offences),
            },
        ),
        parts=True,
        chart="bar",
        chart_column="cases_share",
        note=(
            "Each offence where it stands now: charged (whatever the court then decided), "
            "disposed of out of court, not taken further, or still under investigation. A case "
            "stands where the furthest of its offences does, in the order of the rows."
        ),
    )


def _undo_cumulative(keys: list[str], figures: dict[str, int]) -> dict[str, int]:
    """Cases whose furthest offence is at each stage: those at it or further, less those
    at the stage before it (further) or further."""
    at_least = [figures[f"at_least_{key}"] for key in keys]
    return {
        key: n - (at_least[i - 1] if i else 0)
        for i, (key, n) in enumerate(zip(keys, at_least, strict=True))
    }


def offence_outcomes(offences) -> Table:
    """Offences by kind: recorded, charged, convicted and each sentence (one grouped query)."""
    outcomes = [
        ("charged", Q(status__in=CHARGED_STATUSES)),
        ("convicted", Q(status=Status.CONVICTED)),
    ]
    outcomes += [(key, Q(disposal__in=disposals)) for key, _, disposals in SENTENCES]
    counted = {
        row["kind"]: row
        for row in offences.order_by()
        .values("kind")
        .annotate(offences=Count("pk"), **{key: Count("pk", filter=q) for key, q in outcomes})
    }
    keys = ["offences", *(key for key, _ in outcomes)]

    def values(row: dict) -> dict:
        out = {key: row.get(key, 0) for key in keys}
        out["charged_share"] = share(out["charged"], out["offences"])
        out["convicted_share"] = share(out["convicted"], out["offences"])
        return out

    totals = {key: sum(row[key] for row in counted.values()) for key in keys}
    return Table(
        key="offence_outcomes",
        title="What became of each offence, by kind",
        columns=(
            Column("offences", "Offences"),
            Column("charged", "Charged"),
            Column(
                "charged_share", "Share charged", kind="share", numerator="charged", of="offences"
            ),
            Column("convicted", "Convicted"),
            Column(
                "convicted_share",
                "Share convicted",
                kind="share",
                numerator="convicted",
                of="offences",
            ),
            *(Column(key, label) for key, label, _ in SENTENCES),
        ),
        rows=tuple(
            Row(kind, label, values(counted.get(kind, {}))) for kind, label in OffenceKind.choices
        ),
        total=Row("total", "All offences", values(totals)),
        parts=True,
        chart="bar",
        chart_column="offences",
        note=(
            "Each offence recorded on the cohort's cases once, by its kind as recorded now; "
            "charged whatever the court then decided; a sentence is the offence's disposal."
        ),
    )


def fines(offences) -> Table:
    """Fines imposed, for breaching an order and for other offences (one query)."""
    groups = (
        (
            "breach",
            "For breaching an order (or failing to notify)",
            Q(breach_of_order__isnull=False),
        ),
        ("other", "For other offences", Q(breach_of_order__isnull=True)),
    )
    fined = Q(disposal=Disposal.FINE, fine_pence__isnull=False)
    aggregates = {}
    for key, _, q in (("total", "", Q()), *groups):
        q = fined & q
        aggregates |= {
            f"{key}_fines": Count("pk", filter=q),
            f"{key}_total": Sum("fine_pence", filter=q),
            f"{key}_median": Median("fine_pence", filter=q),
            f"{key}_largest": Max("fine_pence", filter=q),
        }
    figures = offences.order_by().aggregate(**aggregates)

    def values(key: str) -> dict:
        median = figures[f"{key}_median"]
        return {
            "fines": figures[f"{key}_fines"],
            "total_pence": figures[f"{key}_total"] or 0,
            "median_pence": round(median) if median is not None else None,
            "largest_pence": figures[f"{key}_largest"],
        }

    return Table(
        key="fines",
        title="Fines imposed",
        columns=(
            Column("fines", "Fines"),
            Column("total_pence", "Total", kind="money", basis="fines"),
            Column("median_pence", "Median", kind="money", basis="fines"),
            Column("largest_pence", "Largest", kind="money", basis="fines"),
        ),
        rows=tuple(Row(key, label, values(key)) for key, label, _ in groups),
        total=Row("total", "All fines", values("total")),
        parts=True,
        note=(
            "Each offence on the cohort's cases sentenced to a fine, with its amount in pence "
            "(the median to the nearest penny); compensation is not counted."
        ),
    )


def orders_made(cohort: Cohort, cases: int) -> Table:
    """Orders made, by kind, and the cases with one (one query)."""
    kinds = {key: q for key, _, q in ORDERS_MADE}
    figures = cases_with(
        cohort.rows_of(_protective_orders()),
        {"cases": Q(), **{f"{key}_cases": q for key, q in kinds.items()}},
        counts={"orders": Q(), **{f"{key}_orders": q for key, q in kinds.items()}},
    )
    rows = [
        Row(
            "any_order",
            "Any of these orders",
            {
                "orders": figures["orders"],
                "cases": figures["cases"],
            },
        )
    ]
    rows += [
        Row(key, label, {"orders": figures[f"{key}_orders"], "cases": figures[f"{key}_cases"]})
        for key, label, _ in ORDERS_MADE
    ]
    return Table(
        key="orders_made",
        title="Orders made to protect the victim",
        columns=(
            Column("orders", "Orders"),
            Column("cases", "Cases"),
            Column("cases_share", "Share of cases", kind="share", numerator="cases"),
        ),
        rows=tuple(
            Row(r.key, r.label, {**r.values, "cases_share": share(r.values["cases"], cases)})
            for r in rows
        ),
        total=Row(
            "total",
            "Cases in the cohort",
            {
                "orders": None,
                "cases": cases,
                "cases_share": share(cases, cases),
            },
        ),
        chart="bar",
        chart_column="cases_share",
        note=(
            "Stalking protection orders (full and interim), restraining orders and "
            "non-molestation orders that started on or after the day the case was referred "
            "(bail conditions and orders in place before referral are not counted); a case "
            "counts once for each kind it has. Shares are of every case in the cohort."
        ),
    )


def order_applications(cohort: Cohort) -> Table:
    """Applications for stalking protection orders by where they stand (one grouped query)."""
    counted = dict(
        cohort.rows_of(OrderApplication.objects.all())
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = sum(counted.values())
    return Table(
        key="order_applications",
        title="Applications for a stalking protection order",
        columns=_share_columns("applications", "Applications"),
        rows=tuple(
            Row(
                status,
                label,
                {
                    "applications": counted.get(status, 0),
                    "applications_share": share(counted.get(status, 0), total),
                },
            )
            for status, label in OrderApplication.Status.choices
        ),
        total=Row(
            "total",
            "All applications",
            {
                "applications": total,
                "applications_share": share(total, total),
            },
        ),
        parts=True,
        chart="bar",
        chart_column="applications_share",
        note=(
            "Each application police made on the cohort's cases, where it stands now: waiting "
            "for the court, an interim order made while it is decided, the order made, refused "
            "or withdrawn."
        ),
    )


def _days_to_first(rows, steps: dict[str, str]) -> dict:
    """For each step (key -> a date field of `rows`), the cases that reached it and the median
    days from referral to their first: `rows` grouped by case once (a pass over the table, not
    a look-up per case), then counted and measured over the groups. Only the rows with a
    step's date are grouped: most offences never reach a charge."""
    reached = Q()
    for field in steps.values():
        reached |= Q(**{f"{field}__isnull": False})
    per_case = (
        rows.filter(reached)
        .order_by()
        .values("referral_id")
        .annotate(
            referred_on=Min(TruncDate("referral__created_at")),
            **{key: Min(field) for key, field in steps.items()},
        )
    )
    aggregates = {}
    for key in steps:
        aggregates[f"{key}_cases"] = Count(key)
        aggregates[f"{key}_median"] = Median(DaysBetween(F(key), F("referred_on")))
    return per_case.aggregate(**aggregates)


def time_to_outcome(cohort: Cohort) -> Table:
    """Median days from referral to each first outcome of a case (two queries: offences,
    orders)."""
    steps = (
        ("charge", "To the first charge"),
        ("conviction", "To the first conviction"),
        ("sentence", "To the first sentence"),
        ("order", "To the first order made"),
    )
    figures = _days_to_first(
        cohort.rows_of(Offence.objects.all()),
        {"charge": "charged_on", "conviction": "convicted_on", "sentence": "sentenced_on"},
    )
    figures |= _days_to_first(cohort.rows_of(_protective_orders()), {"order": "starts"})
    return Table(
        key="time_to_outcome",
        title="Time from referral to each outcome",
        columns=(
            Column("cases", "Cases"),
            Column("median_days", "Median days", kind="days", basis="cases"),
        ),
        rows=tuple(
            Row(
                key,
                label,
                {
                    "cases": figures[f"{key}_cases"],
                    "median_days": figures[f"{key}_median"],
                },
            )
            for key, label in steps
        ),
        note=(
            "For each case with the outcome, the days from the day it was referred to the "
            "first of its offences charged, convicted or sentenced, or to the first order "
            "made (as in the orders made); the median of those cases."
        ),
    )


def _protective_orders():
    """The victim-protecting orders made on or after the day their case was referred (one in
    place before it is not an outcome of the case)."""
    return ProtectiveOrder.objects.filter(
        kind__in=PROTECTIVE_KINDS, starts__gte=TruncDate("referral__created_at")
    )
