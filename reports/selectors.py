"""Reading the outcome reports: the cohort a reader may count, and a report over it."""

from __future__ import annotations

from datetime import date

from agencies import policy
from agencies.models import Agency, Membership
from config.exceptions import DomainError, NotFound

from .cohort import Cohort
from .sections import REPORTS, ReportSpec
from .sql import report_queries
from .tables import Report


def readable_reports(membership: Membership | None) -> list[ReportSpec]:
    """The reports this member may open, in the workspace's order."""
    return [spec for key, spec in REPORTS.items() if policy.may_read_report(membership, key)]


def report_spec(*, membership: Membership | None, key: str) -> ReportSpec:
    """The report, or NotFound when there is no such report or the member may not read it."""
    if key not in REPORTS or not policy.may_read_report(membership, key):
        raise NotFound("No such report.")
    return REPORTS[key]


def cohort_for(
    *,
    membership: Membership,
    since: date | None = None,
    until: date | None = None,
    region: str = "",
    agency: Agency | None = None,
) -> Cohort:
    """The cohort a reader asked for, within what it may count: every case for oversight,
    else the cases its agency may see (and no other agency may be chosen)."""
    everything = policy.reports_everything(membership)
    if agency is not None and not everything and agency.pk != membership.agency_id:
        raise DomainError(
            "You may report on your own agency's cases only.", fields={"agency": ["Not yours."]}
        )
    if since and until and since > until:
        raise DomainError(
            "The period ends before it starts.", fields={"until": ["Before the start."]}
        )
    return Cohort(
        since=since,
        until=until,
        region=region,
        agency_group=agency.group_id if agency is not None else None,
        scope_group=None if everything else membership.agency.group_id,
    )


def filter_choices(membership: Membership) -> tuple[list[str], list[Agency]]:
    """What a reader may choose in the filter: every region an agency names (in two queries
    with the agencies), and the agencies it may report on: any for oversight (those no longer
    active too, whose past cases still count), else its own."""
    regions = sorted(
        set(Agency.objects.exclude(region="").values_list("region", flat=True).distinct())
    )
    if policy.reports_everything(membership):
        agencies = list(Agency.objects.order_by("name"))
    else:
        agencies = [membership.agency]
    return regions, agencies


def report_build(*, spec: ReportSpec, cohort: Cohort) -> Report:
    """The report's true figures, before suppression (`tables.publishable`)."""
    with report_queries():
        tables = spec.build(cohort)
    return Report(
        key=spec.key,
        title=spec.title,
        summary=spec.summary,
        cohort=cohort.describe(),
        tables=tables,
    )
