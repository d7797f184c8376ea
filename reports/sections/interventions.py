"""Perpetrator interventions: what was offered, taken up and completed, by kind and by the
vehicle that carries it, and how many convicted perpetrators were given treatment.

Two queries, whatever the number of cases: the cohort's interventions grouped by kind, vehicle
and status (both breakdowns are folded from it); the cohort's convicted cases with what
treatment each had.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q

from interventions.models import Intervention, InterventionPlan, PerpetratorAssessment
from justice.models import Offence

from ..cohort import Cohort
from ..sql import among, cases_where, flag_combinations
from ..tables import Column, Table, counts_table, share, shares_of_total

S = Intervention.Status
# The statuses as columns, in the order an intervention goes through them.
STATUS_COLUMNS = (
    ("offered", S.OFFERED, "Offered, not yet taken up"),
    ("declined", S.DECLINED, "Declined"),
    ("in_progress", S.STARTED, "Started, in progress"),
    ("completed", S.COMPLETED, "Completed"),
    ("stopped", S.STOPPED, "Ended early"),
)
COUNTS = ("interventions", *(key for key, _, _ in STATUS_COLUMNS), "started")
_KEY_OF_STATUS = {status: key for key, status, _ in STATUS_COLUMNS}


def build(cohort: Cohort) -> tuple[Table, ...]:
    by_kind, by_vehicle = _intervention_counts(cohort)
    return (
        _status_table(
            "interventions",
            "Interventions by kind and status",
            by_kind,
            Intervention.Kind.choices,
            note=(
                "Each intervention offered to the perpetrator of a case of the cohort (recorded "
                "by an agency or ordered by a sentence), by kind and its status now. Started "
                "counts those ever started (in progress, completed or ended early); the "
                "completion share is of those started."
            ),
        ),
        _status_table(
            "interventions_by_vehicle",
            "Interventions by vehicle and status",
            by_vehicle,
            Intervention.Vehicle.choices,
            note=(
                "The same interventions by how each is given: a requirement of an order, a "
                "licence or a sentence, or voluntarily."
            ),
        ),
        treatment(cohort),
    )


def _intervention_counts(cohort: Cohort) -> tuple[dict, dict]:
    """{kind: Counter}, {vehicle: Counter} of the statuses' column keys, `interventions` and
    `started`, from one grouped query."""
    by_kind: dict[str, Counter] = {}
    by_vehicle: dict[str, Counter] = {}
    rows = (
        cohort.rows_of(Intervention.objects.all())
        .order_by()
        .values("kind", "vehicle", "status")
        .annotate(n=Count("pk"), started=Count("pk", filter=Q(started_on__isnull=False)))
    )
    for r in rows:
        for bucket, key in ((by_kind, r["kind"]), (by_vehicle, r["vehicle"])):
            counts = bucket.setdefault(key, Counter())
            counts["interventions"] += r["n"]
            counts[_KEY_OF_STATUS[r["status"]]] += r["n"]
            counts["started"] += r["started"]
    return by_kind, by_vehicle


def _values(counts: Counter) -> dict:
    values: dict = {key: counts[key] for key in COUNTS}
    values["completed_share"] = share(counts["completed"], counts["started"])
    return values


def _status_table(key: str, title: str, found: dict[str, Counter], choices, *, note: str) -> Table:
    return counts_table(
        key=key,
        title=title,
        columns=(
            Column("interventions", "Interventions"),
            *(Column(k, label) for k, _, label in STATUS_COLUMNS),
            Column("started", "Started"),
            Column(
                "completed_share",
                "Share of those started completed",
                "share",
                of="started",
                numerator="completed",
            ),
        ),
        found=found,
        rows=choices,
        values=_values,
        total_label="All interventions",
        chart_column="completed_share",
        note=note,
    )


TREATMENT_ROWS = (
    ("treated", "Given treatment (an intervention or a treatment requirement)"),
    ("requirement", "A treatment requirement in the sentence"),
    ("intervention", "A treatment intervention offered"),
    ("intervention_started", "A treatment intervention started"),
    ("intervention_completed", "A treatment intervention completed"),
    ("planned", "An intervention plan opened"),
    ("assessed", "The perpetrator assessed (SRP, SAM or the like)"),
)


def treatment(cohort: Cohort) -> Table:
    """Convicted perpetrators and the treatment they were given, in one query."""
    offences = Offence.objects.values("referral_id")
    treatments = Intervention.objects.exclude(kind=Intervention.Kind.OTHER).values("referral_id")
    combinations = flag_combinations(
        cohort.referrals(),
        convicted=among(offences.filter(convicted_on__isnull=False)),
        requirement=among(offences.filter(treatment_required=True)),
        intervention=among(treatments),
        intervention_started=among(treatments.filter(started_on__isnull=False)),
        intervention_completed=among(treatments.filter(status=S.COMPLETED)),
        planned=among(InterventionPlan.objects.values("referral_id")),
        assessed=among(PerpetratorAssessment.objects.values("referral_id")),
    )
    figures = {
        "convicted": cases_where(combinations, lambda f: f["convicted"]),
        "treated": cases_where(
            combinations, lambda f: f["convicted"] and (f["requirement"] or f["intervention"])
        ),
    }
    for key, _ in TREATMENT_ROWS[1:]:
        figures[key] = cases_where(combinations, lambda f, key=key: f["convicted"] and f[key])
    return shares_of_total(
        key="treatment",
        title="Treatment of convicted perpetrators",
        rows=TREATMENT_ROWS,
        figures=figures,
        total=figures["convicted"],
        count_label="Convicted cases",
        share_label="Share of convicted cases",
        total_label="Convicted cases",
        note=(
            "Cases of the cohort with an offence convicted, and of them those whose perpetrator "
            "was given treatment: a treatment requirement in a sentence, or an intervention "
            "other than 'other' (psychological, mental health or substance misuse treatment, a "
            "stalking or domestic abuse programme) offered by any route, whatever became of it."
        ),
    )
