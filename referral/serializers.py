"""Input and output shapes of the referral API. No state changes here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

import phonenumbers
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from agencies import policy
from config.rest import StrictBooleanField, StrictCharField, StrictSerializer, attribute_row
from interventions import serializers as intervention_serializers
from justice import serializers as justice_serializers
from orders import selectors as order_selectors
from orders import serializers as order_serializers
from victims import serializers as victim_serializers

from . import linking, screening, search, selectors
from .models import (
    Behaviour,
    Classification,
    CourtHearing,
    LocalPolicy,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    Referral,
    Relationship,
    RiskLevel,
)
from .services import IncidentDraft, OrderDraft, PersonDraft, ReferralDraft

NAME_MAX = 200
TEXT_MAX = 10000


def _not_future_date(value):
    if value is not None and value > timezone.localdate():
        raise serializers.ValidationError("Cannot be in the future.")


def _not_future_datetime(value):
    if value is not None and value > timezone.now():
        raise serializers.ValidationError("Cannot be in the future.")


class PersonInput(StrictSerializer):
    name = StrictCharField(max_length=NAME_MAX)
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, validators=[_not_future_date]
    )
    aliases = serializers.ListField(
        child=StrictCharField(max_length=NAME_MAX), required=False, max_length=20, default=list
    )

    def draft(self, data) -> PersonDraft:
        return PersonDraft(
            name=data["name"],
            date_of_birth=data.get("date_of_birth"),
            address=data.get("address", ""),
            aliases=tuple(data.get("aliases", [])),
        )


class SuspectInput(PersonInput):
    address = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class VictimInput(PersonInput):
    """The victim as every involved agency may read them: no way of reaching them, which is
    `victim_contact`'s alone."""

    misplaced_fields = {"address": "The victim's address belongs in victim_contact.address."}

    # Omitted: true for a stalking victim (persistently targeted, so enhanced under the
    # Victims' Code); an opt-out says why (old clients send false without one: accepted, flagged).
    enhanced_rights = StrictBooleanField(required=False)
    enhanced_rights_opt_out_reason = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )


PHONE_REGION = "GB"
PHONE_HELP = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192."


def checked_phone(value: str) -> str:
    """A phone number as given, if it could be one (UK numbers without +44, others with their
    country code: Google's libphonenumber); else a `ValidationError`. Kept as typed: the
    people who call it read it."""
    value = value.strip()
    if not value:
        return value
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise serializers.ValidationError(PHONE_HELP) from None
    if not phonenumbers.is_possible_number(number):
        raise serializers.ValidationError(PHONE_HELP)
    return value


class VictimContactInput(StrictSerializer):
    phone = StrictCharField(max_length=40, required=False, allow_blank=True, default="",
                            help_text="A UK number, or another with its country code.")
    email = serializers.EmailField(
        required=False, allow_blank=True, default="",
        error_messages={"invalid": "Enter an email address, like name@example.com."},
    )
    address = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")
    safe_contact_method = StrictCharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def validate_phone(self, value: str) -> str:
        return checked_phone(value)


class ScreeningInput(StrictSerializer):
    instrument = StrictCharField(max_length=60)
    answers = serializers.DictField()

    def validate(self, data):
        instrument = selectors.active_instrument(data["instrument"])
        if instrument is None:
            raise serializers.ValidationError({"instrument": ["Unknown screening instrument."]})
        errors = screening.check_answers(instrument, data["answers"])
        if errors:
            raise serializers.ValidationError({"answers": errors})
        return {"instrument": instrument, "answers": data["answers"]}


class IdentifierInput(StrictSerializer):
    """A key an agency holds for the victim or the suspect, beyond name and date of birth."""

    role = serializers.ChoiceField(choices=PersonName.Role.choices)
    kind = serializers.ChoiceField(choices=PersonIdentifier.Kind.choices)
    value = StrictCharField(max_length=200, help_text="As the agency holds it; kept normalised "
                            "too (phone numbers E.164, emails and handles lower-case).")
    platform = StrictCharField(max_length=40, required=False, allow_blank=True, default="",
                               help_text="The platform of an online account (required for one).")

    def validate(self, data):
        try:
            linking.normalised_identifier(data["kind"], data["value"], data["platform"])
        except linking.BadIdentifier as exc:
            raise serializers.ValidationError({"value": [str(exc)]}) from None
        return data


