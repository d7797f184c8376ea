"""Running a case conference: scheduling, the agenda, the chair's controls, decisions, actions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies import policy
from agencies.models import Agency
from agencies.selectors import membership_of
from audit import events
from config.exceptions import Conflict, DomainError, NotAllowed
from referral.access import (
    involvement_revoke_in_cases,
    involvements_grant,
    involvements_revoke,
)
from referral.models import InvolvementBasis, Referral

from .. import criteria
from ..models import AgendaItem, Attendance, Conference
from . import broadcast


def check_chair(actor, conference: Conference) -> None:
    member = membership_of(actor)
    if not policy.may(member, "chair_meeting") or member.agency_id != conference.coordinator_id:
        raise NotAllowed("Only a chair of the coordinating agency may do this.")


def lock_conference(conference: Conference) -> Conference:
    """The meeting's row, locked for the rest of the transaction: its changes go one at a time."""
    return Conference.objects.select_for_update().get(pk=conference.pk)


def require_status(conference: Conference, *allowed: str, doing: str) -> None:
    """A 409 naming what could not be done unless the meeting is in one of `allowed`."""
    if conference.status not in allowed:
        raise Conflict(
            f"Cannot {doing}: the meeting is {conference.get_status_display().lower()}.",
            code="invalid_transition",
        )


def _require_unsigned(conference: Conference, *, doing: str) -> None:
    if conference.status == Conference.Status.MINUTES_SIGNED:
        raise Conflict(
            f"Cannot {doing}: the minutes are signed.", code="minutes_signed"
        )


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
    events.conference_event(
        conference=conference,
        actor=actor,
        verb="conference.scheduled",
        changes={"invited": sorted(a.slug for a in {*invited, member.agency})},
    )
    return conference


@transaction.atomic
def conference_acknowledge(*, actor, conference: Conference) -> Attendance:
    """Accept the meeting's confidentiality statement: needed before case material or notes."""
    member = membership_of(actor)
    if member is None or not conference.invited_agencies.filter(pk=member.agency_id).exists():
        raise NotAllowed("Your agency is not invited to this meeting.")
    if not policy.can_read(member, "notes"):
        raise NotAllowed("Your role does not take part in case conferences.")
    # Taken after the signing's lock, the time falls either before the signature (and the
    # signed minutes list this attendee) or after it (and they do not): never in between.
    Conference.objects.select_for_update(no_key=True).only("pk").get(pk=conference.pk)
    attendance, created = Attendance.objects.get_or_create(
        conference=conference,
        user=actor,
        defaults={"agency": member.agency, "acknowledged_at": timezone.now()},
    )
    if created:
        events.conference_event(
            conference=conference, actor=actor, verb="confidentiality.acknowledged"
        )
    return attendance


@transaction.atomic
def conference_start(*, actor, conference: Conference) -> Conference:
    check_chair(actor, conference)
    conference = lock_conference(conference)
    require_status(conference, Conference.Status.SCHEDULED, doing="start the meeting")
    conference.status = Conference.Status.IN_SESSION
    conference.started_at = timezone.now()
    first = conference.agenda.exclude(status=AgendaItem.Status.REMOVED).order_by("position").first()
    conference.current_item = first
    conference.save(update_fields=["status", "started_at", "current_item"])
    if first:
        AgendaItem.objects.filter(pk=first.pk).update(status=AgendaItem.Status.CURRENT)
    events.conference_event(conference=conference, actor=actor, verb="conference.started")
    broadcast.meeting_state(conference.pk)
    return conference


@transaction.atomic
def conference_move(
    *, actor, conference: Conference, item_id: int | None = None, step: int = 0
) -> Conference:
    """Make an item current (by id, or the next / previous one); every screen follows."""
    check_chair(actor, conference)
    conference = lock_conference(conference)
    require_status(conference, Conference.Status.IN_SESSION, doing="move between cases")
    items = list(conference.agenda.exclude(status=AgendaItem.Status.REMOVED).order_by("position"))
    if item_id is not None:
        target = next((i for i in items if i.pk == item_id), None)
        if target is None:
            raise DomainError("That item is not on this agenda.", fields={"item": ["Not found."]})
    else:
        ids = [i.pk for i in items]
        here = ids.index(conference.current_item_id) if conference.current_item_id in ids else -1
        index = here + step
        if not 0 <= index < len(items):
            raise Conflict("There is no case in that direction.")
        target = items[index]
    AgendaItem.objects.filter(conference=conference, status=AgendaItem.Status.CURRENT).exclude(
        pk=target.pk
    ).update(status=AgendaItem.Status.PENDING)
    if target.status != AgendaItem.Status.CLOSED:
        AgendaItem.objects.filter(pk=target.pk).update(status=AgendaItem.Status.CURRENT)
    conference.current_item = target
    conference.save(update_fields=["current_item"])
    events.agenda_event(item=target, actor=actor, verb="agenda.current")
    broadcast.meeting_state(conference.pk)
    return conference


