"""The conferences app's practice events on the trail: codes and ids; reasons in `reason`."""

from __future__ import annotations

from audit.events import record
from audit.models import Event

from .models import AgendaItem, JudgementReferral


def conference_referral_made_event(
    *, judgement: JudgementReferral, item: AgendaItem | None, actor
) -> Event:
    return record(
        verb="conference_referral.made",
        actor=actor,
        agency=judgement.agency,
        obj=judgement,
        referral_id=judgement.referral_id,
        reason=judgement.reason,
        changes={
            "route": "professional_judgement",
            "conference": item.conference_id if item else None,
            "agenda_item": item.pk if item else None,
        },
    )
