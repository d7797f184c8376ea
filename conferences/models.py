"""Case conferences: meetings, their agendas."""

from django.conf import settings
from django.db import models

from agencies.models import Agency


class Conference(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_SESSION = "in_session", "In session"
        CLOSED = "closed", "Closed"
        MINUTES_SIGNED = "minutes_signed", "Minutes signed"

    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    place = models.CharField(max_length=300, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    invited_agencies = models.ManyToManyField(Agency, related_name="conferences")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["coordinator", "status", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CURRENT = "current", "Being heard"
        CLOSED = "closed", "Closed"

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="agenda")
    referral = models.ForeignKey(
        "referral.Referral", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    is_repeat = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "referral"], name="agenda_once_per_case")
        ]

    def __str__(self) -> str:
        return f"Item {self.position} of conference {self.conference_id}"
