"""The justice app's API shapes. Never imports `referral.serializers` (which composes these
into the referral's detail)."""

from __future__ import annotations

from rest_framework import serializers

from config.rest import StrictBooleanField, StrictCharField, StrictSerializer
from referral.models import CourtHearing, ProtectiveOrder

from . import services
from .models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    OffenceKind,
    PoliceDecision,
    SentenceRequirement,
    WarningSigns,
)

TEXT_MAX = 10000


def _sign(label: str) -> StrictBooleanField:
    return StrictBooleanField(required=False, allow_null=True, default=None, help_text=label)


# --- Input ---------------------------------------------------------------------------------


class WarningSignsInput(StrictSerializer):
    """The four warning signs: true (yes), false (no) or null (not known)."""

    fixated = _sign("Is the suspect fixated on the victim?")
    obsessive = _sign("Is the behaviour obsessive?")
    unwanted = _sign("Is the attention unwanted?")
    repeated = _sign("Is the behaviour repeated?")

    def draft(self, data) -> services.SignsDraft:
        return services.SignsDraft(**{k: data.get(k) for k in services.SIGN_NAMES})


class OffenceInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=OffenceKind.choices)
    label = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    crime_reference = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    domestic_abuse = StrictBooleanField(required=False, allow_null=True, default=None)
    committed_from = serializers.DateField(required=False, allow_null=True, default=None)
    committed_to = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if data["kind"] == OffenceKind.OTHER and not data["label"].strip():
            raise serializers.ValidationError({"label": ["Name the offence."]})
        return data

    def draft(self, data) -> services.OffenceDraft:
        return services.OffenceDraft(**dict(data))


class OffenceAmendInput(StrictSerializer):
    """An amendment: any of the offence's kind, name, domestic-abuse flag (null: not known) and
    crime reference; fields left out stay as recorded. The reason is required."""

    kind = serializers.ChoiceField(choices=OffenceKind.choices, required=False)
    label = StrictCharField(max_length=200, required=False, allow_blank=True)
    domestic_abuse = StrictBooleanField(required=False, allow_null=True)
    crime_reference = StrictCharField(max_length=40, required=False, allow_blank=True)
    reason = StrictCharField(
        max_length=TEXT_MAX, error_messages={"blank": "Say why the offence is amended.",
                        "required": "Say why the offence is amended."},
        help_text="Why the offence is amended. It goes on the decision trail.",
    )

    def amendment(self, data) -> services.OffenceAmendment:
        return services.OffenceAmendment(
            reason=data["reason"], kind=data.get("kind"), label=data.get("label"),
            crime_reference=data.get("crime_reference"),
            domestic_abuse=data.get("domestic_abuse"),
            domestic_abuse_unknown="domestic_abuse" in data and data["domestic_abuse"] is None,
        )


class PoliceDecisionInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=PoliceDecision.Kind.choices)
    decided_on = serializers.DateField()
    nfa_reason = serializers.ChoiceField(
        choices=PoliceDecision.NfaReason.choices, required=False, allow_blank=True, default=""
    )
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    bail_conditions = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )
    bail_expires = serializers.DateField(required=False, allow_null=True, default=None)

    def draft(self, data) -> services.PoliceDecisionDraft:
        return services.PoliceDecisionDraft(**dict(data))


class ChargingDecisionInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=ChargingDecision.Decision.choices)
    decided_on = serializers.DateField()
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    charged_as = serializers.ChoiceField(
        choices=OffenceKind.choices, required=False, allow_blank=True, default=""
    )
    test = serializers.ChoiceField(
        choices=ChargingDecision.Test.choices, required=False, allow_blank=True, default=""
    )

    def draft(self, data) -> services.ChargingDraft:
        return services.ChargingDraft(**dict(data))


class HearingOutcomeInput(StrictSerializer):
    result = serializers.ChoiceField(choices=HearingOutcome.Result.choices)
    offence = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    note = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    bail_conditions = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )
    bail_expires = serializers.DateField(required=False, allow_null=True, default=None)


class RequirementInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=SentenceRequirement.Kind.choices)
    detail = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    length_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )


class ConvictionOrderInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=[
        (ProtectiveOrder.Kind.RESTRAINING_ORDER, ProtectiveOrder.Kind.RESTRAINING_ORDER.label)
    ])
    conditions = StrictCharField(max_length=TEXT_MAX)
    starts = serializers.DateField()
    expires = serializers.DateField(required=False, allow_null=True, default=None)


class SentenceInput(StrictSerializer):
    disposal = serializers.ChoiceField(choices=Offence.Disposal.choices)
    sentenced_on = serializers.DateField()
    hearing = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    custody_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    suspended_for_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    fine_pence = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    compensation_pence = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    requirements = RequirementInput(many=True, required=False, max_length=12)
    orders = ConvictionOrderInput(many=True, required=False, max_length=5)

    def draft(self, data, *, hearing: CourtHearing | None) -> services.SentenceDraft:
        return services.SentenceDraft(
            disposal=data["disposal"],
            sentenced_on=data["sentenced_on"],
            hearing=hearing,
            custody_days=data["custody_days"],
            suspended_for_days=data["suspended_for_days"],
            fine_pence=data["fine_pence"],
            compensation_pence=data["compensation_pence"],
            requirements=tuple(
                services.RequirementDraft(**dict(r)) for r in data.get("requirements", [])
            ),
            orders=tuple(
                services.ConvictionOrderDraft(**dict(o)) for o in data.get("orders", [])
            ),
        )


# --- Output --------------------------------------------------------------------------------


class WarningSignsOutput(serializers.Serializer):
    """The four warning signs (fixated, obsessive, unwanted, repeated) as last recorded:
    true, false or null (not known)."""

    stage = serializers.ChoiceField(choices=WarningSigns.Stage.choices)
    fixated = serializers.BooleanField(allow_null=True)
    obsessive = serializers.BooleanField(allow_null=True)
    unwanted = serializers.BooleanField(allow_null=True)
    repeated = serializers.BooleanField(allow_null=True)
    offences_considered = serializers.ListField(
        child=serializers.ChoiceField(choices=OffenceKind.choices)
    )
    agency = serializers.SlugField()
    recorded_at = serializers.DateTimeField()


class PoliceDecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PoliceDecision.Kind.choices)
    nfa_reason = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField()
    bail_conditions = serializers.IntegerField(allow_null=True)
    agency = serializers.SlugField()


class ChargingDecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offence = serializers.IntegerField(allow_null=True, help_text="null: on the whole case")
    decision = serializers.ChoiceField(choices=ChargingDecision.Decision.choices)
    charged_as = serializers.CharField(allow_blank=True)
    test = serializers.CharField(allow_blank=True)
    offence_named = serializers.CharField(
        allow_blank=True, help_text="The offence as a charging review named it, in words."
    )
    reason = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField()
    agency = serializers.SlugField()


class HearingOutcomeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hearing = serializers.IntegerField()
    offence = serializers.IntegerField(allow_null=True)
    result = serializers.ChoiceField(choices=HearingOutcome.Result.choices)
    bail_conditions = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    agency = serializers.SlugField()


class RequirementOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SentenceRequirement.Kind.choices)
    detail = serializers.CharField(allow_blank=True)
    length_days = serializers.IntegerField(allow_null=True)


class SentenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offence = serializers.IntegerField()
    hearing = serializers.IntegerField(allow_null=True)
    sentenced_on = serializers.DateField()
    disposal = serializers.ChoiceField(choices=Offence.Disposal.choices)
    custody_days = serializers.IntegerField(allow_null=True)
    suspended_for_days = serializers.IntegerField(allow_null=True)
    fine_pence = serializers.IntegerField(allow_null=True)
    compensation_pence = serializers.IntegerField(allow_null=True)
    requirements = RequirementOutput(many=True)
    orders = serializers.ListField(child=serializers.IntegerField())
    agency = serializers.SlugField()


