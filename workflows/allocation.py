"""Where work goes and when it is due: agencies by kind within the referrer's region, deadlines."""

from __future__ import annotations

from agencies.models import Agency, AgencyKind

from . import calendar

# Working days each task type is given, by the referral's risk (high risk gets less time).
DUE_WORKING_DAYS: dict[str, tuple[int, int]] = {
    # task type: (standard or medium, high)
    "triage": (2, 1),
    "approve_decline": (1, 1),
    "provide_info": (5, 2),
    "research": (5, 2),
    "threat_assessment": (10, 5),
    "charging_review": (5, 2),
    "schedule_conference": (2, 1),
    "plan": (10, 5),
    "review": (20, 10),
    "closure": (5, 5),
    "approve_closure": (2, 2),
    "approve_downgrade": (1, 1),
    "link_referrals": (2, 1),
    "perpetrator_assessment": (20, 10),
    "right_to_review": (30, 30),
}

# Agencies that research every accepted referral.
RESEARCH_KINDS = (AgencyKind.POLICE, AgencyKind.PROBATION, AgencyKind.ADVOCACY)


def agency_of_kind(kind: str, *, region: str) -> Agency | None:
    """The agency of a kind in the region (or, where the region has none, the first there is)."""
    return agencies_of_kinds([kind], region=region)[0]


def agencies_of_kinds(kinds, *, region: str) -> list[Agency | None]:
    """`agency_of_kind` of each kind, in one query (triage routes research to three)."""
    kinds = list(kinds)
    chosen: dict[str, Agency] = {}
    for agency in Agency.objects.filter(kind__in=kinds, is_active=True).order_by("id"):
        first = chosen.get(agency.kind)
        if first is None or (agency.region == region and first.region != region):
            chosen[agency.kind] = agency
    return [chosen.get(kind) for kind in kinds]


def due_for(task_type: str, *, risk_level: str, now=None):
    """A task's deadline, counted from `now` (the present unless given)."""
    standard, high = DUE_WORKING_DAYS[task_type]
    return calendar.due_in_working_days(high if risk_level == "high" else standard, now=now)
