"""Workflow state: the case's process, agency-owned tasks, bank holidays, notifications."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from agencies.models import Agency, Role


class CaseProcess(Process):
    """A viewflow process about one referral (the referral flow, or a single case task)."""

    referral = models.ForeignKey(
        "referral.Referral", null=True, on_delete=models.PROTECT, related_name="processes"
    )

    class Meta:
        verbose_name = "case process"


class TaskType(models.TextChoices):
    TRIAGE = "triage", "Triage"
    APPROVE_DECLINE = "approve_decline", "Approve a decline"
    PROVIDE_INFO = "provide_info", "Provide more information"
    RESEARCH = "research", "Research own records"
    THREAT_ASSESSMENT = "threat_assessment", "Threat assessment"
    CHARGING_REVIEW = "charging_review", "Charging review"
    SCHEDULE_CONFERENCE = "schedule_conference", "Schedule a case conference"
    PLAN = "plan", "Single-agency plan"
    ACTION = "action", "Conference action"
    REVIEW = "review", "Case review"
    CLOSURE = "closure", "Close the case"
    APPROVE_CLOSURE = "approve_closure", "Approve closure"
    ENFORCEMENT = "enforcement", "Enforce a breached order"
    PRE_HEARING_RISK = "pre_hearing_risk_assessment", "Pre-hearing risk assessment"
    PSYCHIATRIC_REQUEST = "psychiatric_assessment_request", "Psychiatric assessment before court?"
    VICTIM_UPDATE = "victim_update", "Update the victim"
    MINUTES_DISTRIBUTION = "minutes_distribution", "Distribute the minutes"
    APPROVE_DOWNGRADE = "approve_downgrade", "Approve a lower risk level"
    LINK_REFERRALS = "link_referrals", "Link or merge referrals of the same people"
    NOTIFICATION_CHECK = "notification_check", "Check the suspect's notification under an SPO"
    PRE_SENTENCE_REPORT = "pre_sentence_report", "Pre-sentence report"
    PSYCHIATRIC_REPORT = "psychiatric_report", "Psychiatric assessment for court"
    PERPETRATOR_ASSESSMENT = "perpetrator_assessment", "Assess the perpetrator"
    VICTIM_LETTER = "victim_letter", "Write to the victim about a CPS decision"
    RIGHT_TO_REVIEW = "right_to_review", "Review a decision not to charge"
    SAFETY_PLAN_REVIEW = "safety_plan_review", "Review the victim's safety plan"
    SUBJECT_ACCESS = "subject_access", "Answer a subject access request"


class AgencyTask(Task):
    """A viewflow task owned by one agency: its queue is an indexed query on agency and state.

    `is_open` mirrors viewflow's status (NEW/ASSIGNED/STARTED) so that queues and overdue sweeps
    use one composite index instead of viewflow's per-user permission scan. `in_queue` mirrors
    open and unclaimed (NEW, no owner), which viewflow keeps on its own table: the agency's queue
    is then read from this table alone, by an index of queued tasks only. `completed_at` mirrors
    viewflow's `finished` of a completed task (not of a cancelled one) and `outcome` the answer
    its result gave (`task_outcome`), so that the outcome reports count a caseload's triage
    decisions and approvals from this table's report index alone, never joining viewflow's
    table row by row. All are kept by the node's activation
    (`workflows.nodes.AgencyViewActivation`), which every change of status or owner goes through.
    """

    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="tasks")
    referral = models.ForeignKey(
        "referral.Referral", null=True, on_delete=models.PROTECT, related_name="tasks"
    )
    task_type = models.CharField(max_length=40, choices=TaskType.choices, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    due = models.DateTimeField(null=True, blank=True)
    is_open = models.BooleanField(default=False)
    in_queue = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Who may not take this task (the decliner may not approve their own decline).
    excluded_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["agency", "is_open", "due"], name="task_queue_idx"),
            models.Index(fields=["is_open", "due"], name="task_overdue_idx"),
            models.Index(fields=["referral", "task_type"], name="task_referral_idx"),
            models.Index(
                fields=["task_type", "referral"],
                include=["is_open", "completed_at", "outcome"],
                condition=models.Q(referral__isnull=False),
                name="task_report_idx",
            ),
            models.Index(
                fields=["agency", "due"],
                condition=models.Q(in_queue=True),
                name="task_in_queue_idx",
            ),
        ]

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due and self.due < timezone.now())


def task_outcome(result: dict) -> str:
    """The answer a completed task's result gives, as `AgencyTask.outcome` keeps it: a decision
    (triage's `accept`, `decline` or `request_info`, a charging decision), `approved` or
    `refused` for an approval, else ""."""
    if isinstance(result.get("decision"), str):
        return result["decision"]
    approved = result.get("approved")
    if isinstance(approved, bool):
        return "approved" if approved else "refused"
    return ""


class BankHoliday(models.Model):
    """England and Wales bank holidays, kept as data (loaded by a data migration)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class Notification(models.Model):
    """An in-app notice: a task landed in a queue, was assigned, or is overdue; or news of a
    case for the agency that referred it (declined, linked or merged) or for the person whose
    decline was refused. `task` is the task it came from; `referral` the case it is about (the
    task's), for readers who may not open that task (another agency's), and to leave the notice
    out once the reader's agency may no longer see the case."""

    class Kind(models.TextChoices):
        QUEUED = "queued", "New task in your agency's queue"
        ASSIGNED = "assigned", "Task assigned to you"
        OVERDUE = "overdue", "Task overdue"
        DECLINED = "declined", "Your agency's referral was declined"
        DECLINE_REFUSED = "decline_refused", "Your decline was refused"
        LINK_OUTCOME = "link_outcome", "Your agency's referral was reviewed against others"
        VICTIM_UPDATED = "victim_updated", "The victim was updated"
        CONFERENCE_AWAITED = "conference_awaited", "A case awaits a conference"

    # Notices about a task's own state (`notifications.notice_text`); the rest are news of a case.
    TASK_KINDS = (Kind.QUEUED, Kind.ASSIGNED, Kind.OVERDUE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    task = models.ForeignKey(AgencyTask, null=True, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(
        "referral.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # A member's list, newest first: its page is the index's first rows.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "task"], name="notification_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.text
