"""The decision trail and access log: one append-only table of events."""

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Something decided, changed or read. Written once by a typed constructor in `audit.events`."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_slug = models.CharField(max_length=60, blank=True)
    verb = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    referral_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb}"
