"""The justice app's events on the trail: codes, dates, ids and amounts; free text masked."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event

from .models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    PoliceDecision,
    Sentence,
    WarningSigns,
)


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


def _coded(name: str, value):
    """A field of an offence as the trail holds it: codes, flags and the crime reference as
    they are; the offence's name is free text (masked)."""
    return (MASK if value else "") if name == "label" else value


def offence_amended_event(*, offence: Offence, before: dict, actor, reason: str) -> Event:
    """`offence.amended`: the fields changed, before and after (the name masked), the reason
    in `reason`."""
    return record(
        verb="offence.amended",
        actor=actor,
        obj=offence,
        referral_id=offence.referral_id,
        reason=reason,
        changes={
            "offence": offence.pk,
            "fields": sorted(before),
            "before": {name: _coded(name, value) for name, value in before.items()},
            "after": {name: _coded(name, getattr(offence, name)) for name in before},
        },
    )


def warning_signs_recorded_event(*, signs: WarningSigns, actor) -> Event:
    return record(
        verb="warning_signs.recorded",
        actor=actor,
        obj=signs,
        referral_id=signs.referral_id,
        changes={
            "stage": signs.stage,
            "fixated": signs.fixated,
            "obsessive": signs.obsessive,
            "unwanted": signs.unwanted,
            "repeated": signs.repeated,
            "offences_considered": list(signs.offences_considered),
        },
    )


def police_decision_event(*, decision: PoliceDecision, actor) -> Event:
    """`police_decision.<kind>`; the officer's reason in `reason`."""
    return record(
        verb=f"police_decision.{decision.kind}",
        actor=actor,
        obj=decision,
        referral_id=decision.offence.referral_id,
        reason=decision.reason,
        changes={
            "offence": decision.offence_id,
            "kind": decision.kind,
            "nfa_reason": decision.nfa_reason,
            "decided_on": decision.decided_on.isoformat(),
            "bail_conditions": decision.bail_conditions_id,
        },
    )


def charging_decision_event(*, decision: ChargingDecision, offences: list[int], actor) -> Event:
    """`charging_decision.<decision>`, naming the offences it moved."""
    return record(
        verb=f"charging_decision.{decision.decision}",
        actor=actor,
        obj=decision,
        referral_id=decision.referral_id,
        reason=decision.reason,
        changes={
            "offence": decision.offence_id,
            "offences": offences,
            "charged_as": decision.charged_as,
            "offence_named": MASK if decision.offence_named else "",
            "test": decision.test,
            "decided_on": decision.decided_on.isoformat(),
            "task": decision.task_id,
        },
    )


def hearing_outcome_event(*, outcome: HearingOutcome, actor) -> Event:
    """`hearing_outcome.<result>`; the note is case content (masked)."""
    return record(
        verb=f"hearing_outcome.{outcome.result}",
        actor=actor,
        obj=outcome,
        referral_id=outcome.hearing.referral_id,
        changes={
            "hearing": outcome.hearing_id,
            "offence": outcome.offence_id,
            "bail_conditions": outcome.bail_conditions_id,
            "note": MASK if outcome.note else "",
        },
    )


def sentence_recorded_event(
    *, sentence: Sentence, requirements: list[str], orders: list[int], actor
) -> Event:
    """The sentence's disposal, lengths, amounts, requirement kinds and orders: no free text."""
    return record(
        verb="sentence.recorded",
        actor=actor,
        obj=sentence,
        referral_id=sentence.offence.referral_id,
        changes={
            "offence": sentence.offence_id,
            "hearing": sentence.hearing_id,
            "sentenced_on": sentence.sentenced_on.isoformat(),
            "disposal": sentence.disposal,
            "custody_days": sentence.custody_days,
            "suspended_for_days": sentence.suspended_for_days,
            "fine_pence": sentence.fine_pence,
            "compensation_pence": sentence.compensation_pence,
            "requirements": requirements,
            "orders": orders,
        },
    )
