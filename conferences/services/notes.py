"""Live notes: stored first, then broadcast; idempotent by client id; edits carry their version."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.exceptions import Conflict, DomainError

from .. import selectors
from ..models import AgendaItem, Conference, Note
from . import broadcast

MAX_NOTE_CHARS = 5000


def note_payload(note: Note) -> dict:
    return {
        "id": note.pk,
        "seq": note.seq,
        "client_id": str(note.client_id),
        "agenda_item": note.agenda_item_id,
        "author": note.author.get_username(),
        "agency": note.agency.slug,
        "text": note.text,
        "visible_to": note.visible_to,
        "version": note.version,
        "addendum_to": note.addendum_to_id,
        "created_at": note.created_at.isoformat(),
        "edited_at": note.edited_at.isoformat() if note.edited_at else None,
    }


def _clean_text(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise DomainError("A note needs some text.", fields={"text": ["May not be blank."]})
    if len(text) > MAX_NOTE_CHARS:
        raise DomainError(
            "The note is too long.", fields={"text": [f"At most {MAX_NOTE_CHARS} characters."]}
        )
    return text.strip()


def _clean_visibility(conference: Conference, own: str, visible_to) -> list[str] | None:
    if visible_to is None:
        return None
    if not isinstance(visible_to, list) or not all(isinstance(s, str) for s in visible_to):
        raise DomainError(
            "visible_to is a list of agency slugs, or null for everyone.",
            fields={"visible_to": ["Expected a list of agency slugs or null."]},
        )
    invited = set(selectors.invited_slugs(conference=conference))
    unknown = sorted(set(visible_to) - invited)
    if unknown:
        raise DomainError(
            "Some of those agencies are not at this meeting.",
            fields={"visible_to": [f"Not invited: {', '.join(unknown)}."]},
        )
    return sorted({*visible_to, own})


@transaction.atomic
def note_add(
    *,
    actor,
    conference: Conference | int,
    client_id,
    text,
    agenda_item=None,
    visible_to=None,
    addendum_to: int | None = None,
) -> tuple[Note, bool]:
    """Store a note (or return the one already stored under this client id) and broadcast it.

    Returns (note, created). Sending the same client id twice stores one note. `conference`
    may be its id: the meeting is read here anyway, under its lock (a socket knows the id).
    """
    conference_id = conference.pk if isinstance(conference, Conference) else conference
    own = selectors.require_attendee(user=actor, conference=conference_id)
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise DomainError(
            "client_id must be a UUID.", fields={"client_id": ["Not a UUID."]}
        ) from None
    # Lock the meeting row: notes are numbered one at a time, and a retry of the same client
    # id that raced with the first sees it once the lock is ours.
    conference = Conference.objects.select_for_update().get(pk=conference_id)
    existing = (
        Note.objects.filter(conference=conference, client_id=client_id)
        .select_related("author", "agency")
        .first()
    )
    if existing is not None:
        if existing.author_id != actor.pk:
            raise Conflict("That client_id belongs to another note.", code="client_id_taken")
        return existing, False
    text = _clean_text(text)
    visible = _clean_visibility(conference, own, visible_to)
    if conference.status == Conference.Status.MINUTES_SIGNED and addendum_to is None:
        raise Conflict(
            "The minutes are signed: add a correction as an addendum.", code="minutes_signed"
        )
    item = None
    if agenda_item is not None:
        item = AgendaItem.objects.filter(conference=conference, pk=agenda_item).first()
        if item is None:
            raise DomainError(
                "That item is not on this agenda.", fields={"agenda_item": ["Not on this agenda."]}
            )
    corrected = None
    if addendum_to is not None:
        corrected = Note.objects.filter(conference=conference, pk=addendum_to).first()
        if corrected is None or not corrected.visible_for(own):
            raise DomainError("No such note.", fields={"addendum_to": ["No such note."]})
    seq = conference.last_seq + 1  # the row is locked: no other writer numbers a note now
    Conference.objects.filter(pk=conference.pk).update(last_seq=seq)
    from agencies.selectors import membership_of

    note = Note.objects.create(
        conference=conference,
        agenda_item=item,
        author=actor,
        agency=membership_of(actor).agency,
        text=text,
        visible_to=visible,
        seq=seq,
        client_id=client_id,
        addendum_to=corrected,
    )
    broadcast.note_added(
        conference_id=conference.pk,
        agencies=visible,
        payload={
            "type": "note.added",
            "seq": note.seq,
            "client_id": str(client_id),
            "note": note_payload(note),
        },
    )
    return note, True


@transaction.atomic
def note_edit(*, actor, conference: Conference, note_id: int, version: int, text) -> Note:
    """Edit one's own note; an edit of an older version than the stored one is a conflict."""
    selectors.require_attendee(user=actor, conference=conference)
    text = _clean_text(text)
    if conference.status == Conference.Status.MINUTES_SIGNED:
        raise Conflict(
            "The minutes are signed: add a correction as an addendum.", code="minutes_signed"
        )
    note = Note.objects.filter(conference=conference, pk=note_id).first()
    if note is None or not note.visible_for(
        selectors.require_attendee(user=actor, conference=conference)
    ):
        raise DomainError("No such note.", fields={"note": ["No such note."]})
    if note.author_id != actor.pk:
        raise Conflict("Only its author may edit a note.", code="not_author")
    updated = Note.objects.filter(pk=note.pk, version=version).update(
        text=text, version=F("version") + 1, edited_at=timezone.now()
    )
    if not updated:
        raise Conflict("Someone changed this note since you read it.", code="version_conflict")
    note.refresh_from_db()
    broadcast.note_added(
        conference_id=conference.pk,
        agencies=note.visible_to,
        payload={
            "type": "note.edited",
            "seq": note.seq,
            "client_id": str(note.client_id),
            "note": note_payload(note),
        },
    )
    return note
