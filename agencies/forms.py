"""Input shapes of the agencies' pages."""

from django import forms


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
