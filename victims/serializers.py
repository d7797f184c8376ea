"""The victims app's API shapes. Never imports `referral.serializers` (which composes these
into the referral's detail)."""

from rest_framework import serializers


class VictimVoiceOutput(serializers.Serializer):
    """The victim's wishes, consent, advocate, safety plan, statement, entitlement, reviews."""


class SafeguardingOutput(serializers.Serializer):
    """Others at risk and the safeguarding referrals made for them."""
