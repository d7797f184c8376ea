"""The orders API: thin views over `orders.services` and the orchestrators of
`workflows.services.orders` (service starts the notification check; a failure to notify its
offence and enforcement). A case the agency may not see is 404; visible but not allowed, 403."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from referral.api import case_for as _case
from workflows.services import orders as order_work

from . import serializers


class OrderChangeView(APIView):
    """Vary, renew, extend or discharge an order in force (by whoever may record its kind)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.OrderChangeInput,
        responses={201: serializers.OrderChangeOutput},
        operation_id="referrals_orders_changes_create",
    )
    def post(self, request, referral_id: int, order_id: int):
        membership, referral = _case(request, referral_id)
        payload = serializers.OrderChangeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        change = order_work.order_change_log(
            referral=referral, order_id=order_id, actor=request.user, membership=membership,
            draft=payload.draft(),
        )
        return Response(serializers.change_output(change), status=status.HTTP_201_CREATED)


class OrderServiceView(APIView):
    """The order served on the suspect; a stalking protection order's service starts the three
    days to notify the police (SPA 2019 s.9) and the police's check of it."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.OrderServiceInput,
        responses={201: serializers.OrderServiceOutput},
        operation_id="referrals_orders_service_create",
    )
    def post(self, request, referral_id: int, order_id: int):
        membership, referral = _case(request, referral_id)
        payload = serializers.OrderServiceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        order, duty = order_work.order_serve_log(
            referral=referral, order_id=order_id, actor=request.user, membership=membership,
            served_on=payload.validated_data["served_on"],
        )
        return Response(
            {"order": order.pk, "served_on": order.served_on,
             "notification": serializers.notification_output(duty)},
            status=status.HTTP_201_CREATED,
        )


class NotificationView(APIView):
    """Whether the suspect notified the police in time; a failure is an offence, enforced."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.OrderNotificationInput,
        responses={201: serializers.OrderNotificationOutput},
        operation_id="referrals_orders_notification_create",
    )
    def post(self, request, referral_id: int, order_id: int):
        membership, referral = _case(request, referral_id)
        payload = serializers.OrderNotificationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        duty = order_work.notification_log(
            referral=referral, order_id=order_id, actor=request.user, membership=membership,
            complied=data["complied"], notified_on=data.get("notified_on"),
            reason=data.get("reason", ""),
        )
        return Response(serializers.notification_output(duty), status=status.HTTP_201_CREATED)


class OrderApplicationView(APIView):
    """The police apply for a stalking protection order, with the hearing it is listed for if
    known (an order hearing: its risk assessments fall due before it)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.OrderApplicationInput,
        responses={201: serializers.OrderApplicationCreatedOutput},
        operation_id="referrals_order_applications_create",
    )
    def post(self, request, referral_id: int):
        membership, referral = _case(request, referral_id)
        payload = serializers.OrderApplicationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        listed = data["hearing"]
        application, hearing = order_work.order_application_log(
            referral=referral, actor=request.user, membership=membership,
            applied_on=data["applied_on"], court=data["court"], reason=data["reason"],
            hearing=order_work.ListedHearing(on=listed["date"], court=listed["court"])
            if listed else None,
        )
        return Response(
            {**serializers.application_output(application),
             "hearing": serializers.listed_hearing_output(hearing)},
            status=status.HTTP_201_CREATED,
        )


class OrderApplicationDecisionView(APIView):
    """The court's decision on an application: an interim order, the order (at least two
    years, or until further order; it replaces an interim one), refused or withdrawn."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.ApplicationDecisionInput,
        responses={201: serializers.OrderApplicationOutput},
        operation_id="referrals_order_applications_decision_create",
    )
    def post(self, request, referral_id: int, application_id: int):
        membership, referral = _case(request, referral_id)
        payload = serializers.ApplicationDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        application = order_work.order_application_decide_log(
            referral=referral, application_id=application_id, actor=request.user,
            membership=membership, decision=payload.decision_of(),
        )
        return Response(
            serializers.application_output(application), status=status.HTTP_201_CREATED
        )
