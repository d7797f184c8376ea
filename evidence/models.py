"""Evidence files: screenshots, documents and recordings attached to a case or one of its
incidents, kept through the storage API under a random name, with the SHA-256 taken as they
were uploaded (checked again on every download)."""

from django.conf import settings
from django.db import models

from agencies import policy
from agencies.models import Agency
from referral.models import Incident, Referral


class EvidenceFile(models.Model):
    class Scan(models.TextChoices):
        NOT_SCANNED = "not_scanned", "Not scanned (no scanner configured)"
        CLEAN = "clean", "Scanned: nothing found"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="evidence")
    # An incident of the same case (`services.evidence_add` checks it), or the case as a whole.
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    section = models.CharField(
        max_length=40, choices=[(s, policy.SECTION_TITLES[s]) for s in policy.SECTIONS],
        default="incidents",
    )
    description = models.TextField(max_length=2000, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=255, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    scan_result = models.CharField(max_length=20, choices=Scan.choices)
    # When a download first found the stored bytes other than those uploaded (or gone).
    altered_at = models.DateTimeField(null=True, blank=True)
    # When the case's personal data was erased (`privacy.erasure`): the stored file deleted,
    # the name and description emptied; the row stays, for the chain of custody and the counts.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["referral", "added_at"], name="evidence_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"
            ),
            models.CheckConstraint(
                condition=models.Q(section__in=policy.SECTIONS), name="evidence_section_known"
            ),
            models.CheckConstraint(
                condition=models.Q(scan_result__in=["not_scanned", "clean"]),
                name="evidence_scan_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence file {self.pk} on referral {self.referral_id}"

    @property
    def altered(self) -> bool:
        return self.altered_at is not None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None
