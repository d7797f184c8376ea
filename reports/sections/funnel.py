"""Referrals and screening: how many were referred, when, at what screened level, and what
became of the referral at triage.

The facts are in tables, never in the trail: the referral (its screen and its current risk
level) and the workflow's tasks on it, whose result is kept on the task (`data["result"]`):
triage (`decision`), the supervisor's answer to a decline (`approve_decline`, `approved`) and to
a lower risk level (`approve_downgrade`, `approved`), each mirrored on the task row as its
`outcome`. Three queries: the months, one aggregate
over the referrals, one over their tasks.
"""

from __future__ import annotations

from django.db.models import Count, Q

from referral.models import RiskLevel
from workflows.models import AgencyTask, TaskType

from ..cohort import Cohort
from ..series import monthly_counts, monthly_table
from ..sql import cases_with
from ..tables import Column, Row, Table, share

LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD)

# Each step of the funnel: (row key, label, the row it is a share of, or "" for referred).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("referred", "Referred", ""),
    ("screened", "Screened", "referred"),
    ("triaged", "Triaged", "referred"),
    ("info_requested", "More information requested at triage", "triaged"),
    ("accepted", "Accepted", "triaged"),
    ("decline_proposed", "Decline proposed at triage", "triaged"),
    ("decline_approved", "Decline approved by a supervisor", "decline_proposed"),
    ("decline_refused", "Decline refused by a supervisor", "decline_proposed"),
    ("downgrade_proposed", "Lower risk level proposed", "referred"),
    ("downgrade_approved", "Risk level lowered, approved by a supervisor", "downgrade_proposed"),
    ("downgrade_refused", "Lower risk level refused", "downgrade_proposed"),
)


def build(cohort: Cohort) -> tuple[Table, ...]:
    referrals = cohort.referrals()
    counts = {**_referral_counts(cohort), **_task_counts(cohort)}
    return (
        monthly_table(
            "referred_by_month",
            "Referrals by month",
            monthly_counts(referrals, "created_at"),
            label="Referrals",
            note="Each case in the month its referral was received.",
        ),
        _funnel(counts),
        _screened_level(counts),
    )


def _referral_counts(cohort: Cohort) -> dict[str, int]:
    """The cases, those screened, and the cases at each screened and each current level."""
    levels = {}
    for level in LEVELS:
        levels[f"screened_{level}"] = Count("pk", filter=Q(screening__risk_level=level))
        levels[f"current_{level}"] = Count("pk", filter=Q(risk_level=level))
    return (
        cohort.referrals()
        .order_by()
        .aggregate(
            referred=Count("pk"),
            screened=Count("screening"),
            **levels,
        )
    )


def _task_counts(cohort: Cohort) -> dict[str, int]:
    """The cases with each triage decision and each supervisor's answer, counted once a case
    however many times it was triaged or answered: from the task's own mirrors of its
    completion and answer (`AgencyTask.completed_at`, `outcome`)."""
    triage = Q(task_type=TaskType.TRIAGE, completed_at__isnull=False)
    decline = Q(task_type=TaskType.APPROVE_DECLINE)
    downgrade = Q(task_type=TaskType.APPROVE_DOWNGRADE)
    tasks = AgencyTask.objects.filter(
        task_type__in=(TaskType.TRIAGE, TaskType.APPROVE_DECLINE, TaskType.APPROVE_DOWNGRADE)
    )
    return cases_with(
        cohort.rows_of(tasks),
        {
            "triaged": triage,
            "info_requested": triage & Q(outcome="request_info"),
            "accepted": triage & Q(outcome="accept"),
            "decline_proposed": decline,
            "decline_approved": decline & Q(outcome="approved"),
            "decline_refused": decline & Q(outcome="refused"),
            "downgrade_proposed": downgrade,
            "downgrade_approved": downgrade & Q(outcome="approved"),
            "downgrade_refused": downgrade & Q(outcome="refused"),
        },
    )


def _funnel(counts: dict[str, int]) -> Table:
    rows = []
    for key, label, of in STEPS:
        basis = counts[of] if of else counts[key]
        rows.append(
            Row(
                key,
                label,
                {"cases": counts[key], "of_cases": basis, "share": share(counts[key], basis)},
            )
        )
    return Table(
        key="funnel",
        title="From referral to triage's decision",
        columns=(
            Column("cases", "Cases"),
            Column("of_cases", "Out of"),
            Column("share", "Share", kind="share", numerator="cases", of="of_cases"),
        ),
        rows=tuple(rows),
        chart="funnel",
        chart_column="cases",
        note=(
            "Cases, each counted once in a step however often it was taken: triaged is a triage "
            "done, with the decisions it gave; a decline or a lower risk level is proposed when "
            "it went to a supervisor, and approved or refused by the supervisor's answer. "
            "Each share is of the step named in 'Out of'."
        ),
    )


def _screened_level(counts: dict[str, int]) -> Table:
    rows = [
        Row(
            str(level),
            level.label,
            {
                "screened": counts[f"screened_{level}"],
                "share": share(counts[f"screened_{level}"], counts["referred"]),
                "current": counts[f"current_{level}"],
            },
        )
        for level in LEVELS
    ]
    rows.append(
        Row(
            "not_screened",
            "Not screened",
            {
                "screened": counts["referred"] - counts["screened"],
                "share": share(counts["referred"] - counts["screened"], counts["referred"]),
                "current": None,
            },
        )
    )
    return Table(
        key="screened_level",
        title="Cases by screened risk level",
        columns=(
            Column("screened", "Cases screened at this level"),
            Column("share", "Share", kind="share", numerator="screened"),
            Column("current", "Cases at this level now"),
        ),
        rows=tuple(rows),
        total=Row(
            "total",
            "Total",
            {
                "screened": counts["referred"],
                "share": share(counts["referred"], counts["referred"]),
                "current": counts["referred"],
            },
        ),
        parts=True,
        chart="bar",
        chart_column="screened",
        note=(
            "Each case at the level its screening gave, and at the level it has now (raised by "
            "professional judgement or escalation, or lowered with a supervisor's approval); "
            "a case without a screen is at the standard level now."
        ),
    )
