"""Live notes: stored first, then broadcast; idempotent by client id; edits carry their version."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from agencies.selectors import membership_of, person_name
from audit import events
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
        "author_name": person_name(note.author),
        "agency": note.agency.slug,
        "agency_name": note.agency.name,
        "text": note.text,
        "visible_to": note.visible_to,
        "version": note.version,
        "addendum_to": note.addendum_to_id,
        "is_addendum": note.is_addendum,
        "created_at": note.created_at.isoformat(),
        "edited_at": note.edited_at.isoformat() if note.edited_at else None,
    }


def _clean_text(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise DomainError("A note needs some text.", fields={"text": ["May not be blank."]})
    if "\x00" in text:  # PostgreSQL stores no NUL in text
        raise DomainError(
            "A note may not contain NUL characters.",
            fields={"text": ["Null characters are not allowed."]},
        )
    if len(text) > MAX_NOTE_CHARS:
        raise DomainError(
            "The note is too long.", fields={"text": [f"At most {MAX_NOTE_CHARS} characters."]}
        )
    return text.strip()


def whole_number(value, field: str, *, optional: bool = False) -> int | None:
    """A whole number from a socket's JSON (the HTTP API's serializers check their own)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(
            f"{field} must be a whole number.", fields={field: ["Expected a number."]}
        )
    return value


def _clean_visibility(conference: Conference | int, own: str, visible_to) -> list[str] | None:
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


def note_add(
    *,
    actor,
    conference: Conference | int,
    client_id,
    text,
    agenda_item=None,
    visible_to=None,
    addendum_to: int | None = None,
    addendum: bool = False,
) -> tuple[Note, bool]:
    """Store a note (or return the one already stored under this client id) and broadcast it.

    Once the minutes are signed, a note is taken only as an addendum (`addendum`, or
    `addendum_to` the note it corrects): on a case (`agenda_item`) or the meeting as a whole,
    shown with the signed minutes and written to the trail.

    Returns (note, created). Sending the same client id twice stores one note: the resend
    fails on the meeting's unique client ids (its number rolls back with it) and is answered
    with the first. `conference` may be its id (a socket knows only that).
    """
    conference_id = conference.pk if isinstance(conference, Conference) else conference
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise DomainError(
            "client_id must be a UUID.", fields={"client_id": ["Not a UUID."]}
        ) from None
    try:
        return _note_store(
            actor=actor, conference_id=conference_id, client_id=client_id, text=text,
            agenda_item=agenda_item, visible_to=visible_to, addendum_to=addendum_to,
            addendum=addendum,
        )
    except IntegrityError:
        stored = _stored(actor=actor, conference_id=conference_id, client_id=client_id)
        if stored is None:
            raise
        return stored, False


def _stored(*, actor, conference_id: int, client_id: uuid.UUID) -> Note | None:
    """The note already stored under this client id, if it is the actor's."""
    existing = (
        Note.objects.filter(conference_id=conference_id, client_id=client_id)
        .select_related("author", "agency")
        .first()
    )
    if existing is not None and existing.author_id != actor.pk:
        raise Conflict("That client_id belongs to another note.", code="client_id_taken")
    return existing


def _number_next_note(conference_id: int) -> tuple[int, str]:
    """The meeting's next note number and its status, in one statement. The row stays locked
    until the transaction ends, so notes are numbered one at a time, without gaps (a note that
    is refused rolls its number back). Plain SQL: the ORM's UPDATE returns no columns, and one
    statement saves the meeting's one database thread a round trip per note."""
    table = connection.ops.quote_name(Conference._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s "  # noqa: S608 - our table
            "RETURNING last_seq, status",
            [conference_id],
        )
        seq, status = cursor.fetchone()
    return seq, status


@transaction.atomic
def _note_store(*, actor, conference_id: int, client_id: uuid.UUID, text, agenda_item,
                visible_to, addendum_to, addendum: bool) -> tuple[Note, bool]:
    own = selectors.require_attendee(user=actor, conference=conference_id)
    text = _clean_text(text)
    agenda_item = whole_number(agenda_item, "agenda_item", optional=True)
    addendum_to = whole_number(addendum_to, "addendum_to", optional=True)
    visible = _clean_visibility(conference_id, own, visible_to)
    item = None
    if agenda_item is not None:
        item = AgendaItem.objects.filter(conference_id=conference_id, pk=agenda_item).first()
        if item is None:
            raise DomainError(
                "That item is not on this agenda.", fields={"agenda_item": ["Not on this agenda."]}
            )
    corrected = None
    if addendum_to is not None:
        corrected = Note.objects.filter(conference_id=conference_id, pk=addendum_to).first()
        if corrected is None or not corrected.visible_for(own):
            raise DomainError("No such note.", fields={"addendum_to": ["No such note."]})
    # A resend is not looked for first: a note costs the meeting's one database thread a round
    # trip less, and a resend fails on the unique client ids below (note_add answers it).
    seq, status = _number_next_note(conference_id)
    signed = status == Conference.Status.MINUTES_SIGNED
    if addendum and not signed:
        raise Conflict(
            "An addendum is added to signed minutes; until then, add a note.",
            code="minutes_not_signed",
        )
    if signed and addendum_to is None and not addendum:
        existing = _stored(actor=actor, conference_id=conference_id, client_id=client_id)
        if existing is not None:  # sent before the signing, resent after it
            transaction.set_rollback(True)  # and its number with it
            return existing, False
        raise Conflict(
            "The minutes are signed: add a correction as an addendum.", code="minutes_signed"
        )
    note = Note.objects.create(
        conference_id=conference_id,
        agenda_item=item,
        author=actor,
        agency=membership_of(actor).agency,
        text=text,
        visible_to=visible,
        seq=seq,
        client_id=client_id,
        addendum_to=corrected,
        is_addendum=signed,
    )
    if signed:
        events.addendum_recorded_event(note=note, actor=actor)
    broadcast.note_added(
        conference_id=conference_id,
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
    note_id = whole_number(note_id, "note")
    version = whole_number(version, "version")
    # Read under the meeting's lock: an edit racing the signing lands before it or not at all.
    status = (
        Conference.objects.select_for_update(no_key=True)
        .values_list("status", flat=True)
        .get(pk=conference.pk)
    )
    if status == Conference.Status.MINUTES_SIGNED:
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
