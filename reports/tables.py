"""A report's figures: tables of counts and what is derived from them, and how small numbers
are suppressed before a report is shown, exported or published.

A builder fills `Table`s with the true figures. `publishable` returns the same tables with every
count under `THRESHOLD` replaced by `SUPPRESSED`, and with whatever would let a suppressed count
be worked back out hidden as well:

- a share, median, mean or amount whose basis count (`Column.basis`) is suppressed;
- a share whose numerator or denominator is suppressed;
- in a table whose rows are the parts of a shown total (`Table.parts`), a second part of the
  same column, the smallest still shown, whenever only one part would be hidden (the total
  less the others would give it back).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

THRESHOLD = 5
SUPPRESSED = "fewer than 5"

Kind = Literal["count", "share", "money", "days", "number", "text"]
Chart = Literal["bar", "funnel", "series", ""]


@dataclass(frozen=True)
class Column:
    """One column. A count is suppressed below `THRESHOLD`. A share is the row's `numerator`
    count column over its `of` count column, or, with `of` unset, over the total row's
    `numerator`. Any other figure (an amount, a median of days) summarises the cases of its
    `basis` count column in the same row and is hidden with it."""

    key: str
    label: str
    kind: Kind = "count"
    of: str = ""
    numerator: str = ""
    basis: str = ""


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: dict[str, int | float | str | None]


@dataclass(frozen=True)
class Table:
    """A table with the chart drawn from it (`chart`, from column `chart_column`, or none).

    `parts`: the rows are the parts of `total`, so suppressing one part alone would not hide it.
    `note` says in words how the figures are counted.
    """

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    parts: bool = False
    chart: Chart = ""
    chart_column: str = ""
    note: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Report:
    """One report: its key, title, the cohort it counted (`Cohort.describe`) and its tables."""

    key: str
    title: str
    summary: str
    cohort: dict
    tables: tuple[Table, ...] = field(default_factory=tuple)
    suppressed: bool = False


def share(numerator: int | None, denominator: int | None) -> float | None:
    """A share as a fraction, rounded to four places; None when undefined."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 4)


def shares_of_total(
    *,
    key: str,
    title: str,
    rows: tuple[tuple[str, str], ...],
    figures: dict[str, int],
    total: int,
    count_label: str,
    share_label: str,
    total_label: str,
    note: str,
    chart: Chart = "bar",
) -> Table:
    """A table of cases (`cases`) and each one's share of a total (`share`): the rows are
    `(key, label)` pairs counted in `figures`, each a subset of the total row (not its parts: a
    case may count in several rows)."""
    return Table(
        key=key,
        title=title,
        columns=(
            Column("cases", count_label),
            Column("share", share_label, "share", numerator="cases"),
        ),
        rows=tuple(
            Row(k, label, {"cases": figures[k], "share": share(figures[k], total)})
            for k, label in rows
        ),
        total=Row("total", total_label, {"cases": total, "share": share(total, total)}),
        chart=chart,
        chart_column="cases" if chart == "funnel" else "share",
        note=note,
    )


# --- Suppression ---------------------------------------------------------------------------


def counts_table(
    *,
    key: str,
    title: str,
    columns: tuple[Column, ...],
    found: dict[str, Counter],
    rows: Iterable[tuple[str, str]],
    values: Callable[[Counter], dict],
    total_label: str,
    chart_column: str,
    note: str,
) -> Table:
    """A table of counts kept by row (`found`: row key -> its counts): a row for each of `rows`
    (key, label), in their order (a key with no counts reads zeros; the empty key is
    `unknown`), and the total of every row found; each row's values are `values(counts)`.
    The rows are parts of the total, drawn as bars of `chart_column`."""
    return Table(
        key=key,
        title=title,
        columns=columns,
        rows=tuple(
            Row(k or "unknown", label, values(found.get(k, Counter()))) for k, label in rows
        ),
        total=Row("total", total_label, values(sum(found.values(), Counter()))),
        parts=True,
        chart="bar",
        chart_column=chart_column,
        note=note,
    )


def publishable(report: Report) -> Report:
    """The report with small numbers suppressed (see the module docstring)."""
    if report.suppressed:
        return report
    return replace(report, tables=tuple(_table(t) for t in report.tables), suppressed=True)


def _is_hidden(value) -> bool:
    return value == SUPPRESSED


def _small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value < THRESHOLD


def _table(table: Table) -> Table:
    counts = [c.key for c in table.columns if c.kind == "count"]
    rows = [dict(r.values) for r in table.rows]
    total = dict(table.total.values) if table.total else None
    for values in [*rows, *([total] if total else [])]:
        for key in counts:
            if _small(values.get(key)):
                values[key] = SUPPRESSED
    if table.parts and total is not None:
        for key in counts:
            _complement(rows, key)
    for values in [*rows, *([total] if total else [])]:
        _derived(table, values, total)
    return replace(
        table,
        rows=tuple(replace(r, values=v) for r, v in zip(table.rows, rows, strict=True)),
        total=replace(table.total, values=total) if table.total else None,
    )


def _complement(rows: list[dict], key: str) -> None:
    """Hide a second part of a column when exactly one is hidden and the total is shown."""
    hidden = [v for v in rows if _is_hidden(v.get(key))]
    shown = [v for v in rows if isinstance(v.get(key), int) and not _is_hidden(v.get(key))]
    if len(hidden) == 1 and shown:
        min(shown, key=lambda v: v[key])[key] = SUPPRESSED


def _derived(table: Table, values: dict, total: dict | None) -> None:
    for column in table.columns:
        if column.kind == "count" or column.key not in values:
            continue
        if column.kind == "share":
            numerator = values.get(column.numerator)
            denominator = values.get(column.of) if column.of else None
            if not column.of and total is not None:
                denominator = total.get(column.numerator)
            if _is_hidden(numerator) or _is_hidden(denominator):
                values[column.key] = SUPPRESSED
        elif column.basis and _is_hidden(values.get(column.basis)):
            values[column.key] = SUPPRESSED
