"""The conferences app's practice events on the trail: codes and ids; reasons in `reason`."""

from __future__ import annotations

from audit.events import record
from audit.models import Event

from .models import AgendaItem, JudgementReferral


def conference_referral_made_event(
    *, judgement: JudgementReferral, item: AgendaItem | None, actor, awaits_the_chairs: bool = False
) -> Event:
    """`conference_referral.made`; `awaits_the_chairs`: no conference is scheduled and the case
    is past research, so the region's chairs are reminded to schedule one."""
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
            "awaits_the_chairs": awaits_the_chairs,
        },
    )
