"""Small numbers suppressed, and nothing left that would give one back."""

from reports.tables import SUPPRESSED, Column, Report, Row, Table, publishable, share


def _report(*tables: Table) -> Report:
    return Report(key="r", title="R", summary="", cohort={}, tables=tables)


def _outcomes(values: dict[str, int], *, parts: bool = True) -> Table:
    total = sum(values.values())
    return Table(
        key="t",
        title="Outcomes",
        columns=(
            Column("cases", "Cases"),
            Column("share", "Share", kind="share", numerator="cases"),
            Column("median_days", "Median days", kind="days", basis="cases"),
        ),
        rows=tuple(
            Row(k, k, {"cases": n, "share": share(n, total), "median_days": 10})
            for k, n in values.items()
        ),
        total=Row("total", "Total", {"cases": total, "share": 1.0, "median_days": 10}),
        parts=parts,
    )


def _published(table: Table) -> dict[str, dict]:
    (out,) = publishable(_report(table)).tables
    return {r.key: r.values for r in (*out.rows, out.total)}


def test_counts_under_five_are_suppressed_with_what_they_summarise():
    rows = _published(_outcomes({"a": 40, "b": 3, "c": 2}))
    assert rows["b"] == {"cases": SUPPRESSED, "share": SUPPRESSED, "median_days": SUPPRESSED}
    assert rows["c"]["cases"] == SUPPRESSED
    assert rows["a"] == {"cases": 40, "share": share(40, 45), "median_days": 10}
    assert rows["total"]["cases"] == 45


def test_zero_is_fewer_than_five():
    assert _published(_outcomes({"a": 40, "b": 0, "c": 9}))["b"]["cases"] == SUPPRESSED


def test_one_hidden_part_of_a_shown_total_hides_the_next_smallest_too():
    rows = _published(_outcomes({"a": 40, "b": 3, "c": 7, "d": 9}))
    assert rows["b"]["cases"] == SUPPRESSED
    # 59 - 40 - 9 would give b + c = 10 back only as a pair: c is hidden with b.
    assert rows["c"] == {"cases": SUPPRESSED, "share": SUPPRESSED, "median_days": SUPPRESSED}
    assert rows["d"]["cases"] == 9 and rows["a"]["cases"] == 40


def test_rows_that_are_not_parts_of_the_total_are_not_complemented():
    rows = _published(_outcomes({"a": 40, "b": 3, "c": 7}, parts=False))
    assert rows["c"]["cases"] == 7


def test_a_small_total_hides_every_share_of_it():
    rows = _published(_outcomes({"a": 2, "b": 1}))
    assert rows["total"]["cases"] == SUPPRESSED
    assert all(rows[k]["share"] == SUPPRESSED for k in "ab")


def test_publishing_twice_changes_nothing_more():
    report = publishable(_report(_outcomes({"a": 40, "b": 3, "c": 7})))
    assert publishable(report) is report
