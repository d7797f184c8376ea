"""Into the flow: a referral submitted, an incident, an order or a court hearing recorded, each
with the work it gives the agencies."""

from __future__ import annotations

from django.db import transaction

from agencies.models import Membership
from referral import services as referral_services
from referral.models import Incident, PersonIdentifier, ProtectiveOrder, Referral
from victims import services as victims_services

from ..flows import ReferralFlow
from . import justice
from .assessments import check_hearing_date, hearing_record
from .orders import breach_enforce, notification_duty_start
from .starts import (
    downgrade_review_start,
    link_review_start,
    link_reviews_waiting,
)
from .victims import victims_code_event

# A hearing's assessments are the assessments' own (`assessments.HEARING_TASKS`).
__all__ = ["check_hearing_date", "hearing_record", "identifier_log", "incident_log", "order_log",
           "referral_refer"]


@transaction.atomic
def referral_refer(*, actor, membership: Membership, draft) -> referral_services.Submitted:
    """Submit a referral and start its flow: it lands in the coordinator's triage queue. Beside
    it: a risk below the screening's goes to the referrer's supervisors to approve, open
    referrals of the same people that the referrer may not see go to the coordinator to link
    or merge, the offences and warning signs referred are recorded, the victim's entitlement
    under the Victims' Code is recorded as referred (enhanced for stalking unless opted out),
    and bail conditions referred with it are news for the victim (`victims_code_event`)."""
    result = referral_services.referral_submit(actor=actor, membership=membership, draft=draft)
    victims_services.entitlement_at_referral(
        referral=result.referral, actor=actor, agency=membership.agency,
        opt_out_reason=draft.enhanced_rights_opt_out_reason,
    )
    justice.referral_justice_record(
        referral=result.referral, actor=actor, membership=membership, draft=draft
    )
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


@transaction.atomic
def identifier_log(
    *, referral: Referral, actor, membership: Membership, role: str, kind: str, value: str,
    platform: str = "",
) -> tuple[PersonIdentifier, referral_services.Submitted]:
    """Record an identifier of the victim or suspect, then link the case as intake does on
    what it now holds (`referral_links_refresh`): referrals of the same people that the
    member's agency may see join its timeline; open ones it may not see go to the coordinator
    to link or merge (a `link_referrals` task, unless one already waits on them)."""
    identifier = referral_services.identifier_record(
        referral=referral, actor=actor, membership=membership, role=role, kind=kind,
        value=value, platform=platform,
    )
    result = referral_services.referral_links_refresh(
        referral=referral, actor=actor, membership=membership
    )
    waiting = link_reviews_waiting(referral=referral)
    unseen = [m for m in result.unseen_matches if m.pk not in waiting]
    if unseen:
        link_review_start(referral=result.referral, matches=unseen)
    return identifier, result


def _bail_conditions_set(referral: Referral, orders, *, trigger: str, actor) -> None:
    """Bail conditions among these orders, recorded whenever: the victim must be told and asked
    for their views (`victims_code_event`)."""
    if any(order.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS for order in orders):
        victims_code_event(referral=referral, trigger=trigger, actor=actor)
