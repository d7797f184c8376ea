"""What happens to an order after it is made: the application for a stalking protection order,
its changes (varied, renewed, extended, discharged, replaced), service and the suspect's duty to
notify the police (Stalking Protection Act 2019 s.9), and the enforcement of each breach.

The current state of an order stays on `referral.ProtectiveOrder` (status, served_on, ended_on);
the rows here say how it got there. `Enforcement` holds the facts a report counts (due, acted_at,
on_time, outcome) without reading task data.
"""

from django.conf import settings
from django.db import models

from agencies.models import Agency
from justice.models import Offence
from referral.models import CourtHearing, Incident, LocalPolicy, ProtectiveOrder, Referral

# SPA 2019 s.3(4): an order has effect for at least two years, or until further order.
SPO_MINIMUM_YEARS = 2
# SPA 2019 s.9: the suspect notifies the police of name and address within three days of
# service.
NOTIFICATION_DAYS = 3


class OrderApplication(models.Model):
    """A police application to a magistrates' court for a stalking protection order (SPA s.1)."""

    class Kind(models.TextChoices):
        STALKING_PROTECTION_ORDER = "stalking_protection_order", "Stalking protection order"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the court"
        INTERIM_MADE = "interim_made", "Interim order made"
        MADE = "made", "Order made"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="order_applications"
    )
    kind = models.CharField(
        max_length=30, choices=Kind.choices, default=Kind.STALKING_PROTECTION_ORDER
    )
    applied_on = models.DateField()
    court = models.CharField(max_length=200, blank=True)
    hearing = models.ForeignKey(
        CourtHearing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    interim_order = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=5000, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["applied_on", "id"]
        indexes = [
            models.Index(fields=["status", "applied_on"], name="order_application_status_idx"),
            models.Index(fields=["referral", "applied_on"], name="order_application_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} application on referral {self.referral_id}"


class OrderChange(models.Model):
    """A change to an order in force: varied, renewed, extended, discharged, or replaced (an
    interim stalking protection order by the full order)."""

    class Kind(models.TextChoices):
        VARIED = "varied", "Varied"
        RENEWED = "renewed", "Renewed"
        EXTENDED = "extended", "Extended"
        DISCHARGED = "discharged", "Discharged"
        REPLACED = "replaced", "Replaced by the full order"

    order = models.ForeignKey(ProtectiveOrder, on_delete=models.CASCADE, related_name="changes")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on = models.DateField()
    expires_before = models.DateField(null=True, blank=True)
    expires_after = models.DateField(null=True, blank=True)
    conditions_changed = models.BooleanField(default=False)
    reason = models.TextField(max_length=5000, blank=True)
    court = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["order", "on"], name="order_change_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


class NotificationDuty(models.Model):
    """The suspect's duty, once a stalking protection order (or interim order) is served, to
    notify the police of their name and address within three days (SPA s.9)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the suspect to notify"
        COMPLIED = "complied", "Notified"
        FAILED = "failed", "Failed to notify"

    order = models.OneToOneField(
        ProtectiveOrder, on_delete=models.CASCADE, related_name="notification"
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    served_on = models.DateField()
    due_on = models.DateField()
    notified_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    task = models.ForeignKey(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_on"], name="notification_duty_idx")]

    def __str__(self) -> str:
        return f"Notification due on {self.due_on}: {self.get_status_display()}"


class Enforcement(models.Model):
    """What was done about one breach (an incident that broke an order, or a failure to notify):
    who was to act, by when under which local policy version, and the outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not yet recorded"
        ARRESTED = "arrested", "Arrested"
        VOLUNTARY_INTERVIEW = "voluntary_interview", "Interviewed voluntarily"
        WARNED = "warned", "Warned"
        RECALLED = "recalled", "Recalled to prison"
        NO_ACTION = "no_action", "No action"
        NOT_TRACED = "not_traced", "Suspect not traced"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    incident = models.OneToOneField(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="enforcement"
    )
    notification = models.ForeignKey(
        NotificationDuty, null=True, blank=True, on_delete=models.PROTECT,
        related_name="enforcements",
    )
    order = models.ForeignKey(
        ProtectiveOrder, on_delete=models.PROTECT, related_name="enforcements"
    )
    offence = models.ForeignKey(
        Offence, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="enforcement",
    )
    due = models.DateTimeField()
    # The version of `enforcement.deadline` that set `due` (null: none was in effect, not even
    # the seeded default, and the fallback of 24 hours applied).
    policy = models.ForeignKey(
        LocalPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_reason = models.TextField(max_length=5000, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incident__isnull=True, notification__isnull=False)
                | models.Q(incident__isnull=False, notification__isnull=True),
                name="enforcement_of_one_breach",
            )
        ]
        indexes = [
            models.Index(fields=["outcome", "due"], name="enforcement_outcome_idx"),
            models.Index(fields=["order", "outcome"], name="enforcement_order_idx"),
        ]

    def __str__(self) -> str:
        return f"Enforcement due {self.due:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"
