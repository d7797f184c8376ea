"""The referral API: thin views over `referral.selectors` and `referral.services`."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import policy
from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.exceptions import NotAllowed
from config.rest import CountingPagination, CountingPaginator, count_apart
from orders import selectors as order_selectors
from orders import serializers as order_serializers
from workflows import services as workflow_services
from workflows.selectors import case_sections

from . import case_file, local_policy, search, selectors, serializers, services
from .models import Referral


def case_for(request, referral_id, *, section: str | None = None, write: bool = False):
    """The member and the case, for an API view of one case's records: 404 when the member's
    agency may not see the case (a logged refused look), then, given a `section`, 403 when the
    member may not read it (or, with `write`, record in it)."""
    membership = membership_of(request.user)
    referral = services.referral_look(membership=membership, referral_id=referral_id)
    if section is not None:
        allowed = policy.can_write if write else policy.can_read
        if not allowed(membership, section):
            title = policy.SECTION_TITLES[section].lower()
            raise NotAllowed(
                f"Your agency or role may not {'record' if write else 'read'} {title} here."
            )
    return membership, referral


def _detail_response(request, referral_id, *, status_code=status.HTTP_200_OK, warnings=None):
    membership = membership_of(request.user)
    referral = services.referral_detail_look(membership=membership, referral_id=referral_id)
    signal = selectors.escalation_as_seen(
        referral=referral, scope=referral.scope, incident_rows=referral.timeline_incident_rows
    )
    data = serializers.referral_detail(
        referral, membership, signal=signal, extra_sections=case_sections(referral=referral)
    )
    practice = case_file.practice_sections(referral=referral, membership=membership)
    case_file.merge_practice(data, practice)
    services.sensitive_reads_record(
        referral=referral, actor=request.user,
        sections=case_file.sections_read(membership, practice),
    )
    if warnings is not None:
        data["warnings"] = warnings
        data["linked_referrals"] = referral.scope.linked_references(referral)
    return Response(data, status=status_code)


class ReferralListView(GenericAPIView):
    """GET: the referrals your agency is involved in. POST: refer a case."""

    permission_classes = [IsMember]
    pagination_class = CountingPagination

    def get_queryset(self):
        membership = membership_of(self.request.user)
        params = serializers.ReferralQueryInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        referrals = search.referral_find(membership=membership, query=params.query())
        if params.asks_anything:
            return referrals  # counted by the page's window: only the cases that fit
        # Every case the agency may see: the page carries its total, counted from the agency's
        # permission index in the same statement, so the page itself walks the date index and
        # stops at its last row.
        total = count_apart(selectors.referral_permissions(membership=membership), by="group_id")
        return referrals.annotate(**{CountingPaginator.TOTAL: total})

    @extend_schema(
        parameters=[serializers.ReferralQueryInput],
        responses={200: serializers.ReferralSummaryOutput(many=True)},
        operation_id="referrals_list",
    )
    def get(self, request):
        """The referrals your agency may see, newest first; `q` finds cases by reference or by
        a victim's or suspect's name, and the other parameters filter and sort them."""
        membership = membership_of(request.user)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            [serializers.referral_summary(referral, membership) for referral in page]
        )

    @extend_schema(
        request=serializers.ReferralInput, responses={201: serializers.ReferralCreatedOutput}
    )
    def post(self, request):
        payload = serializers.ReferralInput(data=request.data)
        payload.is_valid(raise_exception=True)
        result = workflow_services.referral_refer(
            actor=request.user, membership=membership_of(request.user), draft=payload.draft()
        )
        return _detail_response(
            request,
            result.referral.pk,
            status_code=status.HTTP_201_CREATED,
            warnings=result.warnings,
        )


class ReferralDetailView(APIView):
    """One referral; the sections your agency may not see are absent."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.ReferralDetailOutput})
    def get(self, request, referral_id: int):
        return _detail_response(request, referral_id)