class IncidentInput(StrictSerializer):
    occurred_at = serializers.DateTimeField(validators=[_not_future_datetime])
    behaviours = serializers.ListField(
        child=serializers.ChoiceField(choices=Behaviour.choices), min_length=1, max_length=15
    )
    description = StrictCharField(max_length=TEXT_MAX)
    breach_of_order = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def draft(self, data) -> IncidentDraft:
        return IncidentDraft(
            occurred_at=data["occurred_at"],
            behaviours=tuple(dict.fromkeys(data["behaviours"])),
            description=data["description"],
            breach_of_order=data.get("breach_of_order"),
        )


class OrderInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=ProtectiveOrder.Kind.choices)
    conditions = StrictCharField(max_length=5000)
    starts = serializers.DateField()
    expires = serializers.DateField(required=False, allow_null=True)
    made_by = serializers.ChoiceField(
        choices=ProtectiveOrder.MadeBy.choices, required=False, allow_blank=True
    )
    court = StrictCharField(max_length=200, required=False, allow_blank=True)
    requirements = StrictCharField(
        max_length=5000, required=False, allow_blank=True,
        help_text="Positive requirements (of a stalking protection order, a licence).",
    )
    served_on = serializers.DateField(
        required=False, allow_null=True,
        help_text="When served on the suspect; a stalking protection order's service starts "
                  "the three days to notify the police (SPA 2019 s.9).",
    )

    def validate(self, data):
        if data.get("expires") and data["expires"] <= data["starts"]:
            raise serializers.ValidationError({"expires": ["Must be after the start date."]})
        if data.get("served_on") and data["served_on"] > timezone.localdate():
            raise serializers.ValidationError({"served_on": ["Not in the future."]})
        return data

    def draft(self, data) -> OrderDraft:
        return OrderDraft(
            kind=data["kind"],
            conditions=data["conditions"],
            starts=data["starts"],
            expires=data.get("expires"),
            made_by=data.get("made_by", ""),
            court=data.get("court", ""),
            requirements=data.get("requirements", ""),
            served_on=data.get("served_on"),
        )


class HearingInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=CourtHearing.Kind.choices)
    date = serializers.DateField()
    court = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class ReferralInput(StrictSerializer):
    victim = VictimInput()
    victim_contact = VictimContactInput(required=False, allow_null=True)
    suspect = SuspectInput()
    relationship = serializers.ListField(
        child=serializers.ChoiceField(choices=Relationship.choices), min_length=1, max_length=9
    )
    behaviours = serializers.ListField(
        child=serializers.ChoiceField(choices=Behaviour.choices), min_length=1, max_length=15
    )
    stalking_since = serializers.DateField(
        required=False, allow_null=True, validators=[_not_future_date]
    )
    consent = StrictBooleanField()
    screening = ScreeningInput()
    summary = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, allow_null=True)
    risk_reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    classification = serializers.ChoiceField(
        choices=Classification.choices, required=False, default=Classification.STALKING
    )
    not_stalking_reason = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )
    incidents = IncidentInput(many=True, required=False, max_length=200)
    orders = OrderInput(many=True, required=False, max_length=50)
    warning_signs = justice_serializers.WarningSignsInput(required=False, allow_null=True)
    offences = justice_serializers.OffenceInput(many=True, required=False, max_length=20)
    confirm_new = StrictBooleanField(required=False, default=False)
    confirm_reason = StrictCharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )
    identifiers = IdentifierInput(many=True, required=False, max_length=20)

    def validate(self, data):
        born, since = data["victim"].get("date_of_birth"), data.get("stalking_since")
        if born and since and since < born:
            raise serializers.ValidationError(
                {"stalking_since": ["Cannot be before the victim's date of birth."]}
            )
        if (
            data["classification"] != Classification.STALKING
            and not data["not_stalking_reason"].strip()
        ):
            raise serializers.ValidationError(
                {"not_stalking_reason": ["Say why this is not stalking."]}
            )
        return data

    def draft(self) -> ReferralDraft:
        data = self.validated_data
        victim = dict(data["victim"])
        return ReferralDraft(
            victim=PersonInput().draft(victim),
            victim_enhanced_rights=victim.get("enhanced_rights"),
            enhanced_rights_opt_out_reason=victim.get("enhanced_rights_opt_out_reason", ""),
            victim_contact=dict(data["victim_contact"]) if data.get("victim_contact") else None,
            suspect=PersonInput().draft(data["suspect"]),
            relationship=tuple(dict.fromkeys(data["relationship"])),
            behaviours=tuple(dict.fromkeys(data["behaviours"])),
            stalking_since=data.get("stalking_since"),
            consent=data["consent"],
            instrument=data["screening"]["instrument"],
            answers=data["screening"]["answers"],
            summary=data["summary"],
            professional_risk=data.get("risk_level"),
            risk_reason=data["risk_reason"],
            classification=data["classification"],
            not_stalking_reason=data["not_stalking_reason"],
            incidents=tuple(IncidentInput().draft(i) for i in data.get("incidents", [])),
            orders=tuple(OrderInput().draft(o) for o in data.get("orders", [])),
            confirm_new=data["confirm_new"],
            confirm_reason=data["confirm_reason"],
            warning_signs=dict(data["warning_signs"]) if data.get("warning_signs") else None,
            offences=tuple(dict(o) for o in data.get("offences", [])),
            identifiers=tuple(dict(i) for i in data.get("identifiers", [])),
        )


