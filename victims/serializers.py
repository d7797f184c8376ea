"""The victims app's API shapes. Never imports `referral.serializers` (which composes these
into the referral's detail)."""

from rest_framework import serializers

from agencies.models import AgencyKind
from config.rest import StrictBooleanField, StrictCharField, StrictSerializer

from .models import AdvocateAssignment, ContactEntry, Entitlement, PersonAtRisk

TEXT_MAX = 10000


def _text(**kwargs):
    return StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="",
                           **kwargs)


# --- Output ----------------------------------------------------------------------------------


class EntitlementOutput(serializers.Serializer):
    enhanced = serializers.BooleanField()
    basis = serializers.CharField(allow_blank=True)
    basis_label = serializers.CharField(allow_blank=True)
    opt_out_reason = serializers.CharField(allow_blank=True)
    opted_out_without_reason = serializers.BooleanField(
        help_text="Opted out of enhanced rights without a reason (an old client): to check."
    )
    decided_at = serializers.DateTimeField()


class WishesOutput(serializers.Serializer):
    supports_prosecution = serializers.BooleanField(allow_null=True)
    wishes = serializers.CharField(allow_blank=True)
    contact_preferences = serializers.CharField(allow_blank=True)
    given_under_consent = serializers.BooleanField()
    withheld = serializers.BooleanField(
        help_text="Given under consent that does not cover the reader's agency kind: held by "
        "advocacy, not shared."
    )
    recorded_at = serializers.DateTimeField()
    agency = serializers.CharField()


class ConsentOutput(serializers.Serializer):
    agency_kinds = serializers.ListField(child=serializers.CharField())
    covers = serializers.CharField(allow_blank=True)
    given_on = serializers.DateField()
    withdrawn_on = serializers.DateField(allow_null=True)


class AdvocateOutput(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    role = serializers.CharField()
    role_label = serializers.CharField()
    agency = serializers.CharField()
    started_on = serializers.DateField()


class SafetyPlanReviewOutput(serializers.Serializer):
    reviewed_on = serializers.DateField()
    next_review_on = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class SafetyPlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agreed_on = serializers.DateField()
    review_on = serializers.DateField()
    summary = serializers.CharField(allow_blank=True)
    agency = serializers.CharField()
    reviews = SafetyPlanReviewOutput(many=True)


class StatementOutput(serializers.Serializer):
    offered_on = serializers.DateField()
    made = serializers.BooleanField(allow_null=True)
    made_on = serializers.DateField(allow_null=True)
    declined_reason = serializers.CharField(allow_blank=True)


class RightToReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    decided_by_kind = serializers.CharField()
    decided_by_label = serializers.CharField()
    decision_on = serializers.DateField()
    offered_on = serializers.DateField()
    requested_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    reviewed_on = serializers.DateField(allow_null=True)


class VictimVoiceOutput(serializers.Serializer):
    """The victim's wishes, consent, advocate, safety plan, statement, entitlement, reviews
    (empty when nothing is recorded)."""

    entitlement = EntitlementOutput(required=False, allow_null=True)
    wishes = WishesOutput(required=False, allow_null=True)
    consent = ConsentOutput(required=False, allow_null=True)
    advocate = AdvocateOutput(required=False, allow_null=True)
    safety_plan = SafetyPlanOutput(required=False, allow_null=True)
    statement = StatementOutput(required=False, allow_null=True)
    reviews = RightToReviewOutput(many=True, required=False)


class PersonAtRiskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    relation = serializers.CharField()
    relation_label = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    born = serializers.DateField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    safeguarding_referred_on = serializers.DateField(allow_null=True)
    safeguarding_to = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField(allow_blank=True)
    agency_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class SafeguardingOutput(serializers.Serializer):
    """Others at risk and the safeguarding referrals made for them."""

    others_at_risk = PersonAtRiskOutput(many=True, required=False)


class ContactOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    method = serializers.CharField()
    method_label = serializers.CharField()
    reached = serializers.BooleanField()
    trigger = serializers.CharField(allow_blank=True)
    due = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    task_id = serializers.IntegerField(allow_null=True)
    agency_name = serializers.CharField()
    by = serializers.CharField(allow_null=True)


class ContactListOutput(serializers.Serializer):
    results = ContactOutput(many=True)


# --- Input -----------------------------------------------------------------------------------


class EntitlementInput(StrictSerializer):
    enhanced = StrictBooleanField()
    basis = serializers.ChoiceField(choices=Entitlement.Basis.choices, required=False,
                                    allow_blank=True, default="")
    opt_out_reason = _text()


class WishesInput(StrictSerializer):
    supports_prosecution = StrictBooleanField(allow_null=True)
    wishes = _text()
    contact_preferences = _text()
    given_under_consent = StrictBooleanField(required=False, default=False)


class ConsentInput(StrictSerializer):
    agency_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=AgencyKind.choices), max_length=10
    )
    covers = _text()
    given_on = serializers.DateField()
    withdrawn_on = serializers.DateField(required=False, allow_null=True, default=None)


class AdvocateInput(StrictSerializer):
    """Name an advocate (`advocate`: their username), or end the current one (`end` with a
    `reason`)."""

    advocate = StrictCharField(max_length=150, required=False, default="")
    role = serializers.ChoiceField(choices=AdvocateAssignment.Role.choices, required=False,
                                   default=AdvocateAssignment.Role.ISAC)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    end = StrictBooleanField(required=False, default=False)
    reason = _text()

    def validate(self, data):
        if data["end"] and not data["reason"].strip():
            raise serializers.ValidationError({"reason": ["Say why the advocate's work ends."]})
        if not data["end"] and not data["advocate"]:
            raise serializers.ValidationError({"advocate": ["Name the advocate."]})
        return data


class SafetyPlanInput(StrictSerializer):
    agreed_on = serializers.DateField()
    review_on = serializers.DateField()
    summary = _text()


class StatementInput(StrictSerializer):
    offered_on = serializers.DateField()
    made = StrictBooleanField(required=False, allow_null=True, default=None)
    made_on = serializers.DateField(required=False, allow_null=True, default=None)
    declined_reason = _text()


class RightToReviewInput(StrictSerializer):
    """The victim asks for review `review` (an id from `victim_voice.reviews`)."""

    review = serializers.IntegerField(min_value=1)
    requested_on = serializers.DateField(required=False, allow_null=True, default=None)


class ContactInput(StrictSerializer):
    method = serializers.ChoiceField(choices=ContactEntry.Method.choices)
    reached = StrictBooleanField()
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = _text()


class PersonAtRiskInput(StrictSerializer):
    relation = serializers.ChoiceField(choices=PersonAtRisk.Relation.choices)
    name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    born = serializers.DateField(required=False, allow_null=True, default=None)
    notes = _text()


class SafeguardingInput(StrictSerializer):
    referred_on = serializers.DateField()
    to = StrictCharField(max_length=200)
    outcome = _text()
