"""Counts by month, for the time series the reports draw."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from .tables import Column, Row, Table


def monthly_counts(queryset: QuerySet, field: str) -> list[tuple[date, int]]:
    """(first day of the month, rows) for each month with a row, oldest first, counted in one
    grouped query on `field` (a date or datetime, truncated in the project's time zone)."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        .values_list("month", "n")
    )
    return [(m.date() if hasattr(m, "date") else m, n) for m, n in rows if m is not None]


def monthly_table(
    key: str, title: str, counts: list[tuple[date, int]], *, label: str, note: str = ""
) -> Table:
    """A table of one count per month, drawn as a time series."""
    return Table(
        key=key,
        title=title,
        columns=(Column("count", label),),
        rows=tuple(
            Row(month.strftime("%Y-%m"), month.strftime("%b %Y"), {"count": n})
            for month, n in counts
        ),
        total=Row("total", "Total", {"count": sum(n for _, n in counts)}),
        parts=True,
        chart="series",
        chart_column="count",
        note=note,
    )