# --- Output shapes, as the OpenAPI document describes them ----------------------------------
# The functions under "Output" below build these shapes; tests/test_openapi_responses.py holds
# the two together.


def _behaviours(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=Behaviour.choices), **kwargs)


class ReferralQueryInput(serializers.Serializer):
    """What `GET /referrals/` may be asked (its query parameters; `page` and `page_size` are
    the pagination's): a search and filters, each optional, all of them together."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=search.MAX_QUERY,
        help_text="A case reference (or part of one), or the victim's or suspect's name or "
        "alias: accents, case, word order and small typos do not matter. Names are searched only "
        "in the sections your agency may read.",
    )
    status = serializers.ChoiceField(
        choices=Referral.Status.choices, required=False, allow_blank=True
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False,
                                         allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                   help_text="The referring agency's region.")
    agency = serializers.SlugField(required=False, allow_blank=True, max_length=60,
                                   help_text="The referring agency's slug.")
    created_from = serializers.DateField(required=False, allow_null=True,
                                         help_text="Referred on or after this day.")
    created_to = serializers.DateField(required=False, allow_null=True,
                                       help_text="Referred on or before this day.")
    sort = serializers.ChoiceField(
        choices=list(search.SORTS.items()), required=False, allow_blank=True,
        help_text="`relevance` (the default with `q`), `newest` (the default without), "
        "`oldest`, `risk` (highest first) or `reference`.",
    )

    def to_internal_value(self, data):
        """Every error in one answer: the dates' order is checked even when another parameter
        is wrong (DRF's `validate` runs only once every field is valid)."""
        errors = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors, value = dict(exc.detail), {}
        dates = []
        for name in ("created_from", "created_to"):
            try:
                dates.append(self.fields[name].run_validation(data.get(name) or None))
            except serializers.ValidationError:
                dates.append(None)
        if all(dates) and dates[1] < dates[0]:
            errors.setdefault("created_to", []).append("Cannot be before created_from.")
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def query(self) -> search.CaseQuery:
        return search.CaseQuery(**self.validated_data)

    @property
    def asks_anything(self) -> bool:
        return any(value for key, value in self.validated_data.items() if key != "sort")


class ReferralSummaryOutput(serializers.Serializer):
    """A referral as the list shows it; `victim_name` and `suspect_name` only to agencies that
    may read those sections."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    classification = serializers.ChoiceField(choices=Classification.choices)
    referrer_agency = serializers.SlugField()
    created_at = serializers.DateTimeField()
    victim_name = serializers.CharField(required=False, allow_null=True)
    suspect_name = serializers.CharField(required=False, allow_null=True)


class ScreeningThresholdsOutput(serializers.Serializer):
    """The local policy's counts of yes or not-known answers the level was set by."""

    version = serializers.IntegerField(
        allow_null=True, help_text="The `screening.thresholds` version; null: the instrument's own."
    )
    region = serializers.CharField(allow_blank=True, help_text="Blank: the default's.")
    medium = serializers.IntegerField()
    high = serializers.IntegerField()


class ScreeningOutput(serializers.Serializer):
    instrument = serializers.SlugField()
    answers = serializers.DictField(
        child=serializers.BooleanField(allow_null=True), help_text="null: not known."
    )
    score = serializers.IntegerField(help_text="The number of yes answers.")
    not_known = serializers.IntegerField(
        help_text="The number of not-known answers, counted towards the level like a yes."
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    thresholds = ScreeningThresholdsOutput()


class EscalationFiguresOutput(serializers.Serializer):
    incidents_last_30_days = serializers.IntegerField()
    usual_per_30_days = serializers.FloatField()
    incidents_last_12_months = serializers.IntegerField()
    new_behaviours = _behaviours()
    worst_severity_last_30_days = serializers.IntegerField()
    worst_severity_before = serializers.IntegerField()
    breaches = serializers.IntegerField()


class EscalationOutput(serializers.Serializer):
    """The escalation signal: its level and whether it is escalating come from every linked
    case; its reasons and figures only from the cases the caller may see."""

    level = serializers.ChoiceField(choices=RiskLevel.choices)
    escalating = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    figures = EscalationFiguresOutput()


class LinkedReferenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class LinkedOutput(serializers.Serializer):
    """The case's links: the linked referrals the caller may see, how many it may not; and, for
    the agencies the access policy tells, how many other cases name the same suspect."""

    referrals = LinkedReferenceOutput(many=True)
    hidden = serializers.IntegerField()
    message = serializers.CharField(required=False, help_text="Only when `hidden` is not 0.")
    suspect_elsewhere = serializers.IntegerField(required=False)
    suspect_message = serializers.CharField(
        required=False, help_text="Only when `suspect_elsewhere` is not 0."
    )


class PersonOutput(serializers.Serializer):
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField())


class IdentifierOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PersonIdentifier.Kind.choices)
    value = serializers.CharField()
    normalised = serializers.CharField()
    platform = serializers.CharField(allow_blank=True)
    agency = serializers.SlugField()
    recorded_at = serializers.DateTimeField()


