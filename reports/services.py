"""What reading the outcome reports writes: an event on the trail for each read and export."""

from __future__ import annotations

from django.db import transaction

from audit import events

from .tables import Report


@transaction.atomic
def report_read_record(*, actor, report: Report, agency: str | None, file_format: str = "") -> None:
    """Put a read (or, with `file_format`, an export) of the report on the trail: its key and
    the cohort's parameters (not the rule's text, which its version names), no case."""
    cohort = {k: v for k, v in report.cohort.items() if k != "rule"}
    events.report_read_event(
        actor=actor,
        report=report.key,
        cohort={**cohort, "agency": agency},
        file_format=file_format,
    )
