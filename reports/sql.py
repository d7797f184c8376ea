"""SQL the report builders share beyond Django's own: a median and whole days between dates,
each written for PostgreSQL and for SQLite (where the project runs embedded)."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    ExpressionWrapper,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce

SQLITE_MEDIAN = "concord_median"

# Memory for each sort and hash of a report's queries (PostgreSQL's `work_mem`).
REPORT_WORK_MEM = "64MB"


@contextmanager
def report_queries() -> Iterator[None]:
    """A transaction for one report's queries. On PostgreSQL it gives each sort and hash
    `REPORT_WORK_MEM` for this transaction alone (`SET LOCAL`): grouping 100,000 cases outgrows
    the server's default of 4 MB, and a sort or hash that outgrows it spills to disk in
    batches. A connection builds one report at a time, so the memory is bounded by the
    connections times the few sorts of one plan."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = %s", [REPORT_WORK_MEM])
        yield


class Median(Aggregate):
    """The median of a column (NULLs ignored; None when there are none): PostgreSQL's
    `percentile_cont(0.5)`, on SQLite the `concord_median` aggregate `register_sqlite` adds."""

    name = "Median"
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        # On a copy: `Aggregate.as_sql` builds its FILTER clause from the template it holds.
        median = self.copy()
        median.function, median.template = SQLITE_MEDIAN, "%(function)s(%(expressions)s)"
        return median.as_sql(compiler, connection, **extra_context)


def cases_with(
    rows: QuerySet,
    conditions: dict[str, Q],
    case: str = "referral_id",
    *,
    counts: dict[str, Q] | None = None,
) -> dict:
    """For each condition (key -> Q on `rows`), how many cases have a row meeting it, and for
    each of `counts` (keys apart from the conditions'), how many rows meet it: the rows grouped
    by case once (one hash over them), then summed over the groups. Counting
    `COUNT(DISTINCT case) FILTER (...)` instead sorts the rows once for each condition."""
    counts = counts or {}
    per_case = (
        rows.order_by()
        .values(case)
        .annotate(
            **{f"rows_{key}": Count("pk", filter=q) for key, q in {**conditions, **counts}.items()}
        )
    )
    return per_case.aggregate(
        **{key: Count(case, filter=Q(**{f"rows_{key}__gt": 0})) for key in conditions},
        **{key: Coalesce(Sum(f"rows_{key}"), 0) for key in counts},
    )


def flag_combinations(cases: QuerySet, **flags) -> list[tuple[dict[str, bool], int]]:
    """The cases grouped by which of `flags` (name -> a boolean expression of a case, such as
    `among(...)`) each has: (the flags, how many cases), at most 2**len(flags) rows. Each flag
    is evaluated once a case; counting `COUNT(*) FILTER (WHERE a AND b)` for several pairs
    instead would repeat `a` (and its subquery) in every filter it stands in."""
    rows = cases.order_by().annotate(**flags).values(*flags).annotate(cases=Count("pk"))
    return [({name: bool(row[name]) for name in flags}, row["cases"]) for row in rows]


def cases_where(combinations: list[tuple[dict[str, bool], int]], test) -> int:
    """How many of the cases `flag_combinations` grouped pass `test` (a function of the flags)."""
    return sum(n for flags, n in combinations if test(flags))


def among(case_ids: QuerySet, field: str = "pk") -> ExpressionWrapper:
    """Whether the case (`field`, a referral id) is among `case_ids` (a one-column queryset of
    referral ids): `id IN (SELECT ...)`, which PostgreSQL answers from one hash of the subquery's
    rows built once, where an EXISTS correlated with each case would probe an index once per
    case and per flag (seconds over 100,000 cases)."""
    return ExpressionWrapper(Q(**{f"{field}__in": case_ids}), output_field=BooleanField())


class DaysBetween(Func):
    """Whole days from the date `earlier` to the date `later` (negative if it is before)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            arg_joiner=") - julianday(",
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            **extra_context,
        )


class _SqliteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def register_sqlite(sender, connection, **kwargs) -> None:
    """`connection_created`: give an SQLite connection the median aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SqliteMedian)
