"""The case's sharing over HTTP: its disclosures with their basis, a deliberate disclosure, and
a supervisor's reason for one made outside an agreement. Thin, over `referral.disclosures`: a
case the agency may not see is 404; visible but not allowed, 403; bad input, 400."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, AgencyKind, LawfulBasis
from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.rest import StrictSerializer

from . import disclosures
from .models import InvolvementBasis
from .services import referral_look


class DiscloseInput(StrictSerializer):
    agency = serializers.SlugField(max_length=60, help_text="The recipient agency's slug.")
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the disclosure is necessary: required where no agreement covers it.",
    )

    def validate_agency(self, value):
        agency = (
            Agency.objects.filter(slug=value, is_active=True)
            .exclude(kind=AgencyKind.OVERSIGHT)
            .first()
        )
        if agency is None:
            raise serializers.ValidationError("No agency that works with cases has that slug.")
        return agency


class AuthoriseInput(StrictSerializer):
    reason = serializers.CharField(
        max_length=2000, allow_blank=True, help_text="Why the disclosure was necessary."
    )


class DisclosureOutput(serializers.Serializer):
    """A disclosure of a case to an agency, with what it rests on (`disclosure_output`)."""

    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    agency = serializers.SlugField()
    basis = serializers.ChoiceField(
        choices=InvolvementBasis.choices, help_text="The involvement it was made for."
    )
    source = serializers.CharField(allow_blank=True)
    disclosed_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(
        allow_null=True, help_text="When its involvement ended; null while it lasts."
    )
    agreement = serializers.IntegerField(allow_null=True)
    agreement_title = serializers.CharField(allow_blank=True)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices, allow_blank=True)
    sections = serializers.ListField(
        child=serializers.CharField(), help_text="The sections the recipient's kind may read."
    )
    outside_agreement = serializers.BooleanField()
    awaiting_reason = serializers.BooleanField(
        help_text="Outside any agreement, and no supervisor has given the reason yet."
    )
    outside_reason = serializers.CharField(allow_blank=True)
    authorised_by = serializers.CharField(allow_null=True)
    authorised_at = serializers.DateTimeField(allow_null=True)


def disclosure_output(disclosure) -> dict:
    agreement = disclosure.agreement
    return {
        "id": disclosure.pk,
        "referral": disclosure.referral_id,
        "agency": disclosure.agency.slug,
        "basis": disclosure.basis,
        "source": disclosure.source,
        "disclosed_at": disclosure.disclosed_at,
        "ended_at": disclosure.ended_at,
        "agreement": agreement.pk if agreement else None,
        "agreement_title": agreement.title if agreement else "",
        "lawful_basis": disclosure.lawful_basis,
        "sections": list(disclosure.sections),
        "outside_agreement": disclosure.outside_agreement,
        "awaiting_reason": disclosure.awaiting_reason,
        "outside_reason": disclosure.outside_reason,
        "authorised_by": (
            disclosure.authorised_by.get_username() if disclosure.authorised_by_id else None
        ),
        "authorised_at": disclosure.authorised_at,
    }


class DisclosureListView(APIView):
    """A case's disclosures (GET: its supervisors of the referrer or coordinator, and
    oversight's auditors) and a deliberate one (POST: those supervisors; outside any agreement
    only with a reason)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: DisclosureOutput(many=True)}, operation_id="referrals_disclosures_list"
    )
    def get(self, request, referral_id: int):
        referral = disclosures.sharing_look(
            membership=membership_of(request.user), referral_id=referral_id
        )
        return Response(
            [disclosure_output(d) for d in disclosures.case_disclosures(referral=referral)]
        )

    @extend_schema(
        request=DiscloseInput,
        responses={201: DisclosureOutput},
        operation_id="referrals_disclosures_create",
    )
    def post(self, request, referral_id: int):
        referral = referral_look(membership=membership_of(request.user), referral_id=referral_id)
        payload = DiscloseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        disclosure = disclosures.case_disclose(
            referral=referral, actor=request.user, **payload.validated_data
        )
        return Response(disclosure_output(disclosure), status=status.HTTP_201_CREATED)


class DisclosureAuthoriseView(APIView):
    """A supervisor of the case's referrer or coordinator gives the reason for a disclosure the
    workflow made outside any agreement, while its involvement lasts or after it ended."""

    permission_classes = [IsMember]

    @extend_schema(
        request=AuthoriseInput,
        responses={200: DisclosureOutput},
        operation_id="disclosures_authorise",
    )
    def post(self, request, disclosure_id: int):
        disclosure = disclosures.disclosure_look(
            membership=membership_of(request.user), disclosure_id=disclosure_id
        )
        payload = AuthoriseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        disclosure = disclosures.disclosure_authorise(
            disclosure=disclosure, actor=request.user, reason=payload.validated_data["reason"]
        )
        return Response(disclosure_output(disclosure))
