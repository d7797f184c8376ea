"""Assessments for court: whether the victim's risk was assessed before each hearing, and how
far psychiatric assessments went, from sought to before the court.

Three grouped queries, whatever the number of cases: the cohort's hearings by kind, with their
risk assessments joined; the psychiatric assessments' stages; the convicted and sentenced cases
with whether one was sought.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from interventions.models import HearingAssessment, PsychiatricAssessment
from justice.models import Offence
from referral.models import CourtHearing

from ..cohort import Cohort
from ..sql import among, cases_where, cases_with, flag_combinations
from ..tables import Column, Row, Table, share, shares_of_total

# Bail and sentencing first: the hearings the studies found went ahead without an assessment.
HEARING_ORDER = (
    CourtHearing.Kind.BAIL,
    CourtHearing.Kind.SENTENCING,
    CourtHearing.Kind.CHARGE,
    CourtHearing.Kind.TRIAL,
    CourtHearing.Kind.ORDER,
)
HEARING_COUNTS = ("hearings", "to_come", "held", "before", "late", "not_done")

PSYCHIATRIC_STAGES = (
    ("sought", "Sought by CPS", Q()),
    ("requested", "Requested from a provider", Q(requested_on__isnull=False)),
    ("done", "Done", Q(done_on__isnull=False)),
    ("before_court", "Put before the court", Q(before_court_on__isnull=False)),
)


def build(cohort: Cohort) -> tuple[Table, ...]:
    return (
        hearing_assessments(cohort),
        psychiatric(cohort),
        psychiatric_convicted(cohort),
    )


def hearing_assessments(cohort: Cohort) -> Table:
    """Per kind of hearing: whether a risk assessment was done before the hearings held."""
    today = timezone.localdate()
    held = Q(date__lte=today)
    risk = Q(assessments__kind=HearingAssessment.Kind.RISK_ASSESSMENT)
    done = risk & Q(assessments__completed_at__isnull=False)
    before = risk & Q(assessments__before_hearing=True)
    found = {
        r["kind"]: r
        for r in cohort.rows_of(CourtHearing.objects.all())
        .order_by()
        .values("kind")
        .annotate(
            hearings=Count("pk", distinct=True),
            held=Count("pk", distinct=True, filter=held),
            held_done=Count("pk", distinct=True, filter=held & done),
            before=Count("pk", distinct=True, filter=held & before),
        )
    }
    rows = []
    for kind in HEARING_ORDER:
        r = found.get(kind, {})
        hearings, held_n = r.get("hearings", 0), r.get("held", 0)
        done_n, before_n = r.get("held_done", 0), r.get("before", 0)
        rows.append(
            Row(
                kind,
                CourtHearing.Kind(kind).label,
                _hearing_values(
                    hearings=hearings,
                    to_come=hearings - held_n,
                    held=held_n,
                    before=before_n,
                    late=done_n - before_n,
                    not_done=held_n - done_n,
                ),
            )
        )
    totals = {key: sum(row.values[key] for row in rows) for key in HEARING_COUNTS}
    return Table(
        key="hearing_assessments",
        title="Risk assessments before hearings",
        columns=(
            Column("hearings", "Hearings"),
            Column("to_come", "Still to come"),
            Column("held", "Held"),
            Column("before", "Assessed before the hearing"),
            Column("late", "Assessed only on or after the hearing's day"),
            Column("not_done", "Not assessed"),
            Column(
                "before_share", "Share held assessed before", "share", of="held", numerator="before"
            ),
        ),
        rows=tuple(rows),
        total=Row("total", "All hearings", _hearing_values(**totals)),
        parts=True,
        chart="bar",
        chart_column="before_share",
        note=(
            "Each hearing of the cohort's cases, by kind. A hearing is held from its day on; a "
            "held hearing was assessed before it when any risk assessment of the victim (by "
            "the advocate or the police) was completed before the start of its day, late when "
            "the only ones were completed later, else not assessed. Pre-sentence reports are "
            "not counted here."
        ),
    )


def _hearing_values(**counts: int) -> dict:
    return {**counts, "before_share": share(counts["before"], counts["held"])}


def psychiatric(cohort: Cohort) -> Table:
    """The cases where a psychiatric assessment was sought, and how far the furthest went."""
    figures = cases_with(
        cohort.rows_of(PsychiatricAssessment.objects.all()),
        {key: q for key, _, q in PSYCHIATRIC_STAGES},
    )
    sought = figures["sought"]
    return shares_of_total(
        key="psychiatric",
        title="Psychiatric assessments for court",
        rows=tuple((key, label) for key, label, _ in PSYCHIATRIC_STAGES),
        figures=figures,
        total=sought,
        count_label="Cases",
        share_label="Share of those sought",
        total_label="Cases where one was sought",
        chart="funnel",
        note=(
            "Cases of the cohort with a psychiatric assessment sought by CPS for a hearing, "
            "and of them those where one was requested from a provider, done and put before "
            "the court (a case counts once at each stage it reached)."
        ),
    )


def psychiatric_convicted(cohort: Cohort) -> Table:
    """Convicted and sentenced cases, with whether anyone asked for a psychiatric assessment."""
    offences = Offence.objects.values("referral_id")
    combinations = flag_combinations(
        cohort.referrals(),
        convicted=among(offences.filter(convicted_on__isnull=False)),
        sentenced=among(offences.filter(sentenced_on__isnull=False)),
        asked=among(PsychiatricAssessment.objects.values("referral_id")),
    )
    rows = []
    for key, label in (("convicted", "Convicted"), ("sentenced", "Sentenced")):
        cases = cases_where(combinations, lambda f, key=key: f[key])
        asked = cases_where(combinations, lambda f, key=key: f[key] and f["asked"])
        rows.append(
            Row(
                key,
                label,
                {
                    "cases": cases,
                    "asked": asked,
                    "not_asked": cases - asked,
                    "not_asked_share": share(cases - asked, cases),
                },
            )
        )
    return Table(
        key="psychiatric_convicted",
        title="Convicted cases and psychiatric assessments",
        columns=(
            Column("cases", "Cases"),
            Column("asked", "A psychiatric assessment sought"),
            Column("not_asked", "None sought"),
            Column(
                "not_asked_share",
                "Share with none sought",
                "share",
                of="cases",
                numerator="not_asked",
            ),
        ),
        rows=tuple(rows),
        chart="bar",
        chart_column="not_asked_share",
        note=(
            "Cases of the cohort with an offence convicted (or sentenced), and whether CPS "
            "sought a psychiatric assessment for any hearing of the case, whatever became of it."
        ),
    )