class IncidentCreateView(APIView):
    """Log an incident on a case; `breach_of_order` names the order it breaches, if any."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.IncidentInput, responses={201: serializers.IncidentCreatedOutput}
    )
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        payload = serializers.IncidentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = workflow_services.incident_log(
            referral=referral,
            actor=request.user,
            membership=membership,
            draft=payload.draft(payload.validated_data),
        )
        data = serializers.incident_output(incident)
        scope = selectors.timeline_scope(membership=membership, referral=referral)
        data["escalation"] = selectors.escalation_as_seen(referral=referral, scope=scope).as_dict()
        return Response(data, status=status.HTTP_201_CREATED)


class OrderCreateView(APIView):
    """GET: the case's orders with their life (status, service, notification duty, breach
    summary) and its applications for stalking protection orders. POST: record a protective
    order or bail conditions (police any kind; advocacy, CPS and probation their own kinds)."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.OrdersOutput}, operation_id="referrals_orders_list")
    def get(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_read(membership, "orders"):
            raise NotAllowed("Your agency may not read the orders of a case.")
        rows = selectors.case_order_rows(referral=referral)
        return Response({
            "orders": serializers.order_rows(rows, referral=referral),
            "applications": [
                order_serializers.application_row(row)
                for row in order_selectors.order_applications(referral=referral)
            ],
        })

    @extend_schema(
        request=serializers.OrderInput, responses={201: serializers.OrderOutput},
        operation_id="referrals_orders_create",
    )
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        payload = serializers.OrderInput(data=request.data)
        payload.is_valid(raise_exception=True)
        order = workflow_services.order_log(
            referral=referral,
            actor=request.user,
            membership=membership,
            draft=payload.draft(payload.validated_data),
        )
        return Response(serializers.order_output(order), status=status.HTTP_201_CREATED)


class TimelineView(APIView):
    """Everything that happened across linked referrals, oldest first, as your agency may see it."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.TimelineOutput})
    def get(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        scope = selectors.timeline_scope(membership=membership, referral=referral)
        entries = selectors.timeline(membership=membership, referral=referral, scope=scope)
        signal = selectors.escalation_as_seen(referral=referral, scope=scope)
        services.timeline_reads_record(actor=request.user, scope=scope, entries=entries)
        return Response(
            {
                "referral": referral.reference,
                "escalation": signal.as_dict(),
                "linked": serializers.linked_summary(scope, referral),
                "entries": [serializers.timeline_entry(e) for e in entries],
            }
        )


class HearingCreateView(APIView):
    """Record a bail, charge or sentencing hearing: risk assessments fall due before it."""

    permission_classes = [IsMember]

    @extend_schema(request=serializers.HearingInput, responses={201: serializers.HearingOutput})
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        payload = serializers.HearingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        hearing = workflow_services.hearing_record(
            referral=referral, actor=request.user, membership=membership,
            kind=payload.validated_data["kind"], on=payload.validated_data["date"],
            court=payload.validated_data.get("court", ""),
        )
        return Response(
            {"id": hearing.pk, "kind": hearing.kind, "date": hearing.date, "court": hearing.court},
            status=status.HTTP_201_CREATED,
        )


class CaseFileView(APIView):
    """The case file as a PDF, as the case page's export makes it: only the sections your
    agency may see. Each export is on the trail (`case_file.exported`)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The case file (PDF)."
            )
        }
    )
    def get(self, request, referral_id: int):
        filename, document = case_file.pdf_export(
            membership=membership_of(request.user), actor=request.user, referral_id=referral_id
        )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class LocalPolicyListView(APIView):
    """GET: the local policies in effect for your agency's region, each key's version (the
    region's own, else the default's) with its value and the reason it was set. POST: set a new
    version."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: serializers.LocalPolicyOutput(many=True)}, operation_id="local_policies"
    )
    def get(self, request):
        membership = membership_of(request.user)
        rows = local_policy.policies_in_effect(region=membership.agency.region)
        return Response([serializers.local_policy_row(row) for row in rows])

    @extend_schema(
        request=serializers.LocalPolicyInput,
        responses={201: serializers.LocalPolicyOutput},
        operation_id="local_policies_set",
        description="A new version for your agency's region (coordinator supervisors); never an "
                    "edit of the version in effect.",
    )
    def post(self, request):
        membership = membership_of(request.user)
        payload = serializers.LocalPolicyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        row = local_policy.local_policy_set(
            region=membership.agency.region, actor=request.user, membership=membership,
            **payload.validated_data,
        )
        return Response(serializers.local_policy_row(row), status=status.HTTP_201_CREATED)


class ConferenceReferralView(APIView):
    """Refer the case to a conference on professional judgement (any member working with case
    content whose agency may see it): it goes on the next conference's agenda, or its place
    there gains the route."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.ConferenceReferralInput,
        responses={201: serializers.ConferenceReferralOutput},
        operation_id="referrals_conference_referral",
    )
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        payload = serializers.ConferenceReferralInput(data=request.data)
        payload.is_valid(raise_exception=True)
        judgement, item = workflow_services.conference_refer(
            referral=referral, actor=request.user, membership=membership,
            reason=payload.validated_data["reason"],
        )
        return Response(
            serializers.conference_referral_output(judgement, item),
            status=status.HTTP_201_CREATED,
        )


class IdentifierCreateView(APIView):
    """Record a key your agency holds for the victim (if it writes their contact details) or the
    suspect (if it writes the suspect section): a PNC id, a phone number, an email address or
    an online account, kept normalised so that referrals of the same person link: the case is
    linked again as at intake (referrals your agency may see join its timeline; others go to
    the coordinator, and you are told nothing of them)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.IdentifierInput,
        responses={201: serializers.RecordedIdentifierOutput},
        operation_id="referrals_identifiers_create",
    )
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        payload = serializers.IdentifierInput(data=request.data)
        payload.is_valid(raise_exception=True)
        identifier, _ = workflow_services.identifier_log(
            referral=referral, actor=request.user, membership=membership,
            **payload.validated_data,
        )
        return Response(serializers.identifier_output(identifier), status=status.HTTP_201_CREATED)


class ScreeningUpdateView(APIView):
    """Answer the case's screen again (members who write the victim section): a higher level
    raises the case's at once; a lower one leaves the case's level (lowering it needs a
    supervisor's approval)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.ScreeningAnswersInput,
        responses={200: serializers.ScreeningUpdatedOutput},
        operation_id="referrals_screening_update",
    )
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = services.referral_look(membership=membership, referral_id=referral_id)
        payload = serializers.ScreeningAnswersInput(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.screening_update(
            referral=referral, actor=request.user, membership=membership,
            answers=payload.validated_data["answers"],
        )
        case_level = Referral.objects.values_list("risk_level", flat=True).get(pk=referral.pk)
        return Response({**serializers.screening_output(row), "case_risk_level": case_level})
