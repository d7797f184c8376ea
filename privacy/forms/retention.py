"""Retention's page forms: each checked by the API's serializer in the same round as Django's
fields, so every problem is listed at once, then by the service (its refusals shown by the
fields they name)."""

from __future__ import annotations

from django import forms

from config.exceptions import DomainError
from referral.forms import DateInput

from ..models import CaseOutcome, RecordKind, RetentionAction
from ..serializers import retention as shapes


def _reason(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=shapes.TEXT_MAX,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RetentionForm(forms.Form):
    serializer_class: type = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validated: dict | None = None

    def payload(self, cleaned: dict) -> dict:
        return {k: v for k, v in cleaned.items() if v is not None}

    def clean(self):
        cleaned = super().clean()
        serializer = self.serializer_class(data=self.payload(cleaned))
        if not serializer.is_valid():
            self._errors_from(serializer.errors, skip_fields_with_errors=True)
        elif not self.errors:
            self.validated = serializer.validated_data
        return cleaned

    def _errors_from(self, detail: dict, *, skip_fields_with_errors: bool) -> None:
        for name, messages in detail.items():
            field = name if name in self.fields else None
            if skip_fields_with_errors and field is not None and self.has_error(field):
                continue
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field, str(message))

    def add_domain_error(self, exc: DomainError) -> None:
        """What the service refused: by the fields it names, or on top."""
        if exc.fields:
            self._errors_from(exc.fields, skip_fields_with_errors=False)
        else:
            self.add_error(None, exc.message)


class DecisionForm(RetentionForm):
    serializer_class = shapes.ReviewDecisionInput

    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            ("erase", "Erase the personal data now"),
            ("defer", "Defer: review the case again on a later date"),
        ],
        error_messages={"required": "Choose erase or defer."},
    )
    reason = _reason("Reason", "Why: it goes on the decision trail, and is kept after erasure.")
    deferred_until = forms.DateField(
        label="Review again on",
        required=False,
        widget=DateInput(),
        help_text="Only when deferring.",
        error_messages={"invalid": "Enter a real date."},
    )

    def payload(self, cleaned: dict) -> dict:
        day = cleaned.get("deferred_until")
        return {
            "decision": cleaned.get("decision", ""),
            "reason": cleaned.get("reason", ""),
            "deferred_until": day.isoformat() if day else None,
        }


class HoldForm(RetentionForm):
    serializer_class = shapes.HoldInput

    reason = _reason(
        "Reason",
        "Why the case must be kept (litigation, an inquiry, an "
        "appeal). It goes on the decision trail.",
    )


class ScheduleForm(RetentionForm):
    """A new schedule (with its record kind and outcome) or a change to one (without)."""

    record_kind = forms.ChoiceField(
        label="Records",
        choices=RecordKind.choices,
        initial=RecordKind.CASE,
        help_text="Evidence files: how long the case's files are kept, when shorter than the "
        "case; an outcome without such a schedule keeps its files as long as the case.",
    )
    outcome = forms.ChoiceField(label="Outcome", choices=CaseOutcome.choices)
    years = forms.IntegerField(
        label="Years kept",
        min_value=1,
        max_value=100,
        help_text="After closure; after the order's end for a protective order.",
        error_messages={"required": "Enter the years.", "invalid": "Enter a whole number."},
    )
    action = forms.ChoiceField(label="Then", choices=RetentionAction.choices)
    description = forms.CharField(
        label="Description",
        max_length=shapes.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, change: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if change:
            del self.fields["record_kind"]
            del self.fields["outcome"]
        self.serializer_class = shapes.ScheduleChangeInput if change else shapes.ScheduleInput
