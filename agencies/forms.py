"""Input shapes of the agencies' pages."""

from django import forms

from config.forms import DomainErrorsMixin

from .models import Agency, AgencyKind, LawfulBasis


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=64,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="Why the member's second factor is reset (kept on the trail).",
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")



class AgreementForm(DomainErrorsMixin, forms.Form):
    """A new information-sharing agreement; the service checks the rest (two parties at least,
    the recorder's own agency among them)."""

    title = forms.CharField(label="Title", max_length=200,
                            help_text="For example: West Yorkshire stalking information sharing.")
    purpose = forms.CharField(label="Purpose", max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="What the parties share information for.")
    lawful_basis = forms.ChoiceField(label="Lawful basis", choices=LawfulBasis.choices)
    parties = forms.ModelMultipleChoiceField(
        label="Parties", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="At least two, your own agency among them.",
    )
    starts_on = forms.DateField(label="Starts on", widget=DateInput())
    review_on = forms.DateField(label="Review by", widget=DateInput(),
                                help_text="A review date past is shown as a warning.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = (
            Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.OVERSIGHT)
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        starts, review = data.get("starts_on"), data.get("review_on")
        if starts and review and review < starts:
            self.add_error("review_on", "The review date cannot be before the start date.")
        return data


class AgreementEditForm(DomainErrorsMixin, forms.Form):
    """Move an agreement's review date, or end it."""

    review_on = forms.DateField(label="Review by", widget=DateInput(), required=False)
    ended_on = forms.DateField(label="Ends on", widget=DateInput(), required=False,
                               help_text="Today or later. Disclosures made under it keep it.")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("review_on") and not data.get("ended_on"):
            raise forms.ValidationError("Give a new review date or an end date.")
        return data
