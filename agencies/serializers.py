"""Output shapes of the sign-in and who-am-I API, as the OpenAPI document describes them. No
state changes here."""

from django.utils import timezone
from rest_framework import serializers

from config.rest import StrictSerializer

from . import policy
from .models import Agency, AgencyKind, LawfulBasis, Role, SharingAgreement


def _sections() -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=policy.SECTIONS))


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(allow_null=True)


class ApiTokenOutput(serializers.Serializer):
    """One of the caller's live API tokens (never the token itself)."""

    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    last_used = serializers.DateTimeField()
    client = serializers.CharField(help_text="The User-Agent that signed in.")
    current = serializers.BooleanField(help_text="The token this request was signed with.")


class WebsocketTicketOutput(serializers.Serializer):
    ticket = serializers.CharField()


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    agency = serializers.SlugField()
    agency_kind = serializers.ChoiceField(choices=AgencyKind.choices)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    readable_sections = _sections()
    writable_sections = _sections()
    capabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=list(policy.CAPABILITIES)),
        help_text="What the access policy lets the caller do.",
    )


# --- Information-sharing agreements ----------------------------------------------------------


class AgreementInput(StrictSerializer):
    """A new agreement: parties by agency slug, at least two, the recorder's own among them."""

    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=5000)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)
    parties = serializers.ListField(child=serializers.SlugField(max_length=60), min_length=2,
                                    max_length=50)
    starts_on = serializers.DateField()
    review_on = serializers.DateField()

    def validate_parties(self, value):
        found = Agency.objects.filter(slug__in=value, is_active=True)
        by_slug = {agency.slug: agency for agency in found}
        unknown = sorted(set(value) - set(by_slug))
        if unknown:
            raise serializers.ValidationError(f"No active agency: {', '.join(unknown)}.")
        return [by_slug[slug] for slug in dict.fromkeys(value)]

    def validate(self, data):
        if data["review_on"] < data["starts_on"]:
            raise serializers.ValidationError(
                {"review_on": ["The review date cannot be before the start date."]}
            )
        if len(data["parties"]) < 2:
            raise serializers.ValidationError(
                {"parties": ["An agreement has at least two parties."]}
            )
        return data


class AgreementUpdateInput(StrictSerializer):
    """A new review date, an end, or both."""

    review_on = serializers.DateField(required=False)
    ended_on = serializers.DateField(required=False)

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give a review date or an end date."]}
            )
        return data


class AgreementPartyOutput(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class AgreementOutput(serializers.Serializer):
    """An agreement as the API and its pages show it (`agreement_output`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    purpose = serializers.CharField()
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)
    lawful_basis_label = serializers.CharField()
    parties = AgreementPartyOutput(many=True)
    starts_on = serializers.DateField()
    review_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    in_force = serializers.BooleanField(help_text="Started and not ended, today.")
    review_overdue = serializers.BooleanField(
        help_text="Its review date has passed while in force: a warning, not an end."
    )
    created_by = serializers.CharField(allow_null=True,
                                       help_text="Who recorded it; null for the system.")
    created_at = serializers.DateTimeField()


def agreement_output(agreement: SharingAgreement) -> dict:
    today = timezone.localdate()
    return {
        "id": agreement.pk,
        "title": agreement.title,
        "purpose": agreement.purpose,
        "lawful_basis": agreement.lawful_basis,
        "lawful_basis_label": agreement.get_lawful_basis_display(),
        "parties": [{"slug": a.slug, "name": a.name}
                    for a in sorted(agreement.parties.all(), key=lambda a: a.name)],
        "starts_on": agreement.starts_on,
        "review_on": agreement.review_on,
        "ended_on": agreement.ended_on,
        "in_force": agreement.in_force_on(today),
        "review_overdue": agreement.review_overdue_on(today),
        "created_by": agreement.created_by.get_username() if agreement.created_by else None,
        "created_at": agreement.created_at,
    }
