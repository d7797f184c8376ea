"""The subject access pages' forms: their fields as the API's (`serializers`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from config.forms import DomainErrorsMixin
from referral.models import PersonName

from .. import services
from ..models import Exemption, ItemDecision


class RequestForm(DomainErrorsMixin, forms.Form):
    subject_role = forms.ChoiceField(
        label="Whose data is asked for",
        choices=PersonName.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose victim or suspect."},
    )
    name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter the person's name."}
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="With a date of birth, only cases naming the person with it are found.",
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=40, required=False)
    email = forms.CharField(label="Email address (optional)", max_length=254, required=False)
    online_platform = forms.CharField(
        label="Online platform (optional)", max_length=40, required=False
    )
    online_account = forms.CharField(
        label="Online account (optional)", max_length=200, required=False
    )
    received_on = forms.DateField(
        label="Received on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The answer is due one calendar month later.",
        error_messages={"required": "Enter the day the request was received."},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def draft(self) -> services.RequestDraft:
        return services.RequestDraft(**self.cleaned_data)


class ItemDecisionForm(DomainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=ItemDecision.choices, widget=forms.RadioSelect
    )
    exemption = forms.ChoiceField(
        label="Exemption (when withheld)",
        required=False,
        choices=[("", "-")] + list(Exemption.choices),
    )
    redact = forms.CharField(
        label="Phrases to redact (one per line)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Each occurrence is replaced by [redacted] in what is disclosed.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to disclose a record that starts exempt.",
    )

    def __init__(self, *args, item, **kwargs):
        kwargs.setdefault("prefix", f"item-{item.pk}")
        kwargs.setdefault(
            "initial",
            {
                "decision": item.decision,
                "exemption": item.exemption,
                "redact": "\n".join(item.redactions),
                "reason": item.reason,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item

    def choice(self) -> services.ItemChoice:
        data = self.cleaned_data
        phrases = [p.strip() for p in data["redact"].splitlines() if p.strip()]
        return services.ItemChoice(
            decision=data["decision"],
            exemption=data["exemption"],
            redact=phrases,
            reason=data["reason"],
        )


class CloseForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why nothing is disclosed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the request is closed without disclosure."},
    )