class RecordedIdentifierOutput(IdentifierOutput):
    role = serializers.ChoiceField(choices=PersonName.Role.choices)


class VictimOutput(PersonOutput):
    enhanced_rights = serializers.BooleanField()


class SuspectOutput(PersonOutput):
    address = serializers.CharField(allow_blank=True)
    identifiers = IdentifierOutput(many=True, help_text="The suspect's keys beyond name and "
                                   "date of birth (PNC id, phone, email, online accounts).")


class VictimContactOutput(serializers.Serializer):
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    safe_contact_method = serializers.CharField(allow_blank=True)
    identifiers = IdentifierOutput(many=True, help_text="The victim's keys beyond name and "
                                   "date of birth: contact details, shown only with them.")
    log = victim_serializers.ContactOutput(
        many=True, required=False,
        help_text="Contact with the victim, latest first: the rows of GET .../contacts/.",
    )


class IncidentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    behaviours = _behaviours()
    description = serializers.CharField()
    severity = serializers.IntegerField(help_text="1 contact, 2 following, 3 property, 4 threats, "
                                                  "5 violence.")
    breach_of_order = serializers.IntegerField(allow_null=True)
    reporting_agency = serializers.SlugField()


class IncidentCreatedOutput(IncidentOutput):
    escalation = EscalationOutput()


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ProtectiveOrder.Kind.choices)
    conditions = serializers.CharField()
    starts = serializers.DateField()
    expires = serializers.DateField(allow_null=True)
    agency = serializers.SlugField()
    breaches = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProtectiveOrder.Status.choices)
    made_by = serializers.CharField(
        allow_blank=True, help_text="One of " + ", ".join(ProtectiveOrder.MadeBy.values) + "."
    )
    court = serializers.CharField(allow_blank=True)
    requirements = serializers.CharField(allow_blank=True)
    served_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    notification = order_serializers.OrderNotificationOutput(
        allow_null=True, help_text="A stalking protection order's duty to notify, once served."
    )
    breach_summary = order_serializers.BreachSummaryOutput()


class OrdersOutput(serializers.Serializer):
    """A case's orders with their life and breach summaries, and its applications."""

    orders = OrderOutput(many=True)
    applications = order_serializers.OrderApplicationOutput(many=True)


class HearingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CourtHearing.Kind.choices)
    date = serializers.DateField()
    court = serializers.CharField(allow_blank=True)


class CaseWorkOutput(serializers.Serializer):
    """An agency's completed work on the case, with the fields of its task's form."""

    agency = serializers.SlugField()
    completed = serializers.DateTimeField()


class ResearchOutput(CaseWorkOutput):
    summary = serializers.CharField()
    facts = serializers.CharField(required=False, allow_blank=True)
    opinions = serializers.CharField(required=False, allow_blank=True)
    withheld = serializers.BooleanField()
    withheld_reason = serializers.CharField(required=False, allow_blank=True)
    request_charging_advice = serializers.BooleanField(required=False)


class ThreatAssessmentOutput(CaseWorkOutput):
    summary = serializers.CharField()
    risk_formulation = serializers.CharField()
    recommendations = serializers.CharField()


class ChargingOutput(CaseWorkOutput):
    decision = serializers.ChoiceField(choices=["charge", "no_further_action", "more_evidence"])
    offence = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField()


class ReferralDetailOutput(ReferralSummaryOutput):
    """One referral. A section the caller's agency may not read is absent, not empty."""

    risk_source = serializers.ChoiceField(choices=Referral.RiskSource.choices)
    risk_reason = serializers.CharField(allow_blank=True)
    not_stalking_reason = serializers.CharField(allow_blank=True)
    relationship = serializers.ListField(
        child=serializers.ChoiceField(choices=Relationship.choices)
    )
    behaviours = _behaviours()
    stalking_since = serializers.DateField(allow_null=True)
    consent = serializers.BooleanField()
    summary = serializers.CharField(allow_blank=True)
    erased_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the case's personal data was erased (null: it was not).",
    )
    screening = ScreeningOutput(allow_null=True)
    escalation = EscalationOutput()
    linked = LinkedOutput()
    victim = VictimOutput(required=False, allow_null=True)
    victim_contact = VictimContactOutput(required=False, allow_null=True)
    suspect = SuspectOutput(required=False, allow_null=True)
    incidents = IncidentOutput(many=True, required=False)
    orders = OrderOutput(many=True, required=False)
    research = ResearchOutput(many=True, required=False)
    threat_assessment = ThreatAssessmentOutput(required=False, allow_null=True)
    charging = ChargingOutput(required=False, allow_null=True)
    # What happened after referral (`case_file.practice_sections`).
    warning_signs = justice_serializers.WarningSignsOutput(required=False, allow_null=True)
    offences = justice_serializers.OffenceOutput(many=True, required=False)
    court = justice_serializers.CourtOutput(required=False)
    assessments = intervention_serializers.AssessmentsOutput(required=False)
    threat_recommendations = intervention_serializers.ThreatRecommendationOutput(
        many=True, required=False
    )
    interventions = intervention_serializers.InterventionsOutput(required=False, allow_null=True)
    victim_voice = victim_serializers.VictimVoiceOutput(required=False)
    safeguarding = victim_serializers.SafeguardingOutput(required=False)


class ReferralCreatedOutput(ReferralDetailOutput):
    """The referral just made, with what the caller should know of others like it."""

    warnings = serializers.ListField(child=serializers.CharField())
    linked_referrals = serializers.ListField(
        child=serializers.CharField(), help_text="References of the linked referrals it may see."
    )


class TimelineEntryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    referral = serializers.CharField(help_text="The reference of the referral it belongs to.")
    agency = serializers.CharField()


class TimelineReferralEntry(TimelineEntryOutput):
    kind = serializers.ChoiceField(choices=["referral"])
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    status = serializers.ChoiceField(choices=Referral.Status.choices)


class TimelineOrderEntry(TimelineEntryOutput):
    kind = serializers.ChoiceField(choices=["order"])
    order = serializers.IntegerField()
    order_kind = serializers.ChoiceField(choices=ProtectiveOrder.Kind.choices)
    starts = serializers.DateField()
    expires = serializers.DateField(allow_null=True)
    breaches = serializers.IntegerField()


class TimelineIncidentEntry(TimelineEntryOutput):
    kind = serializers.ChoiceField(choices=["incident"])
    incident = serializers.IntegerField()
    behaviours = _behaviours()
    severity = serializers.IntegerField()
    description = serializers.CharField()


