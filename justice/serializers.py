"""The justice app's API shapes. Never imports `referral.serializers` (which composes these
into the referral's detail)."""

from rest_framework import serializers


class WarningSignsOutput(serializers.Serializer):
    """The four warning signs (fixated, obsessive, unwanted, repeated) as last recorded."""


class OffenceOutput(serializers.Serializer):
    """An offence with what the police, CPS and the court did with it."""


class CourtOutput(serializers.Serializer):
    """The case's hearings with their outcomes, and the sentences passed."""
