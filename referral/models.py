"""The case: a referral and who may see it."""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from agencies.policy import InvolvementBasis


class Referral(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        TRIAGE = "triage", "In triage"
        INFO_REQUESTED = "info_requested", "More information requested"
        DECLINE_PENDING = "decline_pending", "Decline awaiting approval"
        DECLINED = "declined", "Declined"
        RESEARCH = "research", "Agency research"
        CONFERENCE = "conference", "Awaiting case conference"
        PLAN = "plan", "Single-agency plan"
        REVIEW = "review", "Under review"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20, unique=True)
    referrer_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class ReferralAgencyPermission(GroupObjectPermissionBase):
    """Guardian's group object permission with a real foreign key: one indexed join per list."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class ReferralUserPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class Involvement(models.Model):
    """One reason an agency is involved in a case; its view permission lasts while any remain."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="involvements")
    basis = models.CharField(max_length=20, choices=InvolvementBasis.choices)
    source = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency", "basis", "source"], name="involvement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} in {self.referral_id} ({self.basis})"
