"""Reads of conferences, scoped to the caller: invited agencies only; notes as each may see them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import partial

from django.db.models import Prefetch, QuerySet

from agencies import policy
from agencies.models import Agency
from agencies.selectors import membership_of, person_name
from config.exceptions import NotAllowed, NotFound
from referral import access
from referral.models import Referral

from .models import (
    AgendaItem,
    Attendance,
    Conference,
    ConferenceAction,
    Decision,
    Note,
    Presence,
)


def conference_list(*, user) -> QuerySet[Conference]:
    member = membership_of(user)
    if member is None or not policy.can_read(member, "notes"):
        return Conference.objects.none()
    return (
        Conference.objects.filter(invited_agencies=member.agency_id)
        .select_related("coordinator", "chair")
        .order_by("-starts_at", "-id")
    )


def conference_get(*, user, conference_id) -> Conference:
    """A meeting the caller's agency is invited to, or `NotFound` (the same as a missing one)."""
    try:
        conference_id = int(conference_id)
    except (TypeError, ValueError):
        raise NotFound from None
    conference = conference_list(user=user).filter(pk=conference_id).first()
    if conference is None:
        raise NotFound
    return conference


def agenda_item_get(*, conference: Conference, item_id) -> AgendaItem:
    """An item of this meeting's agenda (removed ones too), or `NotFound`."""
    item = conference.agenda.filter(pk=item_id).select_related("conference", "referral").first()
    if item is None:
        raise NotFound
    return item


def has_acknowledged(*, user, conference: Conference) -> bool:
    return Attendance.objects.filter(conference=conference, user=user).exists()


# (user id, meeting id, answer) given by `attendance_answered` for the block it is in.
_answered: ContextVar[tuple[int | None, int, str | None] | None] = ContextVar(
    "attendance_answered", default=None
)


def attendee_agency_slug(*, user, conference: Conference | int) -> str | None:
    """The agency the user attends for, if invited, a note-taking role, and acknowledged.

    One query after the membership: the socket asks this on every message it receives. Inside
    `attendance_answered` for this user and meeting, the answer it gave (no query).
    """
    conference_id = conference.pk if isinstance(conference, Conference) else conference
    answered = _answered.get()
    if answered is not None and answered[:2] == (getattr(user, "pk", None), conference_id):
        return answered[2]
    member = membership_of(user)
    if member is None or not policy.can_read(member, "notes"):
        return None
    attending = Attendance.objects.filter(
        conference_id=conference_id, user_id=user.pk, conference__invited_agencies=member.agency_id
    ).exists()
    return member.agency.slug if attending else None


@contextmanager
def attendance_answered(*, user, conference_id: int) -> Iterator[str | None]:
    """Ask `attendee_agency_slug` once; the services called within the block get that answer
    instead of asking again: a socket's message is authorised and acted on in one database call
    on the meeting's one database thread, which then asks once."""
    slug = attendee_agency_slug(user=user, conference=conference_id)
    token = _answered.set((getattr(user, "pk", None), conference_id, slug))
    try:
        yield slug
    finally:
        _answered.reset(token)


def require_attendee(*, user, conference: Conference | int) -> str:
    slug = attendee_agency_slug(user=user, conference=conference)
    if slug is None:
        raise NotAllowed(
            "Accept the meeting's confidentiality statement first.", code="not_acknowledged"
        )
    return slug


def agenda(*, conference: Conference) -> list[AgendaItem]:
    return list(
        conference.agenda.exclude(status=AgendaItem.Status.REMOVED)
        .select_related("referral")
        .prefetch_related(
            Prefetch("decisions"),
            Prefetch("actions", queryset=ConferenceAction.objects.select_related("agency")),
        )
        .order_by("position", "id")
    )


def outstanding_actions(*, conference: Conference, membership) -> list[ConferenceAction]:
    """Actions from earlier meetings on this agenda's cases (same timeline) still to review, on
    the referrals the member's agency may see (a linked case it may not see stays out)."""
    timelines = conference.agenda.exclude(status=AgendaItem.Status.REMOVED).values(
        "referral__timeline_id"
    )
    return list(
        ConferenceAction.objects.filter(
            item__referral__timeline_id__in=timelines,
            item__referral_id__in=access.visible_case_ids(membership),
        )
        .exclude(item__conference=conference)
        .exclude(outcome=ConferenceAction.Outcome.DONE)
        .select_related("agency", "item__referral", "item__conference")
        .order_by("due", "id")
    )


