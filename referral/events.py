"""The referral app's practice events on the trail: codes and ids; values held for people are
masked (the trail says what kind of key was recorded, never the key)."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event

from .models import LocalPolicy, PersonIdentifier, Screening


def identifier_recorded_event(*, identifier: PersonIdentifier, actor) -> Event:
    """`victim_identifier.recorded` or `suspect_identifier.recorded`."""
    return record(
        verb=f"{identifier.role}_identifier.recorded",
        actor=actor,
        obj=identifier,
        referral_id=identifier.referral_id,
        changes={"kind": identifier.kind, "platform": identifier.platform, "value": MASK},
    )


def local_policy_set_event(*, row: LocalPolicy, actor) -> Event:
    return record(
        verb="local_policy.set", actor=actor, obj=row, reason=row.reason,
        changes={"key": row.key, "region": row.region, "version": row.version,
                 "value": row.value},
    )


def screening_updated_event(*, screening: Screening, before: dict, actor) -> Event:
    """A screen answered again: the counts and levels before and after, and the thresholds'
    version (the answers are case content: not on the trail)."""
    return record(
        verb="screening.updated",
        actor=actor,
        obj=screening,
        referral_id=screening.referral_id,
        changes={
            "risk_level": {"before": before["risk_level"], "after": screening.risk_level},
            "score": {"before": before["score"], "after": screening.score},
            "not_known": {"before": before["not_known"], "after": screening.not_known},
            "thresholds_version": (
                screening.thresholds_policy.version if screening.thresholds_policy else None
            ),
        },
    )
