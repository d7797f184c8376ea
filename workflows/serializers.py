"""Output shapes of the task API, as the OpenAPI document describes them. No state changes."""

from rest_framework import serializers

from agencies.models import Role
from referral.models import Referral, RiskLevel

from .models import Notification, TaskType


class TaskOutput(serializers.Serializer):
    """A task as an inbox lists it, and as claiming, releasing, reassigning or completing it
    answers."""

    id = serializers.IntegerField()
    task_type = serializers.ChoiceField(choices=TaskType.choices)
    title = serializers.CharField()
    status = serializers.CharField(
        help_text="The workflow's state, lower case: new, assigned, started, done, canceled..."
    )
    agency = serializers.SlugField(allow_null=True, help_text="The agency whose task it is.")
    role = serializers.ChoiceField(choices=Role.choices, help_text="The role that may claim it.")
    referral = serializers.IntegerField(allow_null=True)
    reference = serializers.CharField(allow_null=True)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_null=True)
    due = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    escalated = serializers.BooleanField()
    owner = serializers.CharField(allow_null=True, help_text="Who has claimed it (username).")
    created = serializers.DateTimeField()


class LinkedReferralOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    referrer_agency = serializers.SlugField()
    created_at = serializers.DateTimeField()


class TaskBriefOutput(serializers.Serializer):
    """What deciding the task needs to see: for `approve_decline` the decline and (for agencies
    that read case content) the case's summary; for `link_referrals` the referrals to link; for
    `closure` the offences' outcomes; for other tasks nothing (an empty object)."""

    decline_reason = serializers.CharField(required=False, allow_blank=True)
    triage_risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_null=True
    )
    current_risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    proposed_by = serializers.CharField(required=False, allow_null=True)
    referrer_agency = serializers.SlugField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    behaviours = serializers.ListField(child=serializers.CharField(), required=False)
    relationship = serializers.ListField(child=serializers.CharField(), required=False)
    stalking_since = serializers.DateField(required=False, allow_null=True)
    referral = LinkedReferralOutput(required=False)
    matches = LinkedReferralOutput(many=True, required=False)
    outcomes = serializers.CharField(
        required=False, help_text="For `closure`: each offence's outcome and sentence."
    )


class TaskDetailOutput(TaskOutput):
    """One task, with what doing it needs."""

    form = serializers.DictField(help_text="The fields completing it takes, as JSON Schema.")
    context = serializers.DictField(
        help_text="What the workflow gave the task; empty where its work is not the caller's "
        "to read."
    )
    brief = TaskBriefOutput()
    result = serializers.DictField(
        allow_null=True, help_text="The fields it was completed with; null until then."
    )


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    text = serializers.CharField()
    task = serializers.IntegerField(
        allow_null=True, help_text="The caller's agency's task it is about, if any."
    )
    referral = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class NotificationPageOutput(serializers.Serializer):
    """A page of the caller's notifications, newest first, with how many are unread."""

    count = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NotificationOutput(many=True)
    unread = serializers.IntegerField()


class NotificationReadOutput(NotificationOutput):
    """The notice just marked read, and how many of the caller's stay unread."""

    unread = serializers.IntegerField()


class NotificationsReadOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were marked read.")
    unread = serializers.IntegerField()