# Within a caller's transaction, no savepoint: nothing here recovers from an error, so an error
# fails the caller's transaction as a whole.
@transaction.atomic(savepoint=False)
def conference_close(*, actor, conference: Conference) -> Conference:
    """Close the meeting: no more decisions or actions; the minutes wait to be signed."""
    check_chair(actor, conference)
    conference = lock_conference(conference)
    require_status(conference, Conference.Status.IN_SESSION, doing="close the meeting")
    conference.status = Conference.Status.CLOSED
    conference.closed_at = timezone.now()
    conference.current_item = None
    conference.save(update_fields=["status", "closed_at", "current_item"])
    events.conference_event(conference=conference, actor=actor, verb="conference.closed")
    broadcast.meeting_state(conference.pk)
    return conference


@transaction.atomic
def minutes_sign(*, actor, conference: Conference) -> Conference:
    """The chair signs the minutes: they are read as at this moment from now on (see
    `selectors.minutes`); notes lock and later corrections are addenda."""
    check_chair(actor, conference)
    conference = lock_conference(conference)
    require_status(conference, Conference.Status.CLOSED, doing="sign the minutes")
    conference.status = Conference.Status.MINUTES_SIGNED
    conference.minutes_signed_at = timezone.now()
    conference.save(update_fields=["status", "minutes_signed_at"])
    events.conference_event(conference=conference, actor=actor, verb="minutes.signed")
    broadcast.meeting_state(conference.pk)
    return conference


def minutes_sent_record(*, conference_id: int, actor) -> None:
    """The minutes went to every agency invited: a disclosure, on the trail."""
    conference = Conference.objects.get(pk=conference_id)
    events.minutes_sent_event(
        conference=conference,
        actor=actor,
        recipients=sorted(conference.invited_agencies.values_list("slug", flat=True)),
    )


# --- The agenda ------------------------------------------------------------------------------


def _next_position(conference: Conference) -> int:
    return (conference.agenda.aggregate(m=Max("position"))["m"] or 0) + 1


def _add(
    *, conference: Conference, referral: Referral, actor=None, routes: list[str] | None = None
) -> AgendaItem:
    """Put the case on the meeting's agenda with the conference criteria's routes it meets
    (`routes`, else those it meets now: none when a chair adds a case of their own choice). A
    case already there keeps its item, which gains any new route."""
    if routes is None:
        routes, _ = criteria.case_routes(referral)
    year_ago = timezone.now() - timedelta(days=365)
    is_repeat = AgendaItem.objects.filter(
        referral__timeline_id=referral.timeline_id,
        conference__starts_at__gte=year_ago,
        status=AgendaItem.Status.CLOSED,
    ).exists()
    routes = criteria.merged_routes(routes)
    item, created = AgendaItem.objects.get_or_create(
        conference=conference,
        referral=referral,
        defaults={
            "position": _next_position(conference), "is_repeat": is_repeat, "routes": routes,
            "primary_route": criteria.primary_route(routes),
        },
    )
    if not created and item.status == AgendaItem.Status.REMOVED:
        item.status = AgendaItem.Status.PENDING
        item.position = _next_position(conference)
        item.routes = routes
        item.primary_route = criteria.primary_route(routes)
        item.save(update_fields=["status", "position", "routes", "primary_route"])
        created = True
    elif not created and set(routes) - set(item.routes):
        _route_add(item, routes)
    if created:
        events.agenda_event(item=item, actor=actor, verb="agenda.added",
                            changes={"position": item.position, "repeat": item.is_repeat,
                                     "routes": item.routes})
    involvements_grant(
        referral=referral,
        agencies=conference.invited_agencies.all(),
        basis=InvolvementBasis.CONFERENCE,
        source=f"conference:{conference.pk}",
        actor=actor,
    )
    return item


def _route_add(item: AgendaItem, routes: list[str]) -> AgendaItem:
    """An item already on an agenda gains routes (its primary route may change); the decision
    that added them is on the trail (a judgement referral's `conference_referral.made`)."""
    item.routes = criteria.merged_routes(item.routes, routes)
    item.primary_route = criteria.primary_route(item.routes)
    item.save(update_fields=["routes", "primary_route"])
    return item


