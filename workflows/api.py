"""The task API: inbox scopes, one task with its form, claim, release, reassign, complete."""

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.rest import (
    CountingPagination,
    CountingPaginator,
    StrictCharField,
    StrictSerializer,
    count_apart,
)

from . import selectors, services, task_schemas
from . import serializers as output


def task_output(task, *, detail: bool = False, membership=None, now=None) -> dict:
    """A task as the API shows it; in detail, with its form, context, `brief` (what deciding
    it needs: `selectors.task_brief`) and result."""
    now = now or timezone.now()
    referral = task.referral
    data = {
        "id": task.pk,
        "task_type": task.task_type,
        "title": task.get_task_type_display(),
        "status": task.status.lower(),
        "agency": task.agency.slug if task.agency_id else None,
        "role": task.role,
        "referral": task.referral_id,
        "reference": referral.reference if referral else None,
        "risk_level": referral.risk_level if referral else None,
        "due": task.due,
        "overdue": bool(task.is_open and task.due and task.due < now),
        "escalated": task.escalated_at is not None,
        "owner": task.owner.get_username() if task.owner_id else None,
        "created": task.created,
    }
    if detail:
        data["form"] = task_schemas.schema_for(task.task_type, agency_kind=task.agency.kind)
        readable = selectors.task_work_readable(task=task, membership=membership)
        data["context"] = task.process.coerced.data.get("context", {}) if readable else {}
        data["brief"] = selectors.task_brief(task=task, membership=membership)
        data["result"] = task.data.get("result") if readable else None
    return data


def inbox_counted(tasks: QuerySet) -> QuerySet:
    """An inbox's tasks, each carrying the scope's total (`CountingPaginator.TOTAL`), counted in
    a subquery of the task table (`count_apart`: every task of a scope is of one agency): a page
    then stops after its rows, where `COUNT(*) OVER ()` would join and sort the whole scope."""
    return tasks.annotate(**{CountingPaginator.TOTAL: count_apart(tasks, by="agency_id")})


class TaskListView(GenericAPIView):
    """`scope=mine` (claimed by you), `queue` (your agency's, unclaimed), `overdue`."""

    permission_classes = [IsMember]
    pagination_class = CountingPagination

    @extend_schema(
        parameters=[OpenApiParameter("scope", enum=list(selectors.SCOPES), default="mine")],
        responses={200: output.TaskOutput(many=True)},
        operation_id="tasks_list",
    )
    def get(self, request):
        scope = request.query_params.get("scope", "mine")
        if scope not in selectors.SCOPES:
            raise ValidationError({"scope": [f"One of: {', '.join(selectors.SCOPES)}."]})
        tasks = selectors.task_list(user=request.user, scope=scope)
        page = self.paginate_queryset(inbox_counted(tasks))
        now = timezone.now()
        return self.get_paginated_response([task_output(task, now=now) for task in page])


class TaskDetailView(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses={200: output.TaskDetailOutput})
    def get(self, request, task_id: int):
        task = selectors.task_get(user=request.user, task_id=task_id)
        membership = membership_of(request.user)
        services.task_read_record(task=task, actor=request.user, membership=membership)
        return Response(task_output(task, detail=True, membership=membership))


class TaskClaimView(APIView):
    """Take a task from your agency's queue; 409 if someone else has it."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={200: output.TaskOutput})
    def post(self, request, task_id: int):
        task = services.task_claim(actor=request.user, task_id=task_id)
        return Response(task_output(selectors.task_get(user=request.user, task_id=task.pk)))


class TaskReleaseView(APIView):
    """Put a claimed task back in the queue (its owner or a supervisor)."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={200: output.TaskOutput})
    def post(self, request, task_id: int):
        task = services.task_release(actor=request.user, task_id=task_id)
        return Response(task_output(selectors.task_get(user=request.user, task_id=task.pk)))


class ReassignInput(StrictSerializer):
    username = StrictCharField(max_length=150)


class TaskReassignView(APIView):
    """A supervisor gives the task to a named member of the agency."""

    permission_classes = [IsMember]

    @extend_schema(request=ReassignInput, responses={200: output.TaskOutput})
    def post(self, request, task_id: int):
        payload = ReassignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        task = services.task_reassign(
            actor=request.user, task_id=task_id, to_username=payload.validated_data["username"]
        )
        return Response(task_output(selectors.task_get(user=request.user, task_id=task.pk)))


class TaskCompleteView(APIView):
    """Finish your claimed task with its form's fields; 400 with `fields` if they do not fit."""

    permission_classes = [IsMember]

    @extend_schema(
        request={"application/json": {"type": "object", "additionalProperties": True}},
        responses={200: output.TaskOutput},
    )
    def post(self, request, task_id: int):
        task = services.task_complete(actor=request.user, task_id=task_id, data=request.data)
        task.refresh_from_db()
        return Response(task_output(task))


def notification_output(notification, agency_id: int) -> dict:
    """A notice as `selectors.notifications_for` reads it (with its task's agency)."""
    return {
        "id": notification.id,
        "kind": notification.kind,
        "text": notification.text,
        "task": notification.task_id if notification.task_agency_id == agency_id else None,
        "referral": notification.referral_id,
        "created_at": notification.created_at,
        "read": notification.read_at is not None,
    }


class NotificationListView(GenericAPIView):
    """Your notifications, newest first, with the unread count."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: output.NotificationPageOutput}, operation_id="notifications_list"
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.notifications_for(user=request.user))
        agency = membership_of(request.user).agency_id
        response = self.get_paginated_response([notification_output(n, agency) for n in page])
        response.data["unread"] = selectors.unread_count(user=request.user)
        return response


class NotificationsReadView(APIView):
    """Mark all your notifications read."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={200: output.NotificationsReadOutput})
    def post(self, request):
        marked = services.notifications_mark_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


class NotificationReadView(APIView):
    """Mark one of your notifications read; with how many stay unread. 404 for one that is not
    yours (or is about a case your agency may no longer see)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=None,
        responses={200: output.NotificationReadOutput},
        operation_id="notifications_read_one",
    )
    def post(self, request, notification_id: int):
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        agency = membership_of(request.user).agency_id
        return Response(
            {
                **notification_output(notification, agency),
                "unread": selectors.unread_count(user=request.user),
            }
        )
