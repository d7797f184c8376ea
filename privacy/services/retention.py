"""Retention's state changes: the daily sweep that opens reviews, a supervisor's decision on one
(erase, through `privacy.erasure.case_erase` or, for an evidence review,
`evidence.services.case_evidence_erase`; or defer), legal holds, and the schedules.

Each is atomic and writes its event in the same transaction. Who may do what is the access
policy's (`agencies.policy`: `retention`, `set_retention`); whose cases, the selectors'
(`privacy.selectors.retention`), asked by the interface before it calls these.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from config.exceptions import Conflict, DomainError, NotAllowed
from evidence.services import case_evidence_erase
from referral.models import Referral

from ..erasure import case_erase
from ..events import retention as events
from ..models import (
    CaseOutcome,
    LegalHold,
    RecordKind,
    RetentionAction,
    RetentionReview,
    RetentionSchedule,
    ReviewDecision,
)
from ..selectors import retention as selectors

SWEEP_BATCH = 500
# One sweep at a time (PostgreSQL's transaction-level advisory lock on this key).
_SWEEP_LOCK_KEY = 35_0002
DECISIONS = tuple(ReviewDecision.values)


def _sweep_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SWEEP_LOCK_KEY])


def _reason(reason: str, *, field: str = "reason", message: str = "Give a reason.") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message, fields={field: [message]})
    return reason


def _lock_case(referral: Referral) -> None:
    """The case's row lock: a hold placed and an erasure approved wait for each other."""
    Referral.objects.select_for_update().filter(pk=referral.pk).first()


def retention_sweep(*, today: date | None = None) -> int:
    """The daily job: reopen the deferred reviews whose date has come, open a review for each
    closed case past its retention (`selectors.due_cases`: no review yet, no active hold), then
    one of the evidence files of each case past their shorter schedule
    (`selectors.due_evidence_cases`). Returns how many reviews it opened or reopened.
    Idempotent, and safe to run from two places at once (one waits for the other); the due
    cases are found set-based (one query per record kind) and written in batches, each batch
    its own transaction."""
    today = today or timezone.localdate()
    with transaction.atomic():
        _sweep_lock()
        reopened = list(
            RetentionReview.objects.select_for_update()
            .filter(status=RetentionReview.Status.DEFERRED, deferred_until__lte=today)
            .exclude(referral_id__in=selectors.active_holds().values("referral_id"))
        )
        for review in reopened:
            review.status = RetentionReview.Status.DUE
        RetentionReview.objects.bulk_update(reopened, ["status"])
        events.retention_due_events(reviews=reopened, verb="retention.reopened")
    count = len(reopened)
    # The cases first: a case due now needs no review of its evidence files apart.
    count += _open_reviews(
        today=today,
        record_kind=RecordKind.CASE,
        due=selectors.due_cases,
        schedules=selectors.case_schedules(),
    )
    count += _open_reviews(
        today=today,
        record_kind=RecordKind.EVIDENCE_FILE,
        due=selectors.due_evidence_cases,
        schedules=selectors.evidence_schedules(),
    )
    return count


def _open_reviews(*, today: date, record_kind: str, due, schedules: dict) -> int:
    """Open a review of `record_kind` for each case `due(today=...)` lists, in batches, each
    its own transaction under the sweep's lock. How many it opened."""
    count = 0
    while True:
        with transaction.atomic():
            _sweep_lock()
            cases = list(due(today=today)[:SWEEP_BATCH])
            now = timezone.now()
            reviews = []
            for case in cases:
                found = selectors.retention_due(case, schedules)
                if found is None or found.due_on > today:
                    continue
                reviews.append(
                    RetentionReview(
                        referral_id=case.pk,
                        record_kind=record_kind,
                        schedule=found.schedule,
                        outcome=found.schedule.outcome,
                        years=found.schedule.years,
                        counted_from=found.counted_from,
                        due_on=found.due_on,
                        opened_at=now,
                    )
                )
            RetentionReview.objects.bulk_create(reviews)
            events.retention_due_events(reviews=reviews)
            count += len(reviews)
        if len(cases) < SWEEP_BATCH or not reviews:
            return count


