"""The interventions app's API shapes. Never imports `referral.serializers` (which composes
these into the referral's detail)."""

from rest_framework import serializers

from config.rest import StrictBooleanField, StrictCharField, StrictSerializer

from .models import (
    HearingAssessment,
    Intervention,
    Level,
    PerpetratorAssessment,
    PsychiatricAssessment,
)
from .services import InterventionDraft, PerpetratorAssessmentDraft

TEXT_MAX = 10000


# --- Output -------------------------------------------------------------------------------------


class HearingRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    date = serializers.DateField()


class HearingAssessmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hearing = HearingRefOutput()
    agency = serializers.CharField(help_text="The assessing agency's slug.")
    kind = serializers.ChoiceField(choices=HearingAssessment.Kind.choices)
    task = serializers.IntegerField(allow_null=True)
    due = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    before_hearing = serializers.BooleanField(
        allow_null=True, help_text="Done before the hearing's day began; null until done."
    )
    risk_level = serializers.CharField(
        help_text="Risk to the victim (a risk assessment) or of serious harm (a PSR)."
    )
    summary = serializers.CharField()
    victim_views = serializers.CharField()
    bail_conditions_sought = serializers.CharField()
    recommendation = serializers.CharField(help_text="To the court; a PSR's proposed sentence.")
    treatment_suitability = serializers.CharField()


class PsychiatricAssessmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hearing = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=PsychiatricAssessment.Status.choices)
    sought_on = serializers.DateField()
    requested_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    before_court_on = serializers.DateField(allow_null=True)
    provider = serializers.CharField()
    reason = serializers.CharField()


class AssessmentsOutput(serializers.Serializer):
    """Assessments for court: before each hearing, pre-sentence reports, psychiatric ones."""

    hearing_assessments = HearingAssessmentOutput(many=True)
    psychiatric = PsychiatricAssessmentOutput(many=True)


class ThreatRecommendationOutput(serializers.Serializer):
    """A threat assessment's recommendations as the assessing unit shared them."""

    id = serializers.IntegerField()
    agency = serializers.CharField()
    recommendations = serializers.CharField()
    sharing_basis = serializers.CharField()
    shared_at = serializers.DateTimeField()


class PlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    lead_agency = serializers.CharField()
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)


class PerpetratorAssessmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.ChoiceField(choices=PerpetratorAssessment.Instrument.choices)
    assessor_trained = serializers.BooleanField()
    assessor = serializers.CharField()
    done_on = serializers.DateField()
    persistence = serializers.ChoiceField(choices=Level.choices)
    recurrence = serializers.ChoiceField(choices=Level.choices)
    violence = serializers.ChoiceField(choices=Level.choices)
    summary = serializers.CharField()
    agency = serializers.CharField()


class InterventionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Intervention.Kind.choices)
    vehicle = serializers.ChoiceField(choices=Intervention.Vehicle.choices)
    order = serializers.IntegerField(allow_null=True)
    offence = serializers.IntegerField(allow_null=True)
    source = serializers.ChoiceField(choices=Intervention.Source.choices)
    fit_reason = serializers.CharField()
    status = serializers.ChoiceField(choices=Intervention.Status.choices)
    offered_on = serializers.DateField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    stop_reason = serializers.CharField()
    provider = serializers.CharField()
    agency = serializers.CharField()


class TreatmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Intervention.Kind.choices)
    status = serializers.ChoiceField(choices=Intervention.Status.choices)
    source = serializers.ChoiceField(choices=Intervention.Source.choices)
    vehicle = serializers.ChoiceField(choices=Intervention.Vehicle.choices)


class InterventionsOutput(serializers.Serializer):
    """The perpetrator's intervention plan, assessments and interventions, and treatment (the
    interventions that are treatment: every kind but `other`). In a case's detail the key is
    null until a plan is open; the interventions endpoint answers `plan` null then."""

    plan = PlanOutput(allow_null=True)
    assessments = PerpetratorAssessmentOutput(many=True)
    interventions = InterventionOutput(many=True)
    treatment = TreatmentOutput(many=True)


# --- Input --------------------------------------------------------------------------------------


class PsychiatricStepInput(StrictSerializer):
    status = serializers.ChoiceField(
        choices=[s for s in PsychiatricAssessment.Status.choices if s[0] != "sought"]
    )
    on = serializers.DateField(required=False, allow_null=True, default=None)
    provider = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class PerpetratorAssessmentInput(StrictSerializer):
    instrument = serializers.ChoiceField(choices=PerpetratorAssessment.Instrument.choices)
    assessor_trained = StrictBooleanField()
    assessor = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    done_on = serializers.DateField(required=False, allow_null=True, default=None)
    persistence = serializers.ChoiceField(choices=Level.choices)
    recurrence = serializers.ChoiceField(choices=Level.choices)
    violence = serializers.ChoiceField(choices=Level.choices)
    summary = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")

    def draft(self) -> PerpetratorAssessmentDraft:
        return PerpetratorAssessmentDraft(**self.validated_data)


class InterventionInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=Intervention.Kind.choices)
    vehicle = serializers.ChoiceField(choices=Intervention.Vehicle.choices)
    fit_reason = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default="",
        help_text="Why it fits this perpetrator; required for a domestic abuse programme.",
    )
    order = serializers.IntegerField(required=False, allow_null=True, default=None)
    offence = serializers.IntegerField(required=False, allow_null=True, default=None)
    provider = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    offered_on = serializers.DateField(required=False, allow_null=True, default=None)

    def draft(self) -> InterventionDraft:
        data = dict(self.validated_data)
        return InterventionDraft(
            order_id=data.pop("order"), offence_id=data.pop("offence"), **data
        )


class InterventionStatusInput(StrictSerializer):
    status = serializers.ChoiceField(
        choices=[s for s in Intervention.Status.choices if s[0] != "offered"]
    )
    on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default="",
        help_text="Required when declined or stopped.",
    )
