"""Changing a scheduled meeting before it starts: its details, who is invited, cancelling it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from agencies.models import Agency
from audit import events
from config.exceptions import Conflict, DomainError
from referral.access import involvement_revoke_in_cases, involvements_grant
from referral.models import InvolvementBasis

from ..models import AgendaItem, Conference
from . import broadcast
from .meetings import check_chair, lock_conference, require_status

MAX_REASON_CHARS = 2000


def _clean_title(title) -> str:
    if not isinstance(title, str) or not title.strip():
        raise DomainError("A meeting needs a title.", fields={"title": ["Enter a title."]})
    return title.strip()


@transaction.atomic
def conference_update(
    *, actor, conference: Conference, title: str, starts_at: datetime, place: str,
    invited: list[Agency],
) -> Conference:
    """Change a scheduled meeting's title, time, place and invited agencies (its chair's
    agency stays invited). An agency newly invited is involved in the agenda's cases; one no
    longer invited loses that involvement and its open sockets close."""
    check_chair(actor, conference)
    conference = lock_conference(conference)
    require_status(conference, Conference.Status.SCHEDULED, doing="change the meeting")
    title = _clean_title(title)
    before = {
        "title": conference.title,
        "starts_at": conference.starts_at.isoformat(),
        "place": conference.place,
    }
    conference.title, conference.starts_at, conference.place = title, starts_at, place or ""
    conference.save(update_fields=["title", "starts_at", "place"])
    after = {
        "title": conference.title,
        "starts_at": conference.starts_at.isoformat(),
        "place": conference.place,
    }
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}

    wanted = {agency.pk: agency for agency in invited}
    wanted[conference.coordinator_id] = conference.coordinator
    current = {agency.pk: agency for agency in conference.invited_agencies.all()}
    added = [wanted[pk] for pk in sorted(set(wanted) - set(current))]
    removed = [current[pk] for pk in sorted(set(current) - set(wanted))]
    source = f"conference:{conference.pk}"
    referrals = [
        item.referral
        for item in conference.agenda.exclude(status=AgendaItem.Status.REMOVED)
        .select_related("referral")
    ]
    if added:
        conference.invited_agencies.add(*added)
        for referral in referrals:
            involvements_grant(referral=referral, agencies=added,
                               basis=InvolvementBasis.CONFERENCE, source=source, actor=actor)
        changes["invited"] = sorted(a.slug for a in added)
    if removed:
        conference.invited_agencies.remove(*removed)
        for agency in removed:
            involvement_revoke_in_cases(referrals=referrals, agency=agency,
                                        basis=InvolvementBasis.CONFERENCE, source=source,
                                        actor=actor)
            broadcast.agency_revoked(conference.pk, agency.slug)
        changes["uninvited"] = sorted(a.slug for a in removed)
    if changes:
        events.conference_event(conference=conference, actor=actor, verb="conference.updated",
                                changes=changes)
        broadcast.meeting_state(conference.pk)
    return conference


@transaction.atomic
def conference_cancel(*, actor, conference: Conference, reason: str) -> Conference:
    """Cancel a scheduled meeting, with the reason. A meeting with cases on its agenda is not
    cancelled: each case waits to be heard, so the chair first moves it to another meeting (or
    takes it off the agenda)."""
    check_chair(actor, conference)
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError("Say why the meeting is cancelled.",
                          fields={"reason": ["Enter the reason."]})
    if len(reason) > MAX_REASON_CHARS:
        raise DomainError("The reason is too long.",
                          fields={"reason": [f"At most {MAX_REASON_CHARS} characters."]})
    conference = lock_conference(conference)
    require_status(conference, Conference.Status.SCHEDULED, doing="cancel the meeting")
    waiting = conference.agenda.exclude(status=AgendaItem.Status.REMOVED).count()
    if waiting:
        raise Conflict(
            f"The agenda still has {waiting} case{'' if waiting == 1 else 's'}: put "
            f"{'it' if waiting == 1 else 'them'} on another meeting or take "
            f"{'it' if waiting == 1 else 'them'} off the agenda before cancelling this one.",
            code="agenda_not_empty",
        )
    conference.status = Conference.Status.CANCELLED
    conference.save(update_fields=["status"])
    events.conference_event(conference=conference, actor=actor, verb="conference.cancelled",
                            reason=reason.strip())
    broadcast.meeting_state(conference.pk)
    return conference
