"""Retention's events on the trail: codes, dates and ids; the reasons people give in `reason`."""

from __future__ import annotations

from collections.abc import Iterable

from audit.events import event, record
from audit.models import Event

from ..models import LegalHold, RetentionReview, RetentionSchedule


def legal_hold_placed_event(*, hold: LegalHold, actor) -> Event:
    return record(
        verb="legal_hold.placed",
        actor=actor,
        obj=hold,
        referral_id=hold.referral_id,
        reason=hold.reason,
        changes={"hold": hold.pk},
    )


def legal_hold_lifted_event(*, hold: LegalHold, actor) -> Event:
    return record(
        verb="legal_hold.lifted",
        actor=actor,
        obj=hold,
        referral_id=hold.referral_id,
        reason=hold.lift_reason,
        changes={"hold": hold.pk},
    )


def _review_changes(review: RetentionReview) -> dict:
    return {
        "review": review.pk,
        "record_kind": review.record_kind,
        "outcome": review.outcome,
        "years": review.years,
        "counted_from": review.counted_from.isoformat(),
        "due_on": review.due_on.isoformat(),
    }


def retention_due_events(
    *, reviews: Iterable[RetentionReview], verb: str = "retention.due"
) -> list[Event]:
    """The daily sweep found these cases past their retention (`retention.due`), or their
    deferral ended (`retention.reopened`): one event each, in one INSERT. No actor: the job."""
    return Event.objects.bulk_create(
        [
            event(
                verb=verb,
                obj=review,
                referral_id=review.referral_id,
                changes=_review_changes(review),
            )
            for review in reviews
        ]
    )


def retention_deferred_event(*, review: RetentionReview, actor) -> Event:
    return record(
        verb="retention.deferred",
        actor=actor,
        obj=review,
        referral_id=review.referral_id,
        reason=review.reason,
        changes={**_review_changes(review), "deferred_until": review.deferred_until.isoformat()},
    )


def retention_erased_event(*, review: RetentionReview, actor, counts: dict) -> Event:
    """A supervisor approved the erasure and it was done (written after the case's events were
    erased, so it keeps its reason): which record kind, what was erased, counted, never what it
    said."""
    return record(
        verb="retention.erased",
        actor=actor,
        obj=review,
        referral_id=review.referral_id,
        reason=review.reason,
        changes={**_review_changes(review), "counts": counts},
    )


def retention_schedule_event(
    *, schedule: RetentionSchedule, actor, verb: str, before: dict | None = None
) -> Event:
    """`retention_schedule.created|changed`: the schedule as it now is, and what it was."""
    return record(
        verb=f"retention_schedule.{verb}",
        actor=actor,
        obj=schedule,
        changes={
            "record_kind": schedule.record_kind,
            "outcome": schedule.outcome,
            "years": schedule.years,
            "action": schedule.action,
            "before": before or {},
        },
    )