def case_outcomes(*, referral: Referral, membership) -> list[AgendaItem]:
    """The meetings that have the case on their agenda (not removed), by date, each item with
    its decisions (and who decided) and actions (and their agency), as a reader may see
    them: nothing for a member who may not read conference material (`notes`). Three queries
    whatever the number of meetings, decisions and actions."""
    if not policy.can_read(membership, "notes"):
        return []
    return list(
        AgendaItem.objects.filter(referral_id=referral.pk)
        .exclude(status=AgendaItem.Status.REMOVED)
        .select_related("conference")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")
                     .order_by("decided_at", "id")),
            Prefetch("actions", queryset=ConferenceAction.objects.select_related("agency")
                     .order_by("due", "id")),
        )
        .order_by("conference__starts_at", "id")
    )


def notes_visible(*, conference: Conference, agency_slug: str, since: int = 0) -> list[Note]:
    """The meeting's notes after `since` that this agency may see, oldest first."""
    notes = (
        Note.objects.filter(conference=conference, seq__gt=since)
        .select_related("author", "agency")
        .order_by("seq")
    )
    return [n for n in notes if n.visible_for(agency_slug)]


def invited_slugs(*, conference: Conference | int) -> list[str]:
    conference_id = conference.pk if isinstance(conference, Conference) else conference
    return sorted(
        Agency.objects.filter(conferences=conference_id).values_list("slug", flat=True)
    )


def minutes(*, conference: Conference, agency_slug: str) -> dict:
    """The minutes as one agency may see them: decisions and actions, and only its notes.

    Signed minutes read as at the signing: who had accepted the confidentiality statement,
    the decisions, actions (and outcomes already reported) and notes recorded by then, and
    every addendum since (the one way to correct them).
    """
    signed_at = conference.minutes_signed_at
    notes = notes_visible(conference=conference, agency_slug=agency_slug)
    if signed_at is not None:
        notes = [n for n in notes if n.is_addendum or n.created_at <= signed_at]
    by_item: dict[int | None, list[Note]] = {}
    for note in notes:
        by_item.setdefault(note.agenda_item_id, []).append(note)
    names = dict(
        Agency.objects.filter(slug__in={s for n in notes for s in n.visible_to or ()})
        .values_list("slug", "name")
    )
    attendance = Attendance.objects.filter(conference=conference)
    decisions = Decision.objects.select_related("decided_by").order_by("decided_at", "id")
    actions = ConferenceAction.objects.select_related("agency").order_by("due", "id")
    if signed_at is not None:
        attendance = attendance.filter(acknowledged_at__lte=signed_at)
        decisions = decisions.filter(decided_at__lte=signed_at)
        actions = actions.filter(created_at__lte=signed_at)
    items = (
        conference.agenda.exclude(status=AgendaItem.Status.REMOVED)
        .select_related("referral")
        .prefetch_related(Prefetch("decisions", queryset=decisions),
                          Prefetch("actions", queryset=actions))
        .order_by("position", "id")
    )
    note_line = partial(_note_line, names=names)
    return {
        "conference": conference.pk,
        "title": conference.title,
        "starts_at": conference.starts_at,
        "started_at": conference.started_at,
        "closed_at": conference.closed_at,
        "status": conference.status,
        "signed_at": signed_at,
        "for_agency": agency_slug,
        "confidentiality_statement": conference.confidentiality_statement,
        "attendance": [
            {"user": a.user.get_username(), "name": person_name(a.user),
             "agency": a.agency.slug, "agency_name": a.agency.name,
             "acknowledged_at": a.acknowledged_at}
            for a in attendance.select_related("user", "agency").order_by("acknowledged_at", "id")
        ],
        "items": [
            {
                "id": item.pk,
                "referral": item.referral_id,
                "reference": item.referral.reference,
                "position": item.position,
                "status": item.status,
                "is_repeat": item.is_repeat,
                "decisions": [
                    {"text": d.text, "reason": d.reason, "decided_by": person_name(d.decided_by)}
                    for d in item.decisions.all()
                ],
                "actions": [
                    {"agency": a.agency.slug, "agency_name": a.agency.name,
                     "description": a.description, "due": a.due,
                     "outcome": _outcome_as_at(a, signed_at),
                     "outcome_label": OUTCOMES.get(_outcome_as_at(a, signed_at), "")}
                    for a in item.actions.all()
                ],
                "notes": [note_line(n) for n in by_item.get(item.pk, [])],
            }
            for item in items
        ],
        "general_notes": [note_line(n) for n in by_item.get(None, [])],
    }