@transaction.atomic
def retention_review_decide(
    *,
    review: RetentionReview,
    actor,
    membership: Membership | None,
    decision: str,
    reason: str,
    deferred_until: date | None = None,
    today: date | None = None,
) -> RetentionReview:
    """A supervisor's decision on a due review: `erase` (refused while a legal hold is active;
    for a case review, the case's personal data pseudonymised and its events' erased, the trail
    still verifying; for an `evidence_file` review, the case's evidence files alone) or `defer`
    to a later date (the sweep reopens it then). Validates everything before it writes:
    a bad input is a `DomainError` naming its fields."""
    if not policy.may_decide_retention(membership):
        raise NotAllowed("Only a supervisor of the referring agency or the hub decides this.")
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = ["One of: erase, defer."]
    if not (reason or "").strip():
        errors["reason"] = ["Give a reason: it goes on the decision trail."]
    if decision == ReviewDecision.DEFER:
        if deferred_until is None:
            errors["deferred_until"] = ["Give the date to review the case again."]
        elif deferred_until <= today:
            errors["deferred_until"] = ["The date must be after today."]
    if errors:
        raise DomainError("The decision is incomplete.", fields=errors)
    _lock_case(review.referral)
    review = (
        RetentionReview.objects.select_for_update().select_related("referral").get(pk=review.pk)
    )
    if review.status != RetentionReview.Status.DUE:
        raise Conflict(f"This review is {review.get_status_display().lower()}, not due.")
    review.reason, review.decided_by, review.decided_at = reason.strip(), actor, timezone.now()
    if decision == ReviewDecision.DEFER:
        review.status, review.deferred_until = RetentionReview.Status.DEFERRED, deferred_until
        review.save(
            update_fields=["status", "deferred_until", "reason", "decided_by", "decided_at"]
        )
        events.retention_deferred_event(review=review, actor=actor)
        return review
    if selectors.active_holds().filter(referral_id=review.referral_id).exists():
        raise Conflict(
            "A legal hold is active on this case: it cannot be erased until the hold is lifted.",
            code="legal_hold",
        )
    if review.record_kind == RecordKind.EVIDENCE_FILE:
        counts = {"evidence.evidencefile": case_evidence_erase(referral_id=review.referral_id)}
    else:
        counts = dict(
            case_erase(referral=review.referral, actor=actor, reason=review.reason).counts
        )
    review.status = RetentionReview.Status.ERASED
    review.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    events.retention_erased_event(review=review, actor=actor, counts=counts)
    if review.record_kind == RecordKind.CASE:
        _close_covered_reviews(review=review, actor=actor)
    return review


def _close_covered_reviews(*, review: RetentionReview, actor) -> None:
    """The case's other open reviews (of its evidence files) were covered by its erasure:
    closed as erased, with the same decision, each with its event."""
    covered = list(
        RetentionReview.objects.select_for_update()
        .filter(referral_id=review.referral_id, status__in=RetentionReview.OPEN_STATUSES)
        .exclude(pk=review.pk)
    )
    for other in covered:
        other.status = RetentionReview.Status.ERASED
        other.reason, other.decided_by, other.decided_at = (
            review.reason,
            actor,
            review.decided_at,
        )
        other.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        events.retention_erased_event(review=other, actor=actor, counts={})


