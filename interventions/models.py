"""Assessments for court, shared threat recommendations and the perpetrator's interventions.

`HearingAssessment` is one agency's assessment before one hearing (a risk assessment or a
pre-sentence report), with whether it was done before the hearing; `PsychiatricAssessment`
follows a psychiatric assessment from sought to before the court, with no clinical content;
`ThreatRecommendation` is what the assessing unit shared of a threat assessment; an
`InterventionPlan` holds the perpetrator's assessments and interventions (MASIP).
"""

from django.conf import settings
from django.db import models

from agencies.models import Agency
from config.encryption import EncryptedTextField
from justice.models import Offence
from referral.models import CourtHearing, ProtectiveOrder, Referral


class Level(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class HearingAssessment(models.Model):
    class Kind(models.TextChoices):
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment before the hearing"
        PRE_SENTENCE_REPORT = "pre_sentence_report", "Pre-sentence report"

    hearing = models.ForeignKey(
        CourtHearing, on_delete=models.CASCADE, related_name="assessments"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="hearing_assessments"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    task = models.OneToOneField(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    due = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    before_hearing = models.BooleanField(null=True, blank=True)
    risk_level = models.CharField(max_length=20, blank=True)
    # The assessment's formulation and the treatment suitability are encrypted at rest
    # (config/encryption.py).
    summary = EncryptedTextField(blank=True)
    victim_views = models.TextField(blank=True)
    bail_conditions_sought = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    treatment_suitability = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["kind", "before_hearing"], name="hearing_assessment_kind_idx"),
            models.Index(fields=["referral", "due"], name="hearing_assessment_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for hearing {self.hearing_id}"


class PsychiatricAssessment(models.Model):
    """A psychiatric assessment for the court: sought by CPS, requested from a provider, done,
    before the court; or not ordered, with the reason."""

    class Status(models.TextChoices):
        SOUGHT = "sought", "Sought"
        REQUESTED = "requested", "Requested"
        DONE = "done", "Done"
        BEFORE_COURT = "before_court", "Before the court"
        NOT_ORDERED = "not_ordered", "Not ordered"

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="psychiatric_assessments"
    )
    hearing = models.ForeignKey(
        CourtHearing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SOUGHT)
    sought_on = models.DateField()
    requested_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    before_court_on = models.DateField(null=True, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sought_on", "id"]
        indexes = [
            models.Index(fields=["status", "sought_on"], name="psychiatric_status_idx"),
            models.Index(fields=["referral"], name="psychiatric_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Psychiatric assessment on referral {self.referral_id}: {self.status}"


class ThreatRecommendation(models.Model):
    """What the assessing unit shared of a threat assessment, and on what basis."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="threat_recommendations"
    )
    task = models.OneToOneField(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recommendations = models.TextField()
    sharing_basis = models.TextField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()

    class Meta:
        ordering = ["shared_at", "id"]
        indexes = [models.Index(fields=["referral", "shared_at"], name="threat_rec_case_idx")]

    def __str__(self) -> str:
        return f"Threat assessment recommendations on referral {self.referral_id}"


class InterventionPlan(models.Model):
    """The perpetrator's intervention plan (MASIP): one a case."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="intervention_plan"
    )
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Intervention plan of referral {self.referral_id}"


class PerpetratorAssessment(models.Model):
    class Instrument(models.TextChoices):
        SRP = "srp", "Stalking Risk Profile (SRP)"
        SAM = "sam", "Stalking Assessment and Management (SAM)"
        SASH = "sash", "Screening Assessment for Stalking and Harassment (SASH)"
        OTHER = "other", "Another instrument"

    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="assessments")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=10, choices=Instrument.choices)
    assessor_trained = models.BooleanField()
    assessor = models.CharField(max_length=200, blank=True)
    done_on = models.DateField()
    persistence = models.CharField(max_length=10, choices=Level.choices)
    recurrence = models.CharField(max_length=10, choices=Level.choices)
    violence = models.CharField(max_length=10, choices=Level.choices)
    summary = EncryptedTextField(blank=True)  # the assessor's formulation: encrypted at rest
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "id"]
        indexes = [models.Index(fields=["referral", "done_on"], name="perp_assessment_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} on referral {self.referral_id}"


class Intervention(models.Model):
    class Kind(models.TextChoices):
        PSYCHOLOGICAL_TREATMENT = "psychological_treatment", "Psychological treatment"
        MENTAL_HEALTH_TREATMENT = "mental_health_treatment", "Mental health treatment"
        SUBSTANCE_MISUSE_TREATMENT = "substance_misuse_treatment", "Substance misuse treatment"
        STALKING_PROGRAMME = "stalking_programme", "Stalking intervention programme"
        DOMESTIC_ABUSE_PROGRAMME = "domestic_abuse_programme", "Domestic abuse programme"
        OTHER = "other", "Other intervention"

    class Vehicle(models.TextChoices):
        SPO_REQUIREMENT = "spo_requirement", "Requirement of a stalking protection order"
        LICENCE_CONDITION = "licence_condition", "Licence condition"
        COMMUNITY_ORDER_REQUIREMENT = "community_order_requirement", (
            "Requirement of a community order"
        )
        SUSPENDED_SENTENCE_REQUIREMENT = "suspended_sentence_requirement", (
            "Requirement of a suspended sentence"
        )
        VOLUNTARY = "voluntary", "Voluntary"

    class Source(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        SENTENCE = "sentence", "Sentence requirement"

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        DECLINED = "declined", "Declined"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    plan = models.ForeignKey(
        InterventionPlan, on_delete=models.CASCADE, related_name="interventions"
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    vehicle = models.CharField(max_length=40, choices=Vehicle.choices)
    order = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offence = models.ForeignKey(
        Offence, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.RECORDED)
    fit_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    offered_on = models.DateField()
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)
    provider = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_on", "id"]
        indexes = [
            models.Index(fields=["status", "kind"], name="intervention_status_idx"),
            models.Index(fields=["referral", "offered_on"], name="intervention_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_treatment(self) -> bool:
        return self.kind != self.Kind.OTHER