class TimelineBreachEntry(TimelineIncidentEntry):
    kind = serializers.ChoiceField(choices=["breach"])
    breach_of_order = serializers.IntegerField()
    order_kind = serializers.ChoiceField(choices=ProtectiveOrder.Kind.choices)


class TimelineDecisionEntry(TimelineEntryOutput):
    kind = serializers.ChoiceField(choices=["decision"])
    actor = serializers.CharField(allow_blank=True)
    verb = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


# Describes the answer for the OpenAPI document only: a PolymorphicProxySerializer does not
# serialize.
class TimelineOutput(serializers.Serializer):
    """The case's timeline, oldest first, across linked referrals, as the caller may see it."""

    referral = serializers.CharField(help_text="The reference of the referral asked for.")
    escalation = EscalationOutput()
    linked = LinkedOutput()
    entries = PolymorphicProxySerializer(
        component_name="TimelineEntry",
        serializers={
            "referral": TimelineReferralEntry,
            "order": TimelineOrderEntry,
            "incident": TimelineIncidentEntry,
            "breach": TimelineBreachEntry,
            "decision": TimelineDecisionEntry,
        },
        resource_type_field_name="kind",
        many=True,
    )


# --- Output ----------------------------------------------------------------------------------


def _person(person, *, address: bool) -> dict | None:
    """A victim or suspect; `address` for the suspect only (a victim's is contact detail)."""
    if person is None:
        return None
    data = {"name": person.name, "date_of_birth": person.date_of_birth, "aliases": person.aliases}
    if address:
        data["address"] = person.address
    return data


def referral_summary(referral: Referral, membership) -> dict:
    """A referral as a list shows it: no section the agency may not read."""
    data = {
        "id": referral.pk,
        "reference": referral.reference,
        "status": referral.status,
        "risk_level": referral.risk_level,
        "classification": referral.classification,
        "referrer_agency": referral.referrer_agency.slug,
        "created_at": referral.created_at,
    }
    if policy.can_read(membership, "victim"):
        data["victim_name"] = referral.victim.name if referral.victim else None
    if policy.can_read(membership, "suspect"):
        data["suspect_name"] = referral.suspect.name if referral.suspect else None
    return data


