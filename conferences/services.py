"""Conference changes: scheduling, putting cases on the agenda, hearing them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies import policy
from agencies.models import Agency
from agencies.policy import InvolvementBasis
from agencies.selectors import membership_of
from agencies.services import involvement_grant
from config.exceptions import Conflict, DomainError, NotAllowed
from referral.models import Referral

from .models import AgendaItem, Conference


@transaction.atomic
def conference_create(
    *, actor, title: str, starts_at: datetime, invited: list[Agency], place: str = ""
) -> Conference:
    """Schedule a case conference (chairs only); the chair's own agency coordinates it."""
    member = membership_of(actor)
    if not policy.may(member, "chair_meeting"):
        raise NotAllowed("Only a conference chair may schedule a conference.")
    conference = Conference.objects.create(
        title=title, starts_at=starts_at, place=place, chair=actor, coordinator=member.agency
    )
    conference.invited_agencies.set({*invited, member.agency})
    return conference


def _next_position(conference: Conference) -> int:
    return (conference.agenda.aggregate(m=Max("position"))["m"] or 0) + 1


def _add(*, conference: Conference, referral: Referral, actor=None) -> AgendaItem:
    year_ago = timezone.now() - timedelta(days=365)
    is_repeat = AgendaItem.objects.filter(
        referral__timeline_id=referral.timeline_id,
        conference__starts_at__gte=year_ago,
        status=AgendaItem.Status.CLOSED,
    ).exists()
    item, _ = AgendaItem.objects.get_or_create(
        conference=conference,
        referral=referral,
        defaults={"position": _next_position(conference), "is_repeat": is_repeat},
    )
    for agency in conference.invited_agencies.all():
        involvement_grant(
            referral=referral,
            agency=agency,
            basis=InvolvementBasis.CONFERENCE,
            source=f"conference:{conference.pk}",
            actor=actor,
        )
    return item


@transaction.atomic
def agenda_add_to_next(*, referral: Referral) -> AgendaItem | None:
    """Put a case on the next scheduled conference of its coordinator, if there is one."""
    conference = (
        Conference.objects.select_for_update()
        .filter(status=Conference.Status.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at", "id")
        .first()
    )
    if conference is None:
        return None
    return _add(conference=conference, referral=referral)


@transaction.atomic
def agenda_add(*, referral: Referral, conference_id: int, actor) -> AgendaItem:
    conference = Conference.objects.select_for_update().filter(pk=conference_id).first()
    if conference is None:
        raise DomainError("No such conference.", fields={"conference": ["No such conference."]})
    if conference.status != Conference.Status.SCHEDULED:
        raise Conflict("That conference is no longer open for new cases.")
    return _add(conference=conference, referral=referral, actor=actor)


@transaction.atomic
def agenda_item_close(*, item: AgendaItem, actor) -> AgendaItem:
    """The case has been heard: close its item and move its referral flow on to review."""
    from workflows.services import conference_heard

    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.status == AgendaItem.Status.CLOSED:
        raise Conflict("This agenda item is already closed.")
    item.status = AgendaItem.Status.CLOSED
    item.save(update_fields=["status"])
    conference_heard(referral=item.referral)
    return item
