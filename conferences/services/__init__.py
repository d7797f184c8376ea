"""Every change to a conference. `meetings`: running it; `scheduling`: changing or cancelling it
before it starts; `records`: its decisions and actions; `notes`: live notes."""

from .judgement import awaits_the_chairs, conference_referral_make
from .meetings import (
    agenda_add,
    agenda_add_route,
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
from .scheduling import conference_cancel, conference_update

__all__ = [
    "check_chair",
    "action_outcome_record",
    "action_record",
    "agenda_add",
    "agenda_add_route",
    "agenda_add_to_next",
    "awaits_the_chairs",
    "conference_referral_make",
    "agenda_item_close",
    "agenda_remove",
    "agenda_reorder",
    "conference_acknowledge",
    "conference_cancel",
    "conference_close",
    "conference_create",
    "conference_move",
    "conference_start",
    "conference_uninvite",
    "conference_update",
    "decision_record",
    "minutes_sent_record",
    "minutes_sign",
    "note_add",
    "note_edit",
]
