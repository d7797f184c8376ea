"""A report table's chart as geometry a template draws in SVG, on the server.

Pure functions of a (publishable) `Table`: no request leaves the site and no script runs. Each
chart carries its text alternative (`title`, `desc`: every figure in words), so the template
gives the SVG `role="img"` and names it by them. A suppressed figure has no length to draw: it
is a hatched stub of one fixed size, whatever the true figure, labelled "fewer than 5".

Three kinds, as `Table.chart` names them: `bar` (a horizontal bar for each row, its label
above it and its figure beside it), `funnel` (the same bars centred, one stage under another)
and `series` (a column for each month, on an axis from 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .tables import SUPPRESSED, Column, Table

# The drawing's own units (its viewBox); the page scales it to the width it has.
BAR_WIDTH = 480
LABEL_SIZE = 13
ROW_HEIGHT = 40
BAR_HEIGHT = 16
VALUE_ROOM = 96  # right of the longest bar, for its figure
STUB = 6  # the length of a suppressed figure's hatched bar
SERIES_HEIGHT = 220
SERIES_TOP = 16
SERIES_BOTTOM = 40  # the month labels
SERIES_LEFT = 44  # the axis' figures
COLUMN_STEP = 22
MAX_COLUMN_STEP = 64
MIN_LABEL_GAP = 56


@dataclass(frozen=True)
class Bar:
    """One figure drawn: a rectangle, its label and its figure in words (`text`)."""

    x: float
    y: float
    width: float
    height: float
    label: str
    text: str
    suppressed: bool
    label_x: float = 0
    label_y: float = 0
    text_x: float = 0
    text_y: float = 0
    text_anchor: str = "start"


@dataclass(frozen=True)
class Tick:
    """A line across a series at `y`, with its figure; or a month's label at `x`."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    kind: str
    key: str
    width: float
    height: float
    title: str
    desc: str
    bars: tuple[Bar, ...]
    gridlines: tuple[Tick, ...] = field(default_factory=tuple)
    months: tuple[Tick, ...] = field(default_factory=tuple)
    axis_x: float = 0
    axis_y: float = 0
    any_suppressed: bool = False


def figure_text(value, kind: str) -> str:
    """A figure as the chart and its text alternative say it."""
    if value is None:
        return "none"
    if value == SUPPRESSED or isinstance(value, str):
        return str(value)
    if kind == "share":
        # Whole percent, but a small share keeps a decimal (5 of 1,500 is 0.3%, not 0%).
        return f"{value * 100:.1f}%" if 0 < value < 0.1 else f"{value * 100:.0f}%"
    if kind == "money":
        return f"£{value / 100:,.2f}"
    if kind == "days":
        return f"{value:,.1f} days" if value != int(value) else f"{int(value):,} days"
    if isinstance(value, float) and value != int(value):
        return f"{value:,.1f}"
    return f"{int(value):,}"


def chart_for(table: Table) -> Chart | None:
    """The table's chart, or None when it has none (or nothing to draw)."""
    if not table.chart or not table.chart_column or not table.rows:
        return None
    column = table.column(table.chart_column)
    if table.chart == "series":
        return _series(table, column)
    return _bars(table, column, centred=table.chart == "funnel")


def _figures(table: Table, column: Column) -> list[tuple[str, str, float | None, bool]]:
    """(label, figure in words, number to draw or None, suppressed) for each row."""
    out = []
    for row in table.rows:
        value = row.values.get(column.key)
        hidden = value == SUPPRESSED
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        out.append((row.label, figure_text(value, column.kind), number, hidden))
    return out


def _desc(table: Table, column: Column, figures) -> str:
    said = "; ".join(f"{label}: {text}" for label, text, _, _ in figures)
    return f"{column.label}, by row. {said}."


