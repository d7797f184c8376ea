"""Every change to a conference. `meetings`: running it; `records`: its decisions and actions;
`notes`: live notes."""

from .meetings import (
    agenda_add,
    agenda_add_to_next,
    agenda_item_close,
    agenda_remove,
    agenda_reorder,
    check_chair,
    conference_acknowledge,
    conference_close,
    conference_create,
    conference_move,
    conference_start,
    conference_uninvite,
    minutes_sent_record,
    minutes_sign,
)
from .notes import note_add, note_edit
from .records import action_outcome_record, action_record, decision_record

__all__ = [
    "check_chair",
    "action_outcome_record",
    "action_record",
    "agenda_add",
    "agenda_add_to_next",
    "agenda_item_close",
    "agenda_remove",
    "agenda_reorder",
    "conference_acknowledge",
    "conference_close",
    "conference_create",
    "conference_move",
    "conference_start",
    "conference_uninvite",
    "decision_record",
    "minutes_sent_record",
    "minutes_sign",
    "note_add",
    "note_edit",
]
