"""Retention's API shapes: the inputs of a schedule, a decision, a hold and its lifting, and
the rows the API and the pages show (codes with their labels, dates, who by username)."""

from __future__ import annotations

from rest_framework import serializers

from config.rest import StrictCharField, StrictSerializer

from ..models import (
    CaseOutcome,
    LegalHold,
    RecordKind,
    RetentionAction,
    RetentionReview,
    RetentionSchedule,
    ReviewDecision,
)

TEXT_MAX = 2000


class ScheduleInput(StrictSerializer):
    record_kind = serializers.ChoiceField(choices=RecordKind.choices, default=RecordKind.CASE)
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    years = serializers.IntegerField(min_value=1, max_value=100)
    action = serializers.ChoiceField(
        choices=RetentionAction.choices, default=RetentionAction.PSEUDONYMISE
    )
    description = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class ScheduleChangeInput(StrictSerializer):
    years = serializers.IntegerField(min_value=1, max_value=100, required=False)
    action = serializers.ChoiceField(choices=RetentionAction.choices, required=False)
    description = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class ScheduleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    record_kind = serializers.ChoiceField(
        choices=RecordKind.choices,
        help_text="`evidence_file`: how long the case's evidence files are kept, apart.",
    )
    record_kind_label = serializers.CharField()
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    outcome_label = serializers.CharField()
    years = serializers.IntegerField(
        help_text="Years kept after closure (after the order's end, for `order_in_force`)."
    )
    action = serializers.ChoiceField(choices=RetentionAction.choices)
    description = serializers.CharField()
    updated_by = serializers.CharField()
    updated_at = serializers.DateTimeField()


def schedule_output(schedule: RetentionSchedule) -> dict:
    return {
        "id": schedule.pk,
        "record_kind": schedule.record_kind,
        "record_kind_label": schedule.get_record_kind_display(),
        "outcome": schedule.outcome,
        "outcome_label": schedule.get_outcome_display(),
        "years": schedule.years,
        "action": schedule.action,
        "description": schedule.description,
        "updated_by": schedule.updated_by,
        "updated_at": schedule.updated_at,
    }


class ReviewDecisionInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    reason = StrictCharField(max_length=TEXT_MAX, allow_blank=True)
    deferred_until = serializers.DateField(required=False, allow_null=True, default=None)


class ReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    reference = serializers.CharField()
    referrer_agency = serializers.CharField(help_text="The referring agency's slug.")
    record_kind = serializers.ChoiceField(
        choices=RecordKind.choices,
        help_text="What erasing it erases: the case, or its evidence files alone.",
    )
    status = serializers.ChoiceField(choices=RetentionReview.Status.choices)
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    schedule = serializers.IntegerField()
    years = serializers.IntegerField()
    counted_from = serializers.DateField(help_text="The closure, or the order's end.")
    due_on = serializers.DateField()
    held = serializers.BooleanField(help_text="A legal hold is active: erasure is refused.")
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    deferred_until = serializers.DateField(allow_null=True)


def review_output(review: RetentionReview, *, held: bool | None = None) -> dict:
    return {
        "id": review.pk,
        "referral": review.referral_id,
        "reference": review.referral.reference,
        "referrer_agency": review.referral.referrer_agency.slug,
        "record_kind": review.record_kind,
        "status": review.status,
        "outcome": review.outcome,
        "schedule": review.schedule_id,
        "years": review.years,
        "counted_from": review.counted_from,
        "due_on": review.due_on,
        "held": bool(getattr(review, "held", False) if held is None else held),
        "decided_by": review.decided_by.get_username() if review.decided_by else None,
        "decided_at": review.decided_at,
        "reason": review.reason,
        "deferred_until": review.deferred_until,
    }


class HoldInput(StrictSerializer):
    reason = StrictCharField(max_length=TEXT_MAX, allow_blank=True)


class HoldOutput(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    active = serializers.BooleanField()
    reason = serializers.CharField()
    agency = serializers.CharField(help_text="The placing agency's slug.")
    placed_by = serializers.CharField()
    placed_at = serializers.DateTimeField()
    lifted_by = serializers.CharField(allow_null=True)
    lifted_at = serializers.DateTimeField(allow_null=True)
    lift_reason = serializers.CharField()


def hold_output(hold: LegalHold) -> dict:
    return {
        "id": hold.pk,
        "referral": hold.referral_id,
        "active": hold.is_active,
        "reason": hold.reason,
        "agency": hold.agency.slug,
        "placed_by": hold.placed_by.get_username(),
        "placed_at": hold.placed_at,
        "lifted_by": hold.lifted_by.get_username() if hold.lifted_by else None,
        "lifted_at": hold.lifted_at,
        "lift_reason": hold.lift_reason,
    }