class OffenceOutput(serializers.Serializer):
    """An offence with what the police, CPS and the court did with it. `charging_decisions`
    only for readers of the charging section (with the decisions on the whole case);
    `hearing_outcomes` and `sentence` only for readers of the court section."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OffenceKind.choices)
    label = serializers.CharField(allow_blank=True)
    crime_reference = serializers.CharField(allow_blank=True)
    domestic_abuse = serializers.BooleanField(allow_null=True)
    committed_from = serializers.DateField(allow_null=True)
    committed_to = serializers.DateField(allow_null=True)
    breach_of_order = serializers.IntegerField(allow_null=True)
    incident = serializers.IntegerField(allow_null=True)
    agency = serializers.SlugField()
    recorded_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Offence.Status.choices)
    police_outcome = serializers.CharField(allow_blank=True)
    cps_decision = serializers.CharField(allow_blank=True)
    disposal = serializers.CharField(allow_blank=True)
    custody_days = serializers.IntegerField(allow_null=True)
    fine_pence = serializers.IntegerField(allow_null=True)
    treatment_required = serializers.BooleanField()
    charged_on = serializers.DateField(allow_null=True)
    convicted_on = serializers.DateField(allow_null=True)
    sentenced_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    police_decisions = PoliceDecisionOutput(many=True)
    charging_decisions = ChargingDecisionOutput(many=True, required=False)
    hearing_outcomes = HearingOutcomeOutput(many=True, required=False)
    sentence = SentenceOutput(required=False, allow_null=True)


class CourtHearingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CourtHearing.Kind.choices)
    date = serializers.DateField()
    court = serializers.CharField(allow_blank=True)
    outcomes = HearingOutcomeOutput(many=True)


class CourtOutput(serializers.Serializer):
    """The case's hearings with their outcomes, and the sentences passed."""

    hearings = CourtHearingOutput(many=True)
    sentences = SentenceOutput(many=True)


# --- Rows as the outputs above shape them --------------------------------------------------


def _by(row: dict) -> dict:
    row = dict(row)
    row["agency"] = row.pop("agency__slug")
    return row


def police_decision_row(row: dict) -> dict:
    row = _by(row)
    row.pop("offence_id", None)
    row["bail_conditions"] = row.pop("bail_conditions_id")
    return row


def charging_decision_row(row: dict) -> dict:
    row = _by(row)
    row["offence"] = row.pop("offence_id")
    return row


def hearing_outcome_row(row: dict) -> dict:
    row = _by(row)
    for key in ("hearing", "offence", "bail_conditions"):
        row[key] = row.pop(f"{key}_id")
    for key in ("created_at", "hearing__date", "hearing__kind"):
        row.pop(key, None)
    return row


def sentence_row(row: dict) -> dict:
    row = _by(row)
    row["offence"] = row.pop("offence_id")
    row["hearing"] = row.pop("hearing_id")
    return row


def offence_row(row: dict) -> dict:
    row = _by(row)
    row["breach_of_order"] = row.pop("breach_of_order_id")
    row["incident"] = row.pop("incident_id")
    row["recorded_at"] = row.pop("created_at")
    row["police_decisions"] = [police_decision_row(r) for r in row["police_decisions"]]
    if "charging_decisions" in row:
        row["charging_decisions"] = [charging_decision_row(r) for r in row["charging_decisions"]]
    if "hearing_outcomes" in row:
        row["hearing_outcomes"] = [hearing_outcome_row(r) for r in row["hearing_outcomes"]]
    if "sentence" in row and row["sentence"] is not None:
        row["sentence"] = sentence_row(row["sentence"])
    return row


def warning_signs_row(row: dict | None) -> dict | None:
    if row is None:
        return None
    row = _by(row)
    row["recorded_at"] = row.pop("created_at")
    return row


def court_row(court: dict) -> dict:
    return {
        "hearings": [
            {**h, "outcomes": [hearing_outcome_row(o) for o in h["outcomes"]]}
            for h in court["hearings"]
        ],
        "sentences": [sentence_row(s) for s in court["sentences"]],
    }
