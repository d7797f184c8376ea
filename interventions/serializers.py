"""The interventions app's API shapes. Never imports `referral.serializers` (which composes
these into the referral's detail)."""

from rest_framework import serializers


class AssessmentsOutput(serializers.Serializer):
    """Assessments for court: before each hearing, pre-sentence reports, psychiatric ones."""


class ThreatRecommendationOutput(serializers.Serializer):
    """A threat assessment's recommendations as the assessing unit shared them."""


class InterventionsOutput(serializers.Serializer):
    """The perpetrator's intervention plan, assessments and interventions, and treatment."""
