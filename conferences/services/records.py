"""The chair's record of a meeting: decisions and actions, each stored once per client id."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from audit import events
from config.exceptions import Conflict, DomainError, NotFound

from ..models import AgendaItem, Conference, ConferenceAction, Decision
from . import broadcast
from .meetings import check_chair, lock_conference, require_status


def _agenda_item(conference: Conference, item_id) -> AgendaItem:
    item = conference.agenda.filter(pk=item_id).exclude(status=AgendaItem.Status.REMOVED).first()
    if item is None:
        raise NotFound("That item is not on this agenda.")
    return item


def _stored(model: type[Decision | ConferenceAction], *, client_id: uuid.UUID | None, item,
            author_field: str, actor):
    """What this client id already recorded, if anything: a resend is answered with it."""
    if client_id is None:
        return None
    stored = model.objects.filter(client_id=client_id).first()
    if stored is not None and (
        stored.item_id != item.pk or getattr(stored, f"{author_field}_id") != actor.pk
    ):
        raise Conflict("That client_id was used for something else.", code="client_id_taken")
    return stored


def _create_once(model: type[Decision | ConferenceAction], **values):
    """Insert, refusing a client id that was used elsewhere (another meeting's row, say)."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        raise Conflict(
            "That client_id was used for something else.", code="client_id_taken"
        ) from None


@transaction.atomic
def decision_record(
    *, actor, conference: Conference, item_id: int, text: str, reason: str,
    client_id: uuid.UUID | None = None,
) -> tuple[Decision, bool]:
    """Record the chair's decision on a case being heard, once per client id.

    Returns (decision, created). The meeting's row is locked first, so a resend waits for the
    request it repeats and is answered with that decision (even once the meeting has closed),
    and no decision lands on a meeting that has just closed.
    """
    check_chair(actor, conference)
    conference = lock_conference(conference)
    item = _agenda_item(conference, item_id)
    stored = _stored(Decision, client_id=client_id, item=item, author_field="decided_by",
                     actor=actor)
    if stored is not None:
        return stored, False
    require_status(conference, Conference.Status.IN_SESSION, doing="record decisions")
    decision = _create_once(
        Decision, item=item, text=text, reason=reason, decided_by=actor, client_id=client_id
    )
    events.decision_recorded_event(decision=decision, actor=actor)
    broadcast.meeting_state(conference.pk)
    return decision, True


# Within a caller's transaction, no savepoint: nothing here recovers from an error, so an error
# fails the caller's transaction as a whole.
@transaction.atomic(savepoint=False)
def action_record(
    *, actor, conference: Conference, item_id: int, agency: Agency, description: str, due: date,
    client_id: uuid.UUID | None = None,
) -> tuple[ConferenceAction, bool]:
    """An action with an owning agency and a due date.

    Returns (action, created); once per client id, locked like `decision_record`, so a resend
    is answered with the stored action and creates nothing.
    """
    check_chair(actor, conference)
    conference = lock_conference(conference)
    item = _agenda_item(conference, item_id)
    stored = _stored(ConferenceAction, client_id=client_id, item=item, author_field="created_by",
                     actor=actor)
    if stored is not None:
        return stored, False
    require_status(conference, Conference.Status.IN_SESSION, doing="record actions")
    if not conference.invited_agencies.filter(pk=agency.pk).exists():
        raise DomainError(
            "That agency is not at this meeting.", fields={"agency": ["Not an invited agency."]}
        )
    if due < timezone.localdate():
        raise DomainError("The due date has passed.", fields={"due": ["In the past."]})
    action = _create_once(
        ConferenceAction, item=item, agency=agency, description=description, due=due,
        created_by=actor, client_id=client_id,
    )
    events.action_recorded_event(action=action, actor=actor)
    broadcast.meeting_state(conference.pk)
    return action, True


def action_outcome_record(*, task_id: int, outcome: str, note: str) -> None:
    """The owning agency finished the action's task: record the outcome on the action."""
    ConferenceAction.objects.filter(task_id=task_id).update(
        outcome=outcome, outcome_note=note, outcome_at=timezone.now()
    )
