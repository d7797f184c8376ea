"""Starting single tasks on a case, outside its main flow (`CaseTaskFlow`), and their deadlines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from agencies.models import AgencyKind
from referral import services as referral_services
from referral.models import Referral

from .. import allocation, calendar
from ..flows import CaseTaskFlow
from ..models import AgencyTask


def case_task_start(
    *,
    referral: Referral | None,
    task_type: str,
    agency,
    due: datetime,
    context: dict | None = None,
    excluded_user: int | None = None,
) -> AgencyTask | None:
    """Start a single task (outside the main flow) for an agency on a case; `excluded_user`
    may not take it."""
    if agency is None:
        return None
    process = CaseTaskFlow.start.run(
        referral=referral,
        task_type=task_type,
        agency=agency,
        due=due,
        context=context,
        excluded_user=excluded_user,
    )
    return AgencyTask.objects.filter(process=process, task_type=task_type).first()


def hearing_tasks_due(on: date, *, now: datetime | None = None) -> datetime:
    """Two working days before the hearing, at close of business, and never under four hours
    from `now` (a hearing recorded late)."""
    now = now or timezone.now()
    return max(calendar.end_of_day(calendar.add_working_days(on, -2)), now + timedelta(hours=4))


def victim_update_due(referral: Referral, *, now: datetime | None = None) -> datetime:
    """Victims' Code: within 5 working days, 1 for a victim with enhanced rights."""
    return calendar.due_in_working_days(1 if referral.victim_enhanced_rights else 5, now=now)


def victim_update_start(
    *, referral: Referral, agency, context: dict, task_type: str = "victim_update"
) -> AgencyTask | None:
    """The Victims' Code duty holder's update of the victim (a `victim_update`, or CPS's
    `victim_letter`), due by `victim_update_due`. Started by `victims_code_event`, which
    chooses the duty holder."""
    return case_task_start(
        referral=referral,
        task_type=task_type,
        agency=agency,
        due=victim_update_due(referral),
        context=context,
    )


def downgrade_review_start(
    *, referral: Referral, proposal: referral_services.RiskProposal, agency
) -> AgencyTask | None:
    """An `approve_downgrade` task for the supervisors of the proposer's agency (not the
    proposer), showing what is proposed, by whom, why, and what the screening gave."""
    screening = getattr(referral, "screening", None)
    context = {
        "proposed_risk_level": proposal.level,
        "current_risk_level": proposal.current,
        "reason": proposal.reason,
        "proposed_by": proposal.proposed_by,
        "proposed_at": proposal.stage,
        "screening_risk_level": screening.risk_level if screening else None,
        "screening_score": screening.score if screening else None,
        "screening_answers": screening.answers if screening else None,
    }
    return case_task_start(
        referral=referral,
        task_type="approve_downgrade",
        agency=agency,
        due=allocation.due_for("approve_downgrade", risk_level=referral.risk_level),
        context=context,
        excluded_user=proposal.proposed_by_id,
    )


def link_reviews_waiting(*, referral: Referral) -> set[int]:
    """The referrals an open `link_referrals` task of this case already asks about."""
    waiting: set[int] = set()
    for process_data in AgencyTask.objects.filter(
        referral=referral, task_type="link_referrals", is_open=True
    ).values_list("process__data", flat=True):
        waiting |= set((process_data or {}).get("context", {}).get("matches", []))
    return waiting


def link_review_start(*, referral: Referral, matches) -> AgencyTask | None:
    """A `link_referrals` task for the coordinator's caseworkers: a new referral and open ones
    of the same people its referrer may not see (which it is never told of)."""
    hub = allocation.agency_of_kind(AgencyKind.COORDINATOR, region=referral.referrer_agency.region)
    return case_task_start(
        referral=referral,
        task_type="link_referrals",
        agency=hub,
        due=allocation.due_for("link_referrals", risk_level=referral.risk_level),
        context={"referral": referral.pk, "matches": sorted(m.pk for m in matches)},
    )