def _next_conference() -> Conference | None:
    """The next scheduled conference, locked."""
    return (
        Conference.objects.select_for_update()
        .filter(status=Conference.Status.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at", "id")
        .first()
    )


@transaction.atomic
def agenda_add_to_next(
    *, referral: Referral, routes: list[str] | None = None, actor=None
) -> AgendaItem | None:
    """Put a case on the next scheduled conference, if there is one, with the routes it met
    (`_add`)."""
    conference = _next_conference()
    if conference is None:
        return None
    return _add(conference=conference, referral=referral, actor=actor, routes=routes)


@transaction.atomic
def agenda_add_route(
    *, referral: Referral, routes: list[str], actor=None
) -> AgendaItem | None:
    """The case's item waiting on an open conference (scheduled or in session) gains `routes`,
    or, when it waits on none, the case goes on the next scheduled conference with them. None
    when no conference is scheduled."""
    waiting = (
        AgendaItem.objects.select_for_update()
        .filter(
            referral=referral,
            status__in=(AgendaItem.Status.PENDING, AgendaItem.Status.CURRENT),
            conference__status__in=(Conference.Status.SCHEDULED, Conference.Status.IN_SESSION),
        )
        .order_by("conference__starts_at", "id")
        .first()
    )
    if waiting is not None:
        if set(routes) - set(waiting.routes):
            _route_add(waiting, routes)
        return waiting
    return agenda_add_to_next(referral=referral, routes=routes, actor=actor)


@transaction.atomic
def agenda_add(*, referral: Referral, conference_id: int, actor) -> AgendaItem:
    conference = Conference.objects.select_for_update().filter(pk=conference_id).first()
    if conference is None:
        raise DomainError("No such conference.", fields={"conference": ["No such conference."]})
    if conference.status not in (Conference.Status.SCHEDULED, Conference.Status.IN_SESSION):
        raise Conflict("That conference is no longer open for new cases.")
    item = _add(conference=conference, referral=referral, actor=actor)
    broadcast.meeting_state(conference.pk)
    return item


@transaction.atomic
def agenda_remove(*, actor, item: AgendaItem) -> AgendaItem:
    """Take a case off the agenda (before it is heard); its conference involvement ends."""
    conference = item.conference
    check_chair(actor, conference)
    conference = lock_conference(conference)
    _require_unsigned(conference, doing="change the agenda")
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.status == AgendaItem.Status.CLOSED:
        raise Conflict("A heard case stays on the agenda.")
    item.status = AgendaItem.Status.REMOVED
    item.save(update_fields=["status"])
    events.agenda_event(item=item, actor=actor, verb="agenda.removed")
    involvements_revoke(
        referral=item.referral,
        agencies=conference.invited_agencies.all(),
        basis=InvolvementBasis.CONFERENCE,
        source=f"conference:{conference.pk}",
        actor=actor,
    )
    broadcast.meeting_state(conference.pk)
    return item


@transaction.atomic
def agenda_reorder(*, actor, conference: Conference, order: list[int]) -> Conference:
    check_chair(actor, conference)
    conference = lock_conference(conference)
    _require_unsigned(conference, doing="change the agenda")
    items = {i.pk: i for i in conference.agenda.exclude(status=AgendaItem.Status.REMOVED)}
    if sorted(order) != sorted(items):
        raise DomainError(
            "Give every item on the agenda exactly once.",
            fields={"order": ["Must list each agenda item id once."]},
        )
    for position, item_id in enumerate(order, start=1):
        AgendaItem.objects.filter(pk=item_id).update(position=position)
    events.conference_event(conference=conference, actor=actor, verb="agenda.reordered",
                            changes={"order": order})
    broadcast.meeting_state(conference.pk)
    return conference


@transaction.atomic
def agenda_item_close(*, item: AgendaItem, actor) -> AgendaItem:
    """The case has been heard: close its item."""
    item = AgendaItem.objects.select_for_update().select_related("conference").get(pk=item.pk)
    if actor is not None:
        check_chair(actor, item.conference)
    if item.status == AgendaItem.Status.CLOSED:
        raise Conflict("This agenda item is already closed.")
    item.status = AgendaItem.Status.CLOSED
    item.save(update_fields=["status"])
    events.agenda_event(item=item, actor=actor, verb="agenda.heard")
    broadcast.meeting_state(item.conference_id)
    return item


@transaction.atomic
def conference_uninvite(*, actor, conference: Conference, agency: Agency) -> None:
    """Withdraw an agency from a meeting: its access through the meeting ends, its sockets close."""
    check_chair(actor, conference)
    if agency.pk == conference.coordinator_id:
        raise DomainError("The coordinating agency cannot be withdrawn.")
    conference.invited_agencies.remove(agency)
    events.conference_event(conference=conference, actor=actor, verb="conference.uninvited",
                            changes={"agency": agency.slug})
    involvement_revoke_in_cases(
        referrals=[item.referral for item in conference.agenda.select_related("referral")],
        agency=agency,
        basis=InvolvementBasis.CONFERENCE,
        source=f"conference:{conference.pk}",
        actor=actor,
    )
    broadcast.agency_revoked(conference.pk, agency.slug)
