"""Time to each step: from referral to triage done, to research complete, to the case's first
conference; the median and the 90th percentile over the cases that reached the step.

Each case's three times come from its tasks and agenda items, each table grouped by case in one
pass: triage done is its first triage task finished; research complete is the last of
its research, threat-assessment and charging-review tasks finished once none is still open; its
first conference is the earliest start of a held (started) conference with the case on the
agenda (not removed). On PostgreSQL one query gives the percentiles (`percentile_cont`) for
the whole cohort and for each month at once; elsewhere (SQLite, the embedded deployment with a
small caseload) three queries read the cases and their times, and the percentiles are taken in
Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Count,
    Max,
    Min,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth

from conferences.models import AgendaItem
from workflows.models import AgencyTask, TaskType

from ..cohort import Cohort
from ..tables import Column, Row, Table

STEPS: tuple[tuple[str, str], ...] = (
    ("triage", "Referral to triage done"),
    ("research", "Referral to research complete"),
    ("conference", "Referral to first case conference"),
)
RESEARCH_TYPES = (TaskType.RESEARCH, TaskType.THREAT_ASSESSMENT, TaskType.CHARGING_REVIEW)
DAY = 86400.0


def build(cohort: Cohort) -> tuple[Table, ...]:
    overall, by_month = _figures(cohort)
    return (_steps_table(overall), _month_table(by_month))


# --- Each case's times ------------------------------------------------------------------------


def _per_case(cohort: Cohort) -> tuple[QuerySet, QuerySet, QuerySet]:
    """The cohort's cases (id, referral time, month of referral) and, grouped by case (one
    pass over each table, never a look-up per case), the times of their triage and research
    tasks and of their first held conference."""
    cases = (
        cohort.referrals()
        .order_by()
        .annotate(month=TruncMonth("created_at"))
        .values_list("pk", "created_at", "month")
    )
    research = Q(task_type__in=RESEARCH_TYPES)
    tasks = (
        cohort.rows_of(
            AgencyTask.objects.filter(task_type__in=(TaskType.TRIAGE, *RESEARCH_TYPES))
        )
        .order_by()
        .values("referral_id")
        .annotate(
            triage_at=Min("completed_at", filter=Q(task_type=TaskType.TRIAGE)),
            research_at=Max("completed_at", filter=research),
            research_open=Count("pk", filter=research & Q(is_open=True)),
        )
        .values_list("referral_id", "triage_at", "research_at", "research_open")
    )
    heard = (
        cohort.rows_of(AgendaItem.objects.filter(conference__started_at__isnull=False))
        .exclude(status=AgendaItem.Status.REMOVED)
        .order_by()
        .values("referral_id")
        .annotate(at=Min("conference__starts_at"))
        .values_list("referral_id", "at")
    )
    return cases, tasks, heard


def _delays(cohort: Cohort) -> list[tuple]:
    """(month, to triage, to research complete, to conference) of each case, the times as
    `timedelta`s or None where the step was not reached: three queries, joined here."""
    cases, tasks, heard = _per_case(cohort)
    by_case = {pk: (triage, research, still_open) for pk, triage, research, still_open in tasks}
    conferences = dict(heard)
    rows = []
    for pk, referred, month in cases:
        triage, research, still_open = by_case.get(pk, (None, None, 1))
        conference = conferences.get(pk)
        rows.append(
            (
                month,
                triage - referred if triage else None,
                research - referred if research and not still_open else None,
                conference - referred if conference else None,
            )
        )
    return rows


# --- Their percentiles --------------------------------------------------------------------------

Figures = dict[str, tuple[int, float | None, float | None]]  # step -> (cases, median, p90)


def _figures(cohort: Cohort) -> tuple[Figures, dict[date, Figures]]:
    """(the cohort's figures, each month's), in days."""
    if connection.vendor == "postgresql":
        return _in_postgresql(cohort)
    return _in_python(_delays(cohort))


def _in_postgresql(cohort: Cohort) -> tuple[Figures, dict[date, Figures]]:
    """One statement: the cases joined to their grouped tasks and conferences, and the
    percentiles over them for the whole cohort and each month (`GROUPING SETS`)."""
    (cases, case_params), (tasks, task_params), (heard, heard_params) = (
        queryset.query.sql_with_params() for queryset in _per_case(cohort)
    )
    columns = ", ".join(
        f"COUNT({step}), "
        f"EXTRACT(EPOCH FROM PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {step})), "
        f"EXTRACT(EPOCH FROM PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY {step}))"
        for step, _ in STEPS
    )
    # The subqueries' columns, in the order of their `values_list`.
    sql = (
        f"SELECT GROUPING(month), month, {columns} FROM ("  # noqa: S608 - ours
        "SELECT c.month, t.triage_at - c.created_at AS triage, "
        "CASE WHEN t.research_open = 0 THEN t.research_at - c.created_at END AS research, "
        "h.at - c.created_at AS conference "
        f"FROM ({cases}) c (id, created_at, month) "
        f"LEFT JOIN ({tasks}) t (referral_id, triage_at, research_at, research_open) "
        "ON t.referral_id = c.id "
        f"LEFT JOIN ({heard}) h (referral_id, at) ON h.referral_id = c.id"
        ") delays GROUP BY GROUPING SETS ((), (month))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*case_params, *task_params, *heard_params))
        rows = cursor.fetchall()
    overall: Figures = _empty()
    by_month: dict[date, Figures] = {}
    for whole, month, *values in rows:
        figures = {
            step: (
                values[3 * i],
                _days(values[3 * i + 1]),
                _days(values[3 * i + 2]),
            )
            for i, (step, _) in enumerate(STEPS)
        }
        if whole:
            overall = figures
        elif month is not None:
            by_month[_day(month)] = figures
    return overall, dict(sorted(by_month.items()))


def _in_python(rows: list[tuple]) -> tuple[Figures, dict[date, Figures]]:
    overall: dict[str, list[float]] = defaultdict(list)
    months: dict[date, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for month, *times in rows:
        for (step, _), took in zip(STEPS, times, strict=True):
            if took is not None:
                overall[step].append(took.total_seconds())
                months[_day(month)][step].append(took.total_seconds())
    return _summary(overall), {m: _summary(months[m]) for m in sorted(months)}


def _summary(seconds: dict[str, list[float]]) -> Figures:
    return {
        step: (
            len(seconds.get(step, [])),
            _days(_percentile(seconds.get(step, []), 0.5)),
            _days(_percentile(seconds.get(step, []), 0.9)),
        )
        for step, _ in STEPS
    }


def _percentile(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's `percentile_cont`: linear interpolation between the nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _days(seconds) -> float | None:
    if seconds is None:
        return None
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    return round(float(seconds) / DAY, 2)


def _day(month) -> date:
    return month.date() if hasattr(month, "date") else month


def _empty() -> Figures:
    return {step: (0, None, None) for step, _ in STEPS}


# --- Tables ---------------------------------------------------------------------------------


def _steps_table(figures: Figures) -> Table:
    return Table(
        key="time_to_step",
        title="Time from referral to each step",
        columns=(
            Column("cases", "Cases that reached the step"),
            Column("median_days", "Median days", kind="days", basis="cases"),
            Column("p90_days", "90th percentile, days", kind="days", basis="cases"),
        ),
        rows=tuple(
            Row(
                step,
                label,
                {
                    "cases": figures[step][0],
                    "median_days": figures[step][1],
                    "p90_days": figures[step][2],
                },
            )
            for step, label in STEPS
        ),
        chart="bar",
        chart_column="median_days",
        note=(
            "Days (to two decimals) from the referral's receipt to its first triage done, to "
            "the last of its research, threat-assessment and charging-review tasks done once "
            "none is open, and to the start of the first held conference with the case on the "
            "agenda; over the cases that reached each step."
        ),
    )


def _month_table(by_month: dict[date, Figures]) -> Table:
    columns = []
    for step, label in STEPS:
        columns += [
            Column(f"{step}_cases", f"{label}: cases"),
            Column(
                f"{step}_median_days", f"{label}: median days", kind="days", basis=f"{step}_cases"
            ),
        ]
    return Table(
        key="time_to_step_by_month",
        title="Median days to each step, by month of referral",
        columns=tuple(columns),
        rows=tuple(
            Row(
                month.strftime("%Y-%m"),
                month.strftime("%b %Y"),
                {
                    key: value
                    for step, _ in STEPS
                    for key, value in (
                        (f"{step}_cases", figures[step][0]),
                        (f"{step}_median_days", figures[step][1]),
                    )
                },
            )
            for month, figures in by_month.items()
        ),
        chart="series",
        chart_column="triage_median_days",
        note="As the table above, for the cases referred in each month (UK time).",
    )
