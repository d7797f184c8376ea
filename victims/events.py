"""The victims app's events on the trail: codes, dates, ids; free text masked, reasons in
`reason`."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event


def _masked(text: str) -> str:
    return MASK if text else ""


def victims_event(*, verb: str, referral_id: int, actor, obj=None, reason: str = "",
                  changes: dict | None = None, agency=None) -> Event:
    """An event of the victim's voice: `entitlement.enhanced|opted_out`, `wishes.recorded`,
    `consent.recorded`, `advocate.named|ended`, `safety_plan.agreed|reviewed`,
    `statement.offered|made|declined`, `person_at_risk.recorded`, `safeguarding.referred`,
    `right_to_review.offered|requested`."""
    return record(verb=verb, actor=actor, agency=agency, obj=obj, referral_id=referral_id,
                  reason=reason, changes=changes or {})


def contact_logged_event(*, entry, actor) -> Event:
    return record(
        verb="contact.logged",
        actor=actor,
        agency=entry.agency,
        obj=entry,
        referral_id=entry.referral_id,
        changes={
            "method": entry.method,
            "reached": entry.reached,
            "trigger": entry.trigger,
            "task": entry.task_id,
            "on_time": entry.on_time,
            "note": _masked(entry.note),
        },
    )


def masked(text: str) -> str:
    """Free text on the trail: masked when given."""
    return _masked(text)
