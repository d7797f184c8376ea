"""Which cases a report counts: its cohort, by a written and versioned rule.

A report says which version of the rule it used. A change to what a case counts for (the date
that places it in a period, what makes it a region's or an agency's) is a new version with its
own text, never an edit of an old one, so two reports made under one version compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from referral.access import group_case_visibility
from referral.models import Referral

COHORT_RULES: dict[int, str] = {
    1: (
        "A case counts in the period in which it was referred: the day its referral was "
        "received (UK time), from the first day to the last inclusive. A region's cases are "
        "those referred by an agency of that region. An agency's cases are those it is involved "
        "in now (it referred the case, holds a task on it, or is invited to a conference with it "
        "on the agenda). What happened to the cohort's cases after referral (decisions, charges, "
        "sentences, orders, breaches, assessments, contacts) counts whenever it happened, up to "
        "the moment the report is made; a figure about a date (a breach in a month, a sentence "
        "in a year) says so. A reader of a case agency counts only the cases its agency may see "
        "now; an oversight reader counts every case."
    ),
}
COHORT_VERSION = max(COHORT_RULES)


@dataclass(frozen=True)
class Cohort:
    """The cases a report counts.

    `since` and `until` bound the referral day (either may be open); `region` is a region
    name or ""; `agency_group` is the group of the agency chosen in the filter, or None;
    `scope_group` is the reader's agency group, or None for an oversight reader, who counts
    every case.
    """

    since: date | None = None
    until: date | None = None
    region: str = ""
    agency_group: int | None = None
    scope_group: int | None = None
    version: int = COHORT_VERSION

    @property
    def rule(self) -> str:
        return COHORT_RULES[self.version]

    def referral_filter(self, prefix: str = "") -> Q:
        """The cohort as a filter on a model that reaches the referral through `prefix`
        (`""` for `Referral` itself, `"referral__"` for a table with a case key)."""
        q = Q()
        if self.since is not None:
            q &= Q(**{f"{prefix}created_at__gte": _midnight(self.since)})
        if self.until is not None:
            q &= Q(**{f"{prefix}created_at__lt": _midnight(self.until + timedelta(days=1))})
        if self.region:
            q &= Q(**{f"{prefix}referrer_agency__region": self.region})
        return q

    def referrals(self) -> QuerySet[Referral]:
        """The cohort's referrals."""
        qs = Referral.objects.filter(self.referral_filter())
        for group in (self.scope_group, self.agency_group):
            if group is not None:
                qs = qs.filter(group_case_visibility(group))
        return qs

    def referral_ids(self) -> QuerySet:
        """The cohort's referral ids, as a subquery for tables with a case key."""
        return self.referrals().values("pk")

    @property
    def whole_caseload(self) -> bool:
        """Whether the cohort is every case: no period, region or agency, an oversight reader."""
        return (
            self.since is None
            and self.until is None
            and not self.region
            and self.agency_group is None
            and self.scope_group is None
        )

    def rows_of(self, rows: QuerySet, case: str = "referral_id") -> QuerySet:
        """`rows` of the cohort's cases (`case`: the field holding the row's case). For the
        whole caseload that is every row with a case: a semi-join with every referral would
        change no figure and cost a hash of 100,000 ids and a probe per row."""
        if self.whole_caseload:
            return rows.filter(**{f"{case}__isnull": False})
        return rows.filter(**{f"{case}__in": self.referral_ids()})

    def describe(self) -> dict:
        """The cohort's parameters, as a report states them."""
        return {
            "version": self.version,
            "rule": self.rule,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "region": self.region,
        }


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
