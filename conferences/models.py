"""Case conferences: meetings, who came, agendas, decisions, actions and live notes."""

from django.conf import settings
from django.db import models

from agencies.models import Agency

CONFIDENTIALITY_STATEMENT = (
    "The information discussed at this meeting is confidential. It is shared only to protect "
    "victims of stalking and to prevent crime, under a lawful basis recorded for each agency. "
    "It may not be shared beyond the agencies present without the agreement of the agency that "
    "gave it, and never with the suspect. Notes marked for some agencies stay with them."
)


class Conference(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_SESSION = "in_session", "In session"
        CLOSED = "closed", "Closed"
        MINUTES_SIGNED = "minutes_signed", "Minutes signed"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    place = models.CharField(max_length=300, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    invited_agencies = models.ManyToManyField(Agency, related_name="conferences")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    confidentiality_statement = models.TextField(default=CONFIDENTIALITY_STATEMENT)
    current_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last note sequence number issued in this meeting (notes are numbered 1, 2, 3...).
    last_seq = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["coordinator", "status", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Who came, for which agency, and when they accepted the confidentiality statement."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.conference_id}"


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CURRENT = "current", "Being heard"
        CLOSED = "closed", "Closed"
        REMOVED = "removed", "Removed"

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="agenda")
    referral = models.ForeignKey(
        "referral.Referral", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    is_repeat = models.BooleanField(default=False)
    # The conference criteria's routes the case met when it was put on (`conferences.criteria`);
    # `primary_route` the first of them in `criteria.ROUTES`' order ("" when a chair added a
    # case that met none), so that reports count agendas by route without reading JSON.
    routes = models.JSONField(default=list, blank=True)
    primary_route = models.CharField(max_length=24, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "referral"], name="agenda_once_per_case")
        ]

    def __str__(self) -> str:
        return f"Item {self.position} of conference {self.conference_id}"


class JudgementReferral(models.Model):
    """A professional's referral of a case to a conference on their judgement, whatever the
    screen and the incidents say: a route to a conference of its own."""

    referral = models.ForeignKey(
        "referral.Referral", on_delete=models.CASCADE, related_name="judgement_referrals"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=5000)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_at", "id"]
        indexes = [models.Index(fields=["referral", "made_at"], name="judgement_referral_idx")]

    def __str__(self) -> str:
        return f"Judgement referral {self.pk} of referral {self.referral_id}"


class Decision(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    # The recording page's idempotency key: a resent request stores no second decision.
    client_id = models.UUIDField(null=True, blank=True)
    text = models.TextField(max_length=5000)
    reason = models.TextField(max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client_id"], name="decision_client_once")
        ]

    def __str__(self) -> str:
        return f"Decision {self.pk} on item {self.item_id}"


class ConferenceAction(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        NOT_POSSIBLE = "not_possible", "Not possible: circumstances changed"
        NOT_DONE = "not_done", "Not done by the agency"

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    # The recording page's idempotency key: a resent request stores no second action (or task).
    client_id = models.UUIDField(null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(max_length=5000)
    due = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    # When the owning agency reported the outcome: signed minutes show only earlier outcomes.
    outcome_at = models.DateTimeField(null=True, blank=True)
    task = models.OneToOneField(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client_id"], name="action_client_once")
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} for {self.agency_id}"


class Note(models.Model):
    """A live note. Stored before it is broadcast; `seq` orders a meeting's notes for resync.

    `visible_to` is null for everyone at the meeting, or a list of agency slugs. After the
    minutes are signed, corrections are addenda (`is_addendum`), on a case or the meeting as a
    whole, pointing at the note they correct if there is one.
    """

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="notes")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=5000)
    visible_to = models.JSONField(null=True, blank=True)
    seq = models.PositiveIntegerField()
    client_id = models.UUIDField()
    version = models.PositiveIntegerField(default=1)
    addendum_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )
    # Added after the minutes were signed: the signed minutes show it beside what they froze.
    is_addendum = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "seq"], name="note_seq_unique"),
            models.UniqueConstraint(fields=["conference", "client_id"], name="note_client_once"),
        ]

    def __str__(self) -> str:
        return f"Note {self.seq} of conference {self.conference_id}"

    def visible_for(self, agency_slug: str) -> bool:
        return self.visible_to is None or agency_slug in self.visible_to


class Presence(models.Model):
    """A socket in a meeting room (shared by every server process through the database)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency_slug = models.CharField(max_length=60)
    joined_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conference_id}"
