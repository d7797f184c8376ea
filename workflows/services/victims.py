"""The Victims' Code in the flow: which event gives whom the duty to update the victim."""

from __future__ import annotations

from referral.models import Referral

from ..models import AgencyTask, TaskType
from .registry import Completion, flow_only
from .starts import victim_update_start

# Why an update is due, by the event that makes it due.
TRIGGER_REASONS = {
    "arrest": "suspect arrested",
    "interview": "suspect interviewed",
    "bail": "bail conditions changed",
    "bail_at_referral": "bail conditions recorded",
    "released_under_investigation": "suspect released under investigation",
    "charge": "suspect charged",
    "no_further_action": "no further action decided",
    "cps_decision": "charging decision made",
    "discontinued": "prosecution discontinued",
    "charge_altered": "charge altered",
    "hearing": "court hearing set",
    "bail_by_court": "bail decided by the court",
    "verdict": "verdict given",
    "sentence": "sentence passed",
}


def victims_code_event(
    *, referral: Referral, trigger: str, actor=None, context: dict | None = None
) -> AgencyTask | None:
    """An event the victim must be told of (`TRIGGER_REASONS`): the one way an update starts."""
    return victim_update_start(referral=referral, reason=TRIGGER_REASONS[trigger])


COMPLETION: dict[str, Completion] = {
    TaskType.VICTIM_LETTER: flow_only,
    TaskType.RIGHT_TO_REVIEW: flow_only,
    TaskType.SAFETY_PLAN_REVIEW: flow_only,
}
