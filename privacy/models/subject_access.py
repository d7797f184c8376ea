"""Subject access requests, what was found for them and what was disclosed.

A person (a victim or a suspect) asks for what the agencies hold about them (UK GDPR art. 15;
DPA 2018 s.45 for law-enforcement processing). A data protection officer records the request,
finds the records that hold data about the person, decides for each whether it is disclosed,
redacted or exempt, and discloses a bundle. The person's details and every record's text are
personal data: they are encrypted at rest (config/encryption.py).
"""

from __future__ import annotations

import calendar
import json
from datetime import date

from django.conf import settings
from django.db import models

from agencies.models import Agency
from config.encryption import EncryptedCharField, EncryptedTextField
from referral.models import PersonName, Referral

__all__ = [
    "Exemption",
    "ItemDecision",
    "SubjectAccessDisclosure",
    "SubjectAccessItem",
    "SubjectAccessRequest",
    "one_month_after",
]


def one_month_after(day: date) -> date:
    """The same day of the next calendar month, or that month's last day when it has no such
    day (31 January -> 28 or 29 February): the one month a controller has to answer."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class SubjectAccessRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISCLOSED = "disclosed", "Disclosed"
        CLOSED = "closed", "Closed without disclosure"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    subject_role = models.CharField(max_length=10, choices=PersonName.Role.choices)
    name = EncryptedCharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = EncryptedCharField(max_length=40, blank=True)
    email = EncryptedCharField(max_length=254, blank=True)
    online_platform = models.CharField(max_length=40, blank=True)
    online_account = EncryptedCharField(max_length=200, blank=True)
    received_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_reason = EncryptedTextField(blank=True, max_length=2000)
    notes = EncryptedTextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    searched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="sar_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gt=models.F("received_on")), name="sar_due_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"

    @property
    def reference(self) -> str:
        return f"SAR-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ItemDecision(models.TextChoices):
    DISCLOSE = "disclose", "Disclose"
    REDACT = "redact", "Disclose with redactions"
    EXEMPT = "exempt", "Withhold (exempt)"


class Exemption(models.TextChoices):
    LAW_ENFORCEMENT = (
        "law_enforcement",
        "Law enforcement (DPA 2018 s.45(4)): would prejudice the prevention, investigation or "
        "prosecution of crime",
    )
    THIRD_PARTY = "third_party", "Third-party data: another person's data"
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege"
    SAFEGUARDING = "safeguarding", "Safeguarding: would risk serious harm"


class SubjectAccessItem(models.Model):
    """One record of a case that holds data about the subject, with its text as found and the
    DPO's decision on it (the default one until the DPO decides)."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="items"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    record_kind = models.CharField(max_length=40)
    record_id = models.PositiveBigIntegerField()
    section = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    text = EncryptedTextField()
    decision = models.CharField(max_length=10, choices=ItemDecision.choices)
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    default_decision = models.CharField(max_length=10, choices=ItemDecision.choices)
    default_exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    # The phrases redacted, as a JSON list (encrypted: they are the person's or others' data).
    redactions_json = EncryptedTextField(blank=True, default="")
    disclosed_text = EncryptedTextField(blank=True, default="")
    reason = EncryptedTextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referral_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "record_kind", "record_id"], name="sar_item_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="exempt") | ~models.Q(exemption=""),
                name="sar_item_exempt_names_exemption",
            ),
        ]

    def __str__(self) -> str:
        return f"Item {self.pk} of subject access request {self.request_id}"

    @property
    def redactions(self) -> list[str]:
        return json.loads(self.redactions_json) if self.redactions_json else []

    @property
    def is_disclosed(self) -> bool:
        return self.decision != ItemDecision.EXEMPT


class SubjectAccessDisclosure(models.Model):
    """What was disclosed for a request: the items, and the bundle's two files (kept in the
    `privacy` storage under random names) with the SHA-256 of each."""

    request = models.OneToOneField(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="disclosure"
    )
    items = models.ManyToManyField(SubjectAccessItem, related_name="+")
    json_name = models.CharField(max_length=255, unique=True)
    json_sha256 = models.CharField(max_length=64)
    pdf_name = models.CharField(max_length=255, unique=True)
    pdf_sha256 = models.CharField(max_length=64)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Disclosure of subject access request {self.request_id}"
