"""The referral app's practice events on the trail: codes and ids; values held for people are
masked (the trail says what kind of key was recorded, never the key)."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event

from .models import LocalPolicy, PersonIdentifier


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
