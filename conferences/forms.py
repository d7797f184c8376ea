"""Input shapes for the meeting pages: scheduling, cancelling, the agenda, addenda. No state
changes here: the views hand the cleaned values to the same services the API calls."""

from __future__ import annotations

from django import forms

from agencies import policy
from agencies.models import Agency
from config.forms import DomainErrorsMixin

DATETIME_INPUT = "%Y-%m-%dT%H:%M"



def invitable_agencies(*, coordinator_id: int):
    """Agencies a chair may invite: active, of a kind that takes part in meetings; the chair's
    own agency is always invited and is not offered."""
    kinds = [kind for kind, grant in policy.SECTION_ACCESS["notes"].items() if "r" in grant]
    return (
        Agency.objects.filter(is_active=True, kind__in=kinds)
        .exclude(pk=coordinator_id)
        .order_by("name")
    )


class ConferenceForm(DomainErrorsMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            help_text="For example: Leeds stalking case conference, March")
    starts_at = forms.DateTimeField(
        label="Date and start time",
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    place = forms.CharField(label="Place", max_length=300, required=False,
                            help_text="A room, or how to join by video.")
    invited_agencies = forms.ModelMultipleChoiceField(
        label="Invited agencies",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Your own agency is always invited.",
        error_messages={"required": "Choose at least one agency to invite."},
    )

    def __init__(self, *args, coordinator_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited_agencies"].queryset = invitable_agencies(
            coordinator_id=coordinator_id
        )


class CancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Every invited agency can read this on the trail.",
    )


class AgendaAddForm(DomainErrorsMixin, forms.Form):
    reference = forms.CharField(
        label="Case reference", max_length=20,
        help_text="For example STK-2026-000001. Only cases your agency can see can be added.",
    )

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class AddendumForm(DomainErrorsMixin, forms.Form):
    agenda_item = forms.TypedChoiceField(label="What it is about", coerce=int, empty_value=None,
                                         required=False)
    text = forms.CharField(label="Addendum", max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="The correction or addition to the signed minutes.")

    def __init__(self, *args, items: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [
            ("", "The meeting as a whole"),
            *[(item.pk, f"{item.position}. {item.referral.reference}") for item in items],
        ]
