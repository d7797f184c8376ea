"""What the outcome reports look like outside: the API's JSON (its OpenAPI shapes) and the CSV,
shared by the API and the pages. Only ever a publishable report (`tables.publishable`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .cohort import COHORT_RULES, COHORT_VERSION
from .sections import ReportSpec
from .tables import SUPPRESSED, THRESHOLD, Report, Row, Table

CSV_COLUMNS = ("table", "row", "label", "column", "column_label", "value")


@extend_schema_field(
    {
        "anyOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
        "description": f'A figure: a number, "{SUPPRESSED}" where it is suppressed, or null.',
    }
)
class FigureField(serializers.JSONField):
    pass


class CohortRuleOutput(serializers.Serializer):
    version = serializers.IntegerField()
    rule = serializers.CharField()


class ReportLinkOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(help_text="The report in JSON (this API).")
    csv = serializers.CharField(help_text="The report as CSV.")


class ReportListOutput(serializers.Serializer):
    cohort_rule = CohortRuleOutput()
    results = ReportLinkOutput(many=True)


class CohortOutput(serializers.Serializer):
    version = serializers.IntegerField()
    rule = serializers.CharField()
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    region = serializers.CharField(allow_blank=True, help_text='"" for every region.')
    agency = serializers.CharField(allow_null=True, help_text="The agency's slug, or null.")


class SuppressionOutput(serializers.Serializer):
    threshold = serializers.IntegerField(help_text="Counts below this are not shown.")
    marker = serializers.CharField(help_text="What is shown instead.")


class ColumnOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(
        help_text="count, share (a fraction of 1), money (pence), days, number or text."
    )


class RowOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    values = serializers.DictField(child=FigureField(), help_text="By column key.")


class TableOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    chart = serializers.CharField(allow_blank=True, help_text='bar, funnel, series or "".')
    chart_column = serializers.CharField(allow_blank=True)
    columns = ColumnOutput(many=True)
    rows = RowOutput(many=True)
    total = RowOutput(allow_null=True)


class ReportOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    cohort = CohortOutput()
    suppression = SuppressionOutput()
    tables = TableOutput(many=True)


def cohort_rule() -> dict:
    return {"version": COHORT_VERSION, "rule": COHORT_RULES[COHORT_VERSION]}


def report_link(spec: ReportSpec, *, url: str, csv_url: str) -> dict:
    return {
        "key": spec.key,
        "title": spec.title,
        "summary": spec.summary,
        "url": url,
        "csv": csv_url,
    }


def _row(row: Row) -> dict:
    return {"key": row.key, "label": row.label, "values": dict(row.values)}


def table_output(table: Table) -> dict:
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "chart": table.chart,
        "chart_column": table.chart_column,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": [_row(r) for r in table.rows],
        "total": _row(table.total) if table.total else None,
    }


def report_output(report: Report, *, agency: str | None) -> dict:
    """A publishable report as the API answers it; `agency` is the slug the filter chose."""
    if not report.suppressed:
        raise ValueError("Only a publishable report leaves Concord.")
    return {
        "key": report.key,
        "title": report.title,
        "summary": report.summary,
        "cohort": {**report.cohort, "agency": agency},
        "suppression": {"threshold": THRESHOLD, "marker": SUPPRESSED},
        "tables": [table_output(t) for t in report.tables],
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    # Text a spreadsheet would read as a formula is kept as text (OWASP's CSV injection).
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def report_csv(report: Report) -> Iterator[str]:
    """A publishable report in long format: one figure a line, its table, row and column by key
    and label (the total row as `total`), suppressed figures as the marker."""
    if not report.suppressed:
        raise ValueError("Only a publishable report leaves Concord.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(c) for c in cells])
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for table in report.tables:
        for row in (*table.rows, *([table.total] if table.total else [])):
            for column in table.columns:
                if column.key in row.values:
                    yield line(
                        (
                            table.key,
                            row.key,
                            row.label,
                            column.key,
                            column.label,
                            row.values[column.key],
                        )
                    )


def csv_filename(report: Report) -> str:
    """concord-<report>-rule<version>[-<since>][-<until>].csv: what the file counted, and under
    which version of the cohort rule, in its name."""
    parts = ["concord", report.key, f"rule{report.cohort['version']}"]
    parts += [report.cohort[k] for k in ("since", "until") if report.cohort.get(k)]
    return "-".join(parts) + ".csv"


def csv_response(report: Report) -> HttpResponse:
    """The report's CSV as a download, named by `csv_filename`."""
    response = HttpResponse("".join(report_csv(report)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(report)}"'
    return response
