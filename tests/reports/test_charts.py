"""Charts drawn from a table: lengths in proportion, suppressed figures as a fixed hatched stub
that gives nothing away, and every figure in the text alternative."""

from reports.charts import BAR_WIDTH, STUB, VALUE_ROOM, chart_for, figure_text
from reports.tables import SUPPRESSED, Column, Row, Table, share


def _table(chart: str, values: dict, kind: str = "count") -> Table:
    return Table(
        key="t",
        title="Outcomes",
        columns=(Column("n", "Cases", kind=kind),),
        rows=tuple(Row(k, k.title(), {"n": v}) for k, v in values.items()),
        chart=chart,
        chart_column="n",
    )


def test_a_bar_chart_draws_each_row_in_proportion_and_a_suppressed_one_as_a_stub():
    chart = chart_for(_table("bar", {"charged": 40, "cautioned": SUPPRESSED, "nfa": 20}))
    room = BAR_WIDTH - VALUE_ROOM
    assert [(b.label, b.width, b.text, b.suppressed) for b in chart.bars] == [
        ("Charged", room, "40", False),
        ("Cautioned", STUB, SUPPRESSED, True),
        ("Nfa", room / 2, "20", False),
    ]
    assert [b.x for b in chart.bars] == [0, 0, 0]
    assert chart.bars[0].text_x == room + 6
    assert chart.any_suppressed
    assert chart.title == "Outcomes"
    assert chart.desc == "Cases, by row. Charged: 40; Cautioned: fewer than 5; Nfa: 20."


def test_a_funnel_centres_its_stages_with_the_figure_in_the_label():
    chart = chart_for(_table("funnel", {"referred": 40, "accepted": 10}))
    room = BAR_WIDTH - VALUE_ROOM
    assert [(b.x, b.width, b.label) for b in chart.bars] == [
        ((BAR_WIDTH - room) / 2, room, "Referred: 40"),
        ((BAR_WIDTH - room / 4) / 2, room / 4, "Accepted: 10"),
    ]


def test_a_series_draws_columns_on_an_axis_from_zero():
    chart = chart_for(_table("series", {"2025-01": 12, "2025-02": SUPPRESSED, "2025-03": 30}))
    # 30 at the top of a 164-unit plot whose base is at 180.
    assert [(b.y, b.height, b.suppressed) for b in chart.bars] == [
        (114.4, 65.6, False),
        (180 - STUB, STUB, True),
        (16, 164, False),
    ]
    assert [(g.y, g.text) for g in chart.gridlines] == [(180, "0"), (98, "15"), (16, "30")]
    # Three months take 64 units each (the widest a column's room gets), each named.
    assert [(b.x, b.width) for b in chart.bars] == [(50.4, 51.2), (114.4, 51.2), (178.4, 51.2)]
    assert [m.text for m in chart.months] == ["2025-01", "2025-02", "2025-03"]


def test_a_long_series_names_every_third_month():
    chart = chart_for(_table("series", {f"m{i:02d}": i for i in range(1, 37)}))
    # A month's label needs 56 units and a column has 22 of them.
    assert chart.width == 44 + 36 * 22 + 8
    assert [m.text for m in chart.months][:3] == ["M01", "M04", "M07"]


def test_no_chart_without_one_named_or_without_rows():
    assert chart_for(_table("", {"a": 1})) is None
    assert chart_for(_table("bar", {})) is None


def test_figures_in_words():
    assert figure_text(0.4567, "share") == "46%"
    assert figure_text(123456, "money") == "£1,234.56"
    assert figure_text(12.5, "days") == "12.5 days"
    assert figure_text(12.0, "days") == "12 days"
    assert figure_text(1234, "count") == "1,234"
    assert figure_text(None, "count") == "none"
    assert figure_text(SUPPRESSED, "share") == SUPPRESSED


def test_a_small_share_keeps_a_decimal():
    assert figure_text(share(5, 1500), "share") == "0.3%"
    assert figure_text(share(0, 1500), "share") == "0%"
    assert figure_text(share(185, 1500), "share") == "12%"
