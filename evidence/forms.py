"""The upload form of the case page: its fields as the API's (`serializers.EvidenceInput`)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from agencies import policy
from config.forms import DomainErrorsMixin

from .uploads import ALLOWED_LABEL, size_label


class EvidenceForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a file to upload.",
                        "empty": "The file is empty."},
    )
    section = forms.ChoiceField(
        label="Case section",
        help_text="The file is seen by whoever may read this section of the case.",
        error_messages={"required": "Choose the section the file belongs to."},
    )
    incident = forms.TypedChoiceField(
        label="Incident (optional)", required=False, coerce=int, empty_value=None,
    )
    description = forms.CharField(
        label="Description (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the file shows, and where it came from.",
    )

    def __init__(self, *args, membership, incidents: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{ALLOWED_LABEL}; at most {size_label(settings.EVIDENCE_MAX_BYTES)}. The type is "
            "read from the file's content, which its name must agree with."
        )
        sections = [s for s in policy.SECTIONS if policy.can_add_evidence(membership, s)]
        self.fields["section"].choices = [(s, policy.SECTION_TITLES[s]) for s in sections]
        if "incidents" in sections:
            self.fields["section"].initial = "incidents"
        if incidents:
            self.fields["incident"].choices = [("", "None: the case as a whole"), *incidents]
        else:
            del self.fields["incident"]