# --- Legal holds ---------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *, referral: Referral, actor, membership: Membership | None, reason: str
) -> LegalHold:
    """Keep a case from erasure (litigation, an inquiry, an appeal) until the hold is lifted:
    the sweep passes over it and an erasure is refused."""
    if not policy.may_decide_retention(membership):
        raise NotAllowed("Only a supervisor places a legal hold.")
    reason = _reason(reason, message="Say why the case must be kept.")
    _lock_case(referral)
    if selectors.case_erased(referral=referral):
        raise Conflict("The case's personal data has already been erased.")
    hold = LegalHold.objects.create(
        referral=referral,
        reason=reason,
        agency=membership.agency,
        placed_by=actor,
        placed_at=timezone.now(),
    )
    events.legal_hold_placed_event(hold=hold, actor=actor)
    return hold


@transaction.atomic
def legal_hold_lift(
    *, hold: LegalHold, actor, membership: Membership | None, reason: str
) -> LegalHold:
    """End a legal hold, with the reason; the case is swept again from the next run."""
    if not policy.may_decide_retention(membership):
        raise NotAllowed("Only a supervisor lifts a legal hold.")
    reason = _reason(reason, message="Say why the hold ends.")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise Conflict("This hold was already lifted.")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, timezone.now(), reason
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    events.legal_hold_lifted_event(hold=hold, actor=actor)
    return hold


# --- Schedules -------------------------------------------------------------------------------


def _check_schedule(*, years: int | None, action: str | None) -> None:
    errors = {}
    if years is not None and not 1 <= years <= 100:
        errors["years"] = ["Between 1 and 100 years."]
    if action is not None and action not in RetentionAction.values:
        errors["action"] = [f"One of: {', '.join(RetentionAction.values)}."]
    if errors:
        raise DomainError("The schedule is not valid.", fields=errors)


def _may_set(membership: Membership | None) -> None:
    if not policy.may(membership, "set_retention"):
        raise NotAllowed("Only an administrator of the hub or of oversight sets the schedules.")


@transaction.atomic
def retention_schedule_create(
    *,
    actor,
    membership: Membership | None,
    outcome: str,
    years: int,
    record_kind: str = RecordKind.CASE,
    action: str = RetentionAction.PSEUDONYMISE,
    description: str = "",
) -> RetentionSchedule:
    """A schedule for an outcome that has none."""
    _may_set(membership)
    _check_schedule(years=years, action=action)
    errors = {}
    if record_kind not in RecordKind.values:
        errors["record_kind"] = [f"One of: {', '.join(RecordKind.values)}."]
    if outcome not in CaseOutcome.values:
        errors["outcome"] = [f"One of: {', '.join(CaseOutcome.values)}."]
    elif RetentionSchedule.objects.filter(record_kind=record_kind, outcome=outcome).exists():
        errors["outcome"] = ["This outcome has a schedule: change it instead."]
    if errors:
        raise DomainError("The schedule is not valid.", fields=errors)
    schedule = RetentionSchedule.objects.create(
        record_kind=record_kind,
        outcome=outcome,
        years=years,
        action=action,
        description=description.strip(),
        updated_by=actor.get_username(),
    )
    events.retention_schedule_event(schedule=schedule, actor=actor, verb="created")
    return schedule


@transaction.atomic
def retention_schedule_update(
    *,
    schedule: RetentionSchedule,
    actor,
    membership: Membership | None,
    years: int | None = None,
    action: str | None = None,
    description: str | None = None,
) -> RetentionSchedule:
    """Change a schedule's years, action or description; the next sweep applies it (reviews
    already open keep the schedule they were opened under)."""
    _may_set(membership)
    _check_schedule(years=years, action=action)
    schedule = RetentionSchedule.objects.select_for_update().get(pk=schedule.pk)
    before = {"years": schedule.years, "action": schedule.action}
    if years is not None:
        schedule.years = years
    if action is not None:
        schedule.action = action
    if description is not None:
        schedule.description = description.strip()
    schedule.updated_by = actor.get_username()
    schedule.save(update_fields=["years", "action", "description", "updated_by", "updated_at"])
    events.retention_schedule_event(schedule=schedule, actor=actor, verb="changed", before=before)
    return schedule
