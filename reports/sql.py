"""SQL the report builders share beyond Django's own: a median and whole days between dates,
each written for PostgreSQL and for SQLite (where the project runs embedded)."""

from __future__ import annotations

import statistics

from django.db.models import (
    Aggregate,
    BooleanField,
    ExpressionWrapper,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
)

SQLITE_MEDIAN = "concord_median"


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
