"""Retention's API: thin views over `privacy.selectors.retention` and
`privacy.services.retention`. A review or hold of a case outside the caller's retention reach
(and, for holds, not visible to its agency) answers 404; inside it, a role that may not do the
thing answers 403."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import policy
from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.exceptions import NotAllowed, NotFound
from referral import services as referral_services
from referral.selectors import referral_id_of

from .. import services
from ..models import RecordKind, RetentionReview
from ..selectors import retention as selectors
from ..serializers import retention as shapes

REVIEW_STATUSES = {
    "open": RetentionReview.OPEN_STATUSES,
    **{s: (s,) for s in RetentionReview.Status.values},
}


def _input(serializer_class, request, **kwargs) -> dict:
    payload = serializer_class(data=request.data, **kwargs)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _reader(request):
    membership = membership_of(request.user)
    if not policy.may_read_retention(membership):
        raise NotAllowed("Your role does not read retention reviews or legal holds.")
    return membership


def hold_case(request, referral_id):
    """The member and the case whose holds it asks for: 404 (a logged refused look) outside
    its reach and sight."""
    membership = membership_of(request.user)
    referral_id = referral_id_of(referral_id)
    try:
        return membership, selectors.hold_case_get(membership=membership, referral_id=referral_id)
    except NotFound:
        referral_services.refused_look_record(membership=membership, referral_id=referral_id)
        raise


class ScheduleListView(GenericAPIView):
    """The retention schedules (any member reads them); an administrator of the hub or of
    oversight adds one for an outcome that has none."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: shapes.ScheduleOutput(many=True)}, operation_id="retention_schedules_list"
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.schedule_list())
        return self.get_paginated_response([shapes.schedule_output(s) for s in page])

    @extend_schema(
        request=shapes.ScheduleInput,
        responses={201: shapes.ScheduleOutput},
        operation_id="retention_schedules_create",
    )
    def post(self, request):
        membership = membership_of(request.user)
        if not policy.may(membership, "set_retention"):
            raise NotAllowed("Only an administrator of the hub or of oversight sets schedules.")
        data = _input(shapes.ScheduleInput, request)
        schedule = services.retention_schedule_create(
            actor=request.user, membership=membership, **data
        )
        return Response(shapes.schedule_output(schedule), status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        responses={200: shapes.ScheduleOutput}, operation_id="retention_schedules_retrieve"
    )
    def get(self, request, schedule_id: int):
        return Response(shapes.schedule_output(selectors.schedule_get(schedule_id=schedule_id)))

    @extend_schema(
        request=shapes.ScheduleChangeInput,
        responses={200: shapes.ScheduleOutput},
        operation_id="retention_schedules_partial_update",
    )
    def patch(self, request, schedule_id: int):
        schedule = selectors.schedule_get(schedule_id=schedule_id)
        membership = membership_of(request.user)
        if not policy.may(membership, "set_retention"):
            raise NotAllowed("Only an administrator of the hub or of oversight sets schedules.")
        data = _input(shapes.ScheduleChangeInput, request)
        schedule = services.retention_schedule_update(
            schedule=schedule, actor=request.user, membership=membership, **data
        )
        return Response(shapes.schedule_output(schedule))


class ReviewListView(GenericAPIView):
    """The retention reviews of the cases in the caller's reach, oldest due first:
    `status=open` (due and deferred; the default), `due`, `deferred` or `erased`; of one
    `record_kind` if asked."""

    permission_classes = [IsMember]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=list(REVIEW_STATUSES), default="open"),
            OpenApiParameter("record_kind", enum=RecordKind.values, required=False),
        ],
        responses={200: shapes.ReviewOutput(many=True)},
        operation_id="retention_reviews_list",
    )
    def get(self, request):
        membership = _reader(request)
        wanted = request.query_params.get("status", "open")
        if wanted not in REVIEW_STATUSES:
            raise ValidationError({"status": [f"One of: {', '.join(REVIEW_STATUSES)}."]})
        kind = request.query_params.get("record_kind")
        if kind is not None and kind not in RecordKind.values:
            raise ValidationError({"record_kind": [f"One of: {', '.join(RecordKind.values)}."]})
        reviews = selectors.review_list(
            membership=membership, statuses=REVIEW_STATUSES[wanted], record_kind=kind
        )
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response([shapes.review_output(r) for r in page])


class ReviewDetailView(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses={200: shapes.ReviewOutput}, operation_id="retention_reviews_retrieve")
    def get(self, request, review_id: int):
        review = selectors.review_get(membership=membership_of(request.user), review_id=review_id)
        _reader(request)
        return Response(shapes.review_output(review))


class ReviewDecisionView(APIView):
    """A supervisor's decision: `erase` (409 while a legal hold is active) or `defer` to
    `deferred_until`; `reason` always."""

    permission_classes = [IsMember]

    @extend_schema(
        request=shapes.ReviewDecisionInput,
        responses={200: shapes.ReviewOutput},
        operation_id="retention_reviews_decision_create",
    )
    def post(self, request, review_id: int):
        membership = membership_of(request.user)
        review = selectors.review_get(membership=membership, review_id=review_id)
        if not policy.may_decide_retention(membership):
            raise NotAllowed("Only a supervisor of the referring agency or the hub decides this.")
        data = _input(shapes.ReviewDecisionInput, request)
        review = services.retention_review_decide(
            review=review, actor=request.user, membership=membership, **data
        )
        return Response(shapes.review_output(review, held=False))


class CaseHoldsView(APIView):
    """A case's legal holds; a supervisor places one (a reason is required)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: shapes.HoldOutput(many=True)}, operation_id="referrals_legal_holds_list"
    )
    def get(self, request, referral_id: int):
        _, referral = hold_case(request, referral_id)
        _reader(request)
        return Response([shapes.hold_output(h) for h in selectors.holds_of(referral=referral)])

    @extend_schema(
        request=shapes.HoldInput,
        responses={201: shapes.HoldOutput},
        operation_id="referrals_legal_holds_create",
    )
    def post(self, request, referral_id: int):
        membership, referral = hold_case(request, referral_id)
        if not policy.may_decide_retention(membership):
            raise NotAllowed("Only a supervisor places a legal hold.")
        data = _input(shapes.HoldInput, request)
        hold = services.legal_hold_place(
            referral=referral, actor=request.user, membership=membership, reason=data["reason"]
        )
        return Response(shapes.hold_output(hold), status=status.HTTP_201_CREATED)


class HoldLiftView(APIView):
    """Lift a legal hold, with the reason; 409 if it was already lifted."""

    permission_classes = [IsMember]

    @extend_schema(
        request=shapes.HoldInput,
        responses={200: shapes.HoldOutput},
        operation_id="legal_holds_lift_create",
    )
    def post(self, request, hold_id: int):
        membership = membership_of(request.user)
        hold = selectors.hold_get(membership=membership, hold_id=hold_id)
        if not policy.may_decide_retention(membership):
            raise NotAllowed("Only a supervisor lifts a legal hold.")
        data = _input(shapes.HoldInput, request)
        hold = services.legal_hold_lift(
            hold=hold, actor=request.user, membership=membership, reason=data["reason"]
        )
        return Response(shapes.hold_output(hold))