OUTCOMES = dict(ConferenceAction.Outcome.choices)


def _outcome_as_at(action: ConferenceAction, signed_at: datetime | None) -> str | None:
    """The action's outcome, unless it was reported after the minutes were signed."""
    if signed_at is not None and action.outcome_at is not None and action.outcome_at > signed_at:
        return None
    return action.outcome or None


def _note_line(note: Note, *, names: dict[str, str]) -> dict:
    return {
        "seq": note.seq,
        "author": note.author.get_username(),
        "author_name": person_name(note.author),
        "agency": note.agency.slug,
        "agency_name": note.agency.name,
        "text": note.text,
        "visible_to": note.visible_to,
        "visible_to_names": (
            [names.get(slug, slug) for slug in note.visible_to] if note.visible_to else None
        ),
        "addendum_to": note.addendum_to_id,
        "is_addendum": note.is_addendum,
    }


def meeting_state(*, conference_id: int) -> dict:
    """What every screen in the room shows: status, agenda, current item, who is here.

    The same for every agency invited (the agenda is theirs to see; notes are not in it).
    """
    conference = Conference.objects.select_related("current_item__referral").get(
        pk=conference_id
    )
    names = dict(
        Agency.objects.filter(conferences=conference_id).values_list("slug", "name")
    )
    return {
        "type": "meeting.state",
        "status": conference.status,
        "current_item": conference.current_item_id,
        "last_seq": conference.last_seq,
        "agenda": [
            {
                "id": i.pk,
                "referral": i.referral_id,
                "reference": i.referral.reference,
                "position": i.position,
                "status": i.status,
                "is_repeat": i.is_repeat,
                # What the chair recorded on the case: every attendee's screen shows it as it
                # is recorded (the minutes show it to every invited agency).
                "decisions": [
                    {"id": d.pk, "text": d.text, "reason": d.reason}
                    for d in i.decisions.all()
                ],
                "actions": [
                    {"id": a.pk, "agency": a.agency.slug, "agency_name": a.agency.name,
                     "description": a.description, "due": a.due.isoformat()}
                    for a in i.actions.all()
                ],
            }
            for i in agenda(conference=conference)
        ],
        "presence": sorted(
            {
                (person_name(p.user), names.get(p.agency_slug, p.agency_slug))
                for p in Presence.objects.filter(conference=conference).select_related("user")
            }
        ),
    }


def conferences_upcoming(*, user, limit: int = 3) -> list[Conference]:
    """The next meetings the caller's agency is invited to that are not over (scheduled or in
    session), soonest first, each with its agenda (the cases on it, removed ones left out) in
    `agenda_items`. Two queries, whatever the number of meetings and cases."""
    items = (
        AgendaItem.objects.exclude(status=AgendaItem.Status.REMOVED)
        .select_related("referral")
        .order_by("position", "id")
    )
    return list(
        conference_list(user=user)
        .filter(status__in=[Conference.Status.SCHEDULED, Conference.Status.IN_SESSION])
        .order_by("starts_at", "id")
        .prefetch_related(Prefetch("agenda", queryset=items, to_attr="agenda_items"))[:limit]
    )


def actions_outstanding(*, user, limit: int = 10) -> list[ConferenceAction]:
    """Actions agreed at the meetings the caller's agency is invited to that are not done yet,
    on cases its agency may see, soonest due first. One query."""
    member = membership_of(user)
    if member is None or not policy.can_read(member, "notes"):
        return []
    return list(
        ConferenceAction.objects.filter(
            item__conference__invited_agencies=member.agency_id,
            item__referral__in=Referral.objects.filter(access.case_visibility(member)),
        )
        .exclude(outcome=ConferenceAction.Outcome.DONE)
        .select_related("agency", "item__referral", "item__conference")
        .order_by("due", "id")[:limit]
    )
