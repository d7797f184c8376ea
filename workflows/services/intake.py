"""Into the flow: a referral submitted, an incident, an order or a court hearing recorded, each
with the work it gives the agencies."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import AgencyKind, Membership
from audit import events
from config.exceptions import DomainError, NotAllowed
from referral import services as referral_services
from referral.models import CourtHearing, Incident, ProtectiveOrder, Referral

from .. import allocation
from ..flows import ReferralFlow
from .orders import breach_enforce, notification_duty_start
from .starts import (
    case_task_start,
    downgrade_review_start,
    hearing_tasks_due,
    link_review_start,
)
from .victims import victims_code_event


@transaction.atomic
def referral_refer(*, actor, membership: Membership, draft) -> referral_services.Submitted:
    """Submit a referral and start its flow: it lands in the coordinator's triage queue. Beside
    it: a risk below the screening's goes to the referrer's supervisors to approve, open
    referrals of the same people that the referrer may not see go to the coordinator to link
    or merge, and bail conditions referred with it give advocacy a victim update."""
    result = referral_services.referral_submit(actor=actor, membership=membership, draft=draft)
    ReferralFlow.start.run(referral=result.referral)
    if result.risk_proposal is not None:
        downgrade_review_start(
            referral=result.referral, proposal=result.risk_proposal, agency=membership.agency
        )
    if result.unseen_matches:
        link_review_start(referral=result.referral, matches=result.unseen_matches)
    _bail_conditions_set(result.referral, draft.orders, trigger="bail_at_referral", actor=actor)
    return result


@transaction.atomic
def incident_log(*, referral: Referral, actor, membership: Membership, draft) -> Incident:
    """Log an incident; a breach of an order opens its offence (of a restraining order,
    non-molestation order or stalking protection order) and its enforcement, due by the
    region's local policy (`orders.breach_enforce`)."""
    incident = referral_services.incident_record(
        referral=referral, actor=actor, membership=membership, draft=draft
    )
    if incident.breach_of_order_id:
        breach_enforce(incident=incident, actor=actor, membership=membership)
    return incident


@transaction.atomic
def order_log(*, referral: Referral, actor, membership: Membership, draft) -> ProtectiveOrder:
    """Record an order; new bail conditions are a change the victim must be told of, and a
    stalking protection order recorded as served starts the suspect's notification duty."""
    order = referral_services.order_record(
        referral=referral, actor=actor, membership=membership, draft=draft
    )
    notification_duty_start(referral=referral, order=order)
    _bail_conditions_set(referral, [order], trigger="bail", actor=actor)
    return order


def _bail_conditions_set(referral: Referral, orders, *, trigger: str, actor) -> None:
    """Bail conditions among these orders, recorded whenever: the victim must be told and asked
    for their views (`victims_code_event`)."""
    if any(order.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS for order in orders):
        victims_code_event(referral=referral, trigger=trigger, actor=actor)


def check_hearing_date(on: date) -> None:
    """A hearing is recorded before it is held: its risk assessments fall due before it."""
    if on < timezone.localdate():
        raise DomainError(
            "The hearing date has passed.",
            fields={"date": ["The hearing date has passed: give a date from today on."]},
        )


@transaction.atomic
def hearing_record(
    *, referral: Referral, actor, membership: Membership, kind: str, on: date, court: str = ""
) -> CourtHearing:
    """A court hearing: risk assessments by advocacy and police due two working days before it,
    and a question to CPS whether a psychiatric assessment should be requested."""
    if not policy.can_record_hearing(membership):
        raise NotAllowed("Your agency may not record court hearings.")
    check_hearing_date(on)
    hearing = CourtHearing.objects.create(
        referral=referral, kind=kind, date=on, court=court, recorded_by=actor
    )
    events.hearing_recorded_event(hearing=hearing, actor=actor)
    due = hearing_tasks_due(on)
    region = referral.referrer_agency.region
    context = {"hearing": hearing.pk, "kind": kind, "date": on.isoformat()}
    for kind_of_agency in (AgencyKind.ADVOCACY, AgencyKind.POLICE):
        case_task_start(
            referral=referral,
            task_type="pre_hearing_risk_assessment",
            agency=allocation.agency_of_kind(kind_of_agency, region=region),
            due=due,
            context=context,
        )
    case_task_start(
        referral=referral,
        task_type="psychiatric_assessment_request",
        agency=allocation.agency_of_kind(AgencyKind.CPS, region=region),
        due=due,
        context=context,
    )
    return hearing
