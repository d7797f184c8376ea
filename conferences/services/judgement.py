"""A referral to a conference on professional judgement: a route of its own."""

from __future__ import annotations

from django.db import transaction

from agencies import policy
from agencies.models import Membership
from config.exceptions import Conflict, DomainError, NotAllowed
from referral.models import Referral

from .. import criteria
from ..events import conference_referral_made_event
from ..models import AgendaItem, JudgementReferral
from .meetings import agenda_add_route

# Past research, a case is weighed for a conference again only when a chair puts it on an
# agenda: a judgement referral finding no conference scheduled then awaits the chairs.
PAST_RESEARCH = (Referral.Status.PLAN, Referral.Status.REVIEW)


def awaits_the_chairs(*, referral: Referral, item: AgendaItem | None) -> bool:
    """A judgement referral that found no conference scheduled, of a case past research: the
    region's chairs must schedule one and put the case on its agenda."""
    return item is None and referral.status in PAST_RESEARCH


@transaction.atomic
def conference_referral_make(
    *, referral: Referral, actor, membership: Membership, reason: str
) -> tuple[JudgementReferral, AgendaItem | None]:
    """Refer an open case to a conference on professional judgement (any member working with
    case content, of an agency that may see the case: the caller looked it up). Its item waiting
    on an open conference gains the route; otherwise it goes on the next scheduled conference
    with every route it meets now, wherever its flow is (heard there, a flow waiting for it to
    be heard moves on). With no conference scheduled the item is None: the route counts when
    the case is next weighed (`criteria.case_routes`: at the end of research, or when a chair
    puts it on an agenda); past research, its event says it awaits the chairs
    (`awaits_the_chairs`), whom the caller reminds."""
    if not policy.sees_case_content(membership):
        raise NotAllowed("Your role may not refer cases to a conference.")
    if not reason.strip():
        raise DomainError("Say why the case needs a conference.", fields={"reason": ["Required."]})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_open:
        raise Conflict("The case is closed; refer a new one.", code="case_closed")
    judgement = JudgementReferral.objects.create(
        referral=referral, agency=membership.agency, made_by=actor, reason=reason
    )
    routes, _ = criteria.case_routes(referral)
    item = agenda_add_route(referral=referral, routes=routes, actor=actor)
    conference_referral_made_event(
        judgement=judgement, item=item, actor=actor,
        awaits_the_chairs=awaits_the_chairs(referral=referral, item=item),
    )
    return judgement, item
