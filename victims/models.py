"""The victim's voice and the Victims' Code duties: entitlement, wishes, consent, the named
advocate, contact with the victim, safety plans, personal statements, others at risk and the
right to review a decision not to prosecute.

Every row carries `referral_id` and dated columns, so a report over them is one GROUP BY.
"""

from django.conf import settings
from django.db import models

from agencies.models import Agency
from justice.models import Offence
from referral.models import Referral


class _By(models.Model):
    """Who recorded a row, and when."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Entitlement(models.Model):
    """Whether the victim has enhanced rights under the Victims' Code (updates within 1 working
    day); kept in step with `Referral.victim_enhanced_rights`."""

    class Basis(models.TextChoices):
        PERSISTENTLY_TARGETED = "persistently_targeted", "Persistently targeted"
        VULNERABLE = "vulnerable", "Vulnerable"
        INTIMIDATED = "intimidated", "Intimidated"
        SERIOUS_CRIME = "serious_crime", "Victim of the most serious crime"
        OTHER = "other", "Other"

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="entitlement")
    enhanced = models.BooleanField()
    basis = models.CharField(max_length=30, choices=Basis.choices, blank=True)
    opt_out_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class VictimWishes(_By):
    """What the victim wants (the latest is shown)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="victim_wishes")
    supports_prosecution = models.BooleanField(null=True)
    wishes = models.TextField(blank=True)
    contact_preferences = models.TextField(blank=True)
    given_under_consent = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["referral", "created_at"], name="victims_wishes_idx")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class ConsentScope(_By):
    """Which agency kinds the victim agreed may be told what (the latest is in force)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consent_scopes")
    agency_kinds = models.JSONField(default=list)
    covers = models.TextField(blank=True)
    given_on = models.DateField()
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["referral", "created_at"], name="victims_consent_idx")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class AdvocateAssignment(_By):
    """The victim's named advocate (an ISAC or IDVA); one active per referral."""

    class Role(models.TextChoices):
        ISAC = "isac", "Independent stalking advocate (ISAC)"
        IDVA = "idva", "Independent domestic violence advocate (IDVA)"
        OTHER = "other", "Other advocate"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="advocates")
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=models.Q(ended_on__isnull=True),
                name="victims_one_active_advocate",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class ContactEntry(_By):
    """Contact with the victim; an update owed under the Victims' Code carries its trigger, due
    time and whether it was on time."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        VISIT = "visit", "Visit"
        LETTER = "letter", "Letter"
        OTHER = "other", "Other"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=Method.choices)
    reached = models.BooleanField()
    trigger = models.CharField(max_length=30, blank=True)
    task = models.ForeignKey(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["referral", "at"], name="victims_contact_idx"),
            models.Index(fields=["trigger", "on_time"], name="victims_contact_trigger_idx"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class SafetyPlan(_By):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="safety_plans")
    agreed_on = models.DateField()
    review_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    summary = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class SafetyPlanReview(_By):
    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class StatementOffer(_By):
    """A victim personal statement: offered, then made or declined."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="statements")
    offered_on = models.DateField()
    made = models.BooleanField(null=True)
    made_on = models.DateField(null=True, blank=True)
    declined_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class PersonAtRisk(_By):
    class Relation(models.TextChoices):
        CHILD = "child", "Child"
        NEW_PARTNER = "new_partner", "New partner"
        FAMILY = "family", "Family member"
        FRIEND = "friend", "Friend"
        COLLEAGUE = "colleague", "Colleague"
        OTHER = "other", "Other"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="others_at_risk")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    name = models.CharField(max_length=200, blank=True)
    born = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    safeguarding_referred_on = models.DateField(null=True, blank=True)
    safeguarding_to = models.CharField(max_length=200, blank=True)
    outcome = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"



class RightToReview(models.Model):
    """The victim's right to review a decision not to prosecute (police or CPS)."""

    class DecidedBy(models.TextChoices):
        POLICE = "police", "Police"
        CPS = "cps", "Crown Prosecution Service"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not yet reviewed"
        UPHELD = "upheld", "Decision upheld"
        OVERTURNED = "overturned", "Decision overturned"
        WITHDRAWN = "withdrawn", "Request withdrawn"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reviews_offered")
    offence = models.ForeignKey(Offence, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    decided_by_kind = models.CharField(max_length=10, choices=DecidedBy.choices)
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_on = models.DateField()
    offered_on = models.DateField()
    requested_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    reviewed_on = models.DateField(null=True, blank=True)
    task = models.ForeignKey(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["outcome", "offered_on"], name="victims_vrr_idx")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