def identifier_row(row: Mapping[str, Any]) -> dict:
    """An identifier as the API shows it, from a row of `linking.IDENTIFIER_COLUMNS`."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "value": row["value"],
        "normalised": row["normalised"],
        "platform": row["platform"],
        "agency": row["agency__slug"],
        "recorded_at": row["created_at"],
    }


def identifier_output(identifier) -> dict:
    """An identifier just recorded, with its role."""
    return {
        **identifier_row(attribute_row(identifier, linking.IDENTIFIER_COLUMNS)),
        "role": identifier.role,
    }


def incident_row(row: Mapping[str, Any]) -> dict:
    """An incident as the API shows it, from a row of `selectors.DETAIL_INCIDENT_COLUMNS`."""
    return {
        "id": row["id"],
        "occurred_at": row["occurred_at"],
        "behaviours": row["behaviours"],
        "description": row["description"],
        "severity": row["severity"],
        "breach_of_order": row["breach_of_order_id"],
        "reporting_agency": row["reporting_agency__slug"],
    }


def order_row(row: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> dict:
    """An order as the API shows it, from a row of `selectors.DETAIL_ORDER_COLUMNS` and its
    facts (`orders.selectors.order_facts`: notification duty, breach summary)."""
    facts = facts or {}
    return {
        "id": row["id"],
        "kind": row["kind"],
        "conditions": row["conditions"],
        "starts": row["starts"],
        "expires": row["expires"],
        "agency": row["agency__slug"],
        "breaches": row["breach_count"],
        "status": row["status"],
        "made_by": row["made_by"],
        "court": row["court"],
        "requirements": row["requirements"],
        "served_on": row["served_on"],
        "ended_on": row["ended_on"],
        "notification": facts.get("notification"),
        "breach_summary": facts.get("breach_summary") or dict(order_serializers.EMPTY_SUMMARY),
    }


def order_rows(rows: list[Mapping[str, Any]], *, referral: Referral | None = None
               ) -> list[dict]:
    """Orders as the API shows them, their facts read in one query: those of the referral's
    orders when it is given (the case's rows), else of these rows' orders."""
    facts = order_selectors.order_facts(
        referral=referral, order_ids=[row["id"] for row in rows]
    )
    return [order_row(row, facts.get(row["id"])) for row in rows]


def incident_output(incident) -> dict:
    """An incident just recorded: the shape of `incident_row`."""
    return incident_row(attribute_row(incident, selectors.DETAIL_INCIDENT_COLUMNS))


def order_output(order) -> dict:
    """An order just recorded (no breaches yet): the shape of `order_row`."""
    columns = tuple(c for c in selectors.DETAIL_ORDER_COLUMNS if c != "breach_count")
    return order_rows([{**attribute_row(order, columns), "breach_count": 0}])[0]


def screening_output(row) -> dict:
    """A screening as the API shows it, with the thresholds its level was set by (the local
    policy version it used, else the instrument's own)."""
    policy_row = row.thresholds_policy
    own = row.instrument.thresholds
    found = (policy_row.value or {}).get(row.instrument.slug) if policy_row else None
    thresholds = found or own
    return {
        "instrument": row.instrument.slug,
        "answers": row.answers,
        "score": row.score,
        "not_known": row.not_known,
        "risk_level": row.risk_level,
        "thresholds": {
            "version": policy_row.version if found else None,
            "region": policy_row.region if found else "",
            "medium": thresholds["medium"],
            "high": thresholds["high"],
        },
    }


def referral_detail(referral: Referral, membership, *, signal, extra_sections=None) -> dict:
    """A referral as the member's agency may see it: unreadable sections are absent, not empty.

    `referral` as `selectors.referral_detail` loads it (its incident and order rows)."""
    data = referral_summary(referral, membership)
    screening_row = getattr(referral, "screening", None)
    data.update(
        {
            "risk_source": referral.risk_source,
            "risk_reason": referral.risk_reason,
            "not_stalking_reason": referral.not_stalking_reason,
            "relationship": referral.relationship,
            "behaviours": referral.behaviours,
            "stalking_since": referral.stalking_since,
            "consent": referral.consent,
            "summary": referral.summary,
            "erased_at": referral.erased_at,
            "screening": screening_output(screening_row) if screening_row else None,
            "escalation": signal.as_dict(),
            "linked": linked_summary(referral.scope, referral),
        }
    )
    readable = policy.readable_sections(membership)
    # The victim's identifiers are contact details; the suspect's, the suspect section's.
    identifiers: dict[str, list[dict]] = {"victim": [], "suspect": []}
    for row in linking.identifier_rows(
        referral_id=referral.pk,
        roles=[role for role, section in (("victim", "victim_contact"), ("suspect", "suspect"))
               if section in readable],
    ):
        identifiers[row["role"]].append(identifier_row(row))
    if "victim" in readable:
        victim = _person(referral.victim, address=False)
        data["victim"] = (
            {**victim, "enhanced_rights": referral.victim_enhanced_rights} if victim else None
        )
    if "victim_contact" in readable:
        contact = getattr(referral, "victim_contact", None)
        data["victim_contact"] = (
            {
                "phone": contact.phone if contact else "",
                "email": contact.email if contact else "",
                "address": contact.address if contact else "",
                "safe_contact_method": contact.safe_contact_method if contact else "",
                "identifiers": identifiers["victim"],
            }
            if contact or identifiers["victim"]
            else None
        )
    if "suspect" in readable:
        suspect = _person(referral.suspect, address=True)
        data["suspect"] = {**suspect, "identifiers": identifiers["suspect"]} if suspect else None
    if "incidents" in readable:
        data["incidents"] = [incident_row(row) for row in referral.incident_rows]
    if "orders" in readable:
        data["orders"] = order_rows(referral.order_rows, referral=referral)
    for section, value in (extra_sections or {}).items():
        if section in readable:
            data[section] = value
    return data


def with_contact_log(section: dict | None, log: list[dict]) -> dict | None:
    """The detail's `victim_contact` section with its contact log (`victims` reads it): blank
    contact details around a log when the case holds the log alone, null when it holds none."""
    if section is None and not log:
        return None
    if section is None:
        section = {"phone": "", "email": "", "address": "", "safe_contact_method": "",
                   "identifiers": []}
    return {**section, "log": log}


def linked_summary(scope: selectors.TimelineScope, referral: Referral) -> dict:
    """What a reader is told of the case's links: the linked referrals it may see by reference,
    how many it may not (and whom to ask), and, for the agencies the policy tells, how many
    other cases name the same suspect."""
    summary: dict = {
        "referrals": [
            {"id": pk, "reference": reference} for pk, reference in scope.references.items()
            if pk in scope.visible and pk != referral.pk
        ],
        "hidden": scope.hidden,
    }
    if scope.hidden:
        summary["message"] = (
            f"This case is linked to {scope.hidden} other referral"
            f"{'s' if scope.hidden > 1 else ''} of the same victim and suspect that your agency "
            "cannot see. Ask the hub to share them if your work needs them."
        )
    if scope.suspect_elsewhere is not None:
        summary["suspect_elsewhere"] = scope.suspect_elsewhere
        if scope.suspect_elsewhere:
            summary["suspect_message"] = (
                f"The suspect is named in {scope.suspect_elsewhere} other case"
                f"{'s' if scope.suspect_elsewhere > 1 else ''} with other victims. Ask the hub "
                "if your work needs them."
            )
    return summary


def timeline_entry(entry: dict) -> dict:
    out = dict(entry)
    at = out["at"]
    if not isinstance(at, datetime):
        at = timezone.make_aware(datetime.combine(at, time.min))
    out["at"] = at
    return out


# --- Local policy, identifiers, conference referrals -----------------------------------------


class LocalPolicyOutput(serializers.Serializer):
    """A version of a local policy in effect for the caller's region."""

    key = serializers.ChoiceField(choices=LocalPolicy.Key.choices)
    region = serializers.CharField(allow_blank=True, help_text="Blank: the default's.")
    version = serializers.IntegerField()
    value = serializers.JSONField()
    effective_from = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True)


class LocalPolicyInput(StrictSerializer):
    """A new version of a local policy of the caller's region (a coordinator supervisor's)."""

    key = serializers.ChoiceField(choices=LocalPolicy.Key.choices)
    value = serializers.JSONField(help_text=(
        'screening.thresholds: {"<instrument>": {"medium": n, "high": n}}; '
        'enforcement.deadline: {"default": {"hours": n} or {"working_days": n}, "<order kind>": '
        '...}; conference.criteria: the criteria\'s parameters.'
    ))
    reason = StrictCharField(max_length=2000, help_text="Why the region sets this version.")


def local_policy_row(row: LocalPolicy) -> dict:
    return {
        "key": row.key,
        "region": row.region,
        "version": row.version,
        "value": row.value,
        "effective_from": row.effective_from,
        "reason": row.reason,
    }


class ConferenceReferralInput(StrictSerializer):
    reason = StrictCharField(max_length=5000, help_text="Why the case needs a conference.")


class AgendaPlaceOutput(serializers.Serializer):
    conference = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    position = serializers.IntegerField()
    routes = serializers.ListField(child=serializers.CharField())
    primary_route = serializers.CharField(allow_blank=True)


class ConferenceReferralOutput(serializers.Serializer):
    """A referral to a conference on professional judgement, and where the case now waits
    (`agenda` null: no conference is scheduled yet)."""

    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    agency = serializers.SlugField()
    reason = serializers.CharField()
    made_at = serializers.DateTimeField()
    agenda = AgendaPlaceOutput(allow_null=True)


def conference_referral_output(judgement, item) -> dict:
    return {
        "id": judgement.pk,
        "referral": judgement.referral_id,
        "agency": judgement.agency.slug,
        "reason": judgement.reason,
        "made_at": judgement.made_at,
        "agenda": {
            "conference": item.conference_id,
            "starts_at": item.conference.starts_at,
            "position": item.position,
            "routes": item.routes,
            "primary_route": item.primary_route,
        } if item else None,
    }


class ScreeningAnswersInput(StrictSerializer):
    answers = serializers.DictField(
        help_text="Every question of the case's instrument: true, false or null (not known)."
    )


class ScreeningUpdatedOutput(ScreeningOutput):
    case_risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        help_text="The case's level: raised to a higher screen at once, never lowered by one.",
    )
