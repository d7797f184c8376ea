"""Retention schedules, legal holds and the reviews of what is due.

A schedule says how many years a closed case of one outcome is kept, counted from its closure
(or, for a case with a protective order, from the order's end); the daily sweep
(`privacy.services.retention_sweep`) opens a review for each case past the longest schedule that
applies to it, and a supervisor decides it. Schedules of the `evidence_file` kind may keep a
case's evidence files for less time than the case: their own reviews erase the files alone. A
legal hold stops all of that while it lasts.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from referral.models import Referral

__all__ = [
    "CaseOutcome",
    "LegalHold",
    "RecordKind",
    "RetentionAction",
    "RetentionReview",
    "RetentionSchedule",
    "ReviewDecision",
]


class RecordKind(models.TextChoices):
    CASE = "case", "A case and everything recorded on it"
    # A case's evidence files alone, where a schedule keeps them shorter than the case; an
    # outcome with no schedule of this kind keeps its files as long as the case.
    EVIDENCE_FILE = "evidence_file", "Evidence files"


class CaseOutcome(models.TextChoices):
    """How a case ended, as the sweep derives it (`privacy.selectors.retention`)."""

    DECLINED = "declined", "Referral declined"
    NO_CONVICTION = "no_conviction", "Closed, no offence convicted"
    CONVICTED = "convicted", "Closed, a conviction stands"
    # Counted from the order's end (its expiry, or the day it was discharged), not the closure.
    ORDER_IN_FORCE = "order_in_force", "A protective order was made (counted from its end)"


class RetentionAction(models.TextChoices):
    # Deleting rows would break the decision trail's references; pseudonymising keeps the
    # structure (and the reports' counts) and erases who the people were.
    PSEUDONYMISE = "pseudonymise", "Pseudonymise the personal data"


class ReviewDecision(models.TextChoices):
    """What a supervisor decides on a review that has fallen due."""

    ERASE = "erase", "Erase the personal data"
    DEFER = "defer", "Defer the review"


class RetentionSchedule(models.Model):
    """How long a case of one outcome is kept. Data, set by each partnership."""

    record_kind = models.CharField(
        max_length=20, choices=RecordKind.choices, default=RecordKind.CASE
    )
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices)
    years = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    action = models.CharField(
        max_length=20, choices=RetentionAction.choices, default=RetentionAction.PSEUDONYMISE
    )
    description = models.TextField(blank=True, max_length=2000)
    # A username, not a key: the schedules are reference data and outlive accounts.
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record_kind", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_kind", "outcome"], name="retention_schedule_one_per_outcome"
            ),
            models.CheckConstraint(
                condition=models.Q(years__gte=1, years__lte=100),
                name="retention_schedule_years_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.years} years"


class LegalHold(models.Model):
    """A case that must not be erased (litigation, an inquiry, an appeal) while it is active."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=2000)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(
                fields=["referral"],
                name="legal_hold_active_idx",
                condition=models.Q(lifted_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True)
                | (models.Q(lifted_by__isnull=False) & ~models.Q(lift_reason="")),
                name="legal_hold_lift_has_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold on referral {self.referral_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class RetentionReview(models.Model):
    """A case (or its evidence files: `record_kind`) past its retention, waiting for a
    supervisor: erase it, or defer to a date."""

    class Status(models.TextChoices):
        DUE = "due", "Due for review"
        DEFERRED = "deferred", "Deferred"
        ERASED = "erased", "Personal data erased"

    OPEN_STATUSES = (Status.DUE, Status.DEFERRED)

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    record_kind = models.CharField(
        max_length=20, choices=RecordKind.choices, default=RecordKind.CASE
    )
    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="+")
    # What the schedule applied to when the review opened: the outcome, its years, the date
    # they ran from (the closure or the order's end).
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices)
    years = models.PositiveSmallIntegerField()
    counted_from = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    opened_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)
    deferred_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "record_kind"],
                condition=models.Q(status__in=["due", "deferred"]),
                name="retention_review_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="deferred") | models.Q(deferred_until__isnull=False),
                name="retention_review_deferred_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="retention_review_status_idx")]

    def __str__(self) -> str:
        return (
            f"Retention review of referral {self.referral_id} ({self.record_kind}): {self.status}"
        )