def _bars(table: Table, column: Column, *, centred: bool) -> Chart:
    figures = _figures(table, column)
    top = max([n for _, _, n, _ in figures if n is not None] or [0]) or 1
    room = BAR_WIDTH - VALUE_ROOM
    bars = []
    for i, (label, text, number, hidden) in enumerate(figures):
        y = i * ROW_HEIGHT + LABEL_SIZE + 6
        length = STUB if hidden or number is None else max(room * number / top, 1 if number else 0)
        x = (BAR_WIDTH - length) / 2 if centred else 0
        if centred:
            text_x, anchor = BAR_WIDTH / 2, "middle"
            label_x = BAR_WIDTH / 2
        else:
            text_x, anchor, label_x = length + 6, "start", 0
        bars.append(
            Bar(
                x=round(x, 1),
                y=y,
                width=round(length, 1),
                height=BAR_HEIGHT,
                label=label,
                text=text,
                suppressed=hidden,
                label_x=label_x,
                label_y=y - 5,
                text_x=round(text_x, 1),
                text_y=y + BAR_HEIGHT - 3,
                text_anchor=anchor,
            )
        )
    if centred:
        # The figure goes after the label, above its bar (a narrow stage has no room beside).
        bars = [_funnel_label(b) for b in bars]
    return Chart(
        kind=table.chart,
        key=table.key,
        width=BAR_WIDTH,
        height=len(bars) * ROW_HEIGHT + 4,
        title=table.title,
        desc=_desc(table, column, figures),
        bars=tuple(bars),
        any_suppressed=any(b.suppressed for b in bars),
    )


def _funnel_label(bar: Bar) -> Bar:
    return Bar(
        x=bar.x,
        y=bar.y,
        width=bar.width,
        height=bar.height,
        label=f"{bar.label}: {bar.text}",
        text="",
        suppressed=bar.suppressed,
        label_x=bar.label_x,
        label_y=bar.label_y,
        text_x=bar.text_x,
        text_y=bar.text_y,
        text_anchor="middle",
    )


def _series(table: Table, column: Column) -> Chart:
    figures = _figures(table, column)
    top = max([n for _, _, n, _ in figures if n is not None] or [0])
    scale_top = _round_up(top)
    plot = SERIES_HEIGHT - SERIES_TOP - SERIES_BOTTOM
    base = SERIES_TOP + plot
    # A few months share the width a bar chart has; many take 22 units each.
    step = max(COLUMN_STEP, min(MAX_COLUMN_STEP, (BAR_WIDTH - SERIES_LEFT) / len(figures)))
    gap = round(step * 0.2, 1)
    width = round(SERIES_LEFT + len(figures) * step + 8, 1)
    bars, months = [], []
    every = max(1, -(-MIN_LABEL_GAP // step))
    for i, (label, text, number, hidden) in enumerate(figures):
        height = STUB if hidden or number is None else plot * number / scale_top
        x = round(SERIES_LEFT + i * step + gap / 2, 1)
        bars.append(
            Bar(
                x=x,
                y=round(base - height, 1),
                width=round(step - gap, 1),
                height=round(height, 1),
                label=label,
                text=text,
                suppressed=hidden,
            )
        )
        if i % every == 0:
            months.append(Tick(x=round(x + (step - gap) / 2, 1), y=base + 16, text=label))
    gridlines = tuple(
        Tick(x=SERIES_LEFT, y=round(base - plot * f, 1), text=figure_text(scale_top * f, "count"))
        for f in (0, 0.5, 1)
    )
    return Chart(
        kind="series",
        key=table.key,
        width=width,
        height=SERIES_HEIGHT,
        title=table.title,
        desc=_desc(table, column, figures),
        bars=tuple(bars),
        gridlines=gridlines,
        months=tuple(months),
        axis_x=SERIES_LEFT,
        axis_y=base,
        any_suppressed=any(b.suppressed for b in bars),
    )


def _round_up(top: float) -> int:
    """A round top for the axis, at least `top`: 10, or a whole number of its leading unit
    (so its half is a whole figure too)."""
    if top <= 10:
        return 10
    step = 10 ** (len(str(int(top))) - 1)
    return int(-(-top // step) * step)
