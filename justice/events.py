"""The justice app's events on the trail: codes, dates, ids and amounts; free text masked."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event

from .models import Offence


def offence_recorded_event(*, offence: Offence, actor) -> Event:
    return record(
        verb="offence.recorded",
        actor=actor,
        obj=offence,
        referral_id=offence.referral_id,
        changes={
            "kind": offence.kind,
            "label": MASK if offence.label else "",
            "crime_reference": offence.crime_reference,
            "domestic_abuse": offence.domestic_abuse,
            "breach_of_order": offence.breach_of_order_id,
            "incident": offence.incident_id,
        },
    )
