"""The task API: inbox scopes, one task with its form, claim, release, reassign, complete."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.rest import (
    CountingPagination,
    StrictCharField,
    StrictSerializer,
    attribute_row,
)

from . import selectors, services, task_forms
from .models import TaskType

ANY = OpenApiResponse(description="JSON object; see the contract in the README")


TASK_TITLES = dict(TaskType.choices)


def task_row_output(row: dict, *, agency: str | None, now) -> dict:
    """A task as the API shows it, from a row of `selectors.task_rows` (the inbox reads rows)."""
    return {
        "id": row["id"],
        "task_type": row["task_type"],
        "title": TASK_TITLES.get(row["task_type"], row["task_type"]),
        "status": row["status"].lower(),
        "agency": agency,
        "role": row["role"],
        "referral": row["referral_id"],
        "reference": row["referral__reference"],
        "risk_level": row["referral__risk_level"],
        "due": row["due"],
        "overdue": bool(row["is_open"] and row["due"] and row["due"] < now),
        "escalated": row["escalated_at"] is not None,
        "owner": row["owner__username"],
        "created": row["created"],
    }


def task_output(task, *, detail: bool = False, membership=None) -> dict:
    """A task loaded as an object (one task): the same shape as `task_row_output`; in detail,
    with its form, context, `brief` (what deciding it needs: `selectors.task_brief`) and
    result."""
    row = attribute_row(task, selectors.TASK_ROW_COLUMNS)
    agency = task.agency.slug if task.agency else None
    data = task_row_output(row, agency=agency, now=timezone.now())
    if detail:
        data["form"] = task_forms.schema_for(task.task_type, agency_kind=task.agency.kind)
        readable = selectors.task_work_readable(task=task, membership=membership)
        data["context"] = task.process.coerced.data.get("context", {}) if readable else {}
        data["brief"] = selectors.task_brief(task=task, membership=membership)
        data["result"] = task.data.get("result") if readable else None
    return data


class TaskListView(GenericAPIView):
    """`scope=mine` (claimed by you), `queue` (your agency's, unclaimed), `overdue`."""

    permission_classes = [IsMember]
    pagination_class = CountingPagination

    @extend_schema(
        parameters=[OpenApiParameter("scope", enum=list(selectors.SCOPES), default="mine")],
        responses=ANY,
        operation_id="tasks_list",
    )
    def get(self, request):
        scope = request.query_params.get("scope", "mine")
        if scope not in selectors.SCOPES:
            raise ValidationError({"scope": [f"One of: {', '.join(selectors.SCOPES)}."]})
        page = self.paginate_queryset(selectors.task_rows(user=request.user, scope=scope))
        now, agency = timezone.now(), membership_of(request.user).agency.slug
        return self.get_paginated_response(
            [task_row_output(row, agency=agency, now=now) for row in page]
        )


class TaskDetailView(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses=ANY)
    def get(self, request, task_id: int):
        task = selectors.task_get(user=request.user, task_id=task_id)
        membership = membership_of(request.user)
        services.task_read_record(task=task, actor=request.user, membership=membership)
        return Response(task_output(task, detail=True, membership=membership))


class TaskClaimView(APIView):
    """Take a task from your agency's queue; 409 if someone else has it."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses=ANY)
    def post(self, request, task_id: int):
        task = services.task_claim(actor=request.user, task_id=task_id)
        return Response(task_output(selectors.task_get(user=request.user, task_id=task.pk)))


class TaskReleaseView(APIView):
    """Put a claimed task back in the queue (its owner or a supervisor)."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses=ANY)
    def post(self, request, task_id: int):
        task = services.task_release(actor=request.user, task_id=task_id)
        return Response(task_output(selectors.task_get(user=request.user, task_id=task.pk)))


class ReassignInput(StrictSerializer):
    username = StrictCharField(max_length=150)


class TaskReassignView(APIView):
    """A supervisor gives the task to a named member of the agency."""

    permission_classes = [IsMember]

    @extend_schema(request=ReassignInput, responses=ANY)
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
        responses=ANY,
    )
    def post(self, request, task_id: int):
        task = services.task_complete(actor=request.user, task_id=task_id, data=request.data)
        task.refresh_from_db()
        return Response(task_output(task))


class NotificationListView(GenericAPIView):
    """Your notifications, newest first, with the unread count."""

    permission_classes = [IsMember]

    @extend_schema(responses=ANY, operation_id="notifications_list")
    def get(self, request):
        page = self.paginate_queryset(selectors.notifications_for(user=request.user))
        agency = membership_of(request.user).agency_id
        response = self.get_paginated_response(
            [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "text": n.text,
                    # Another agency's task (the decision a notice reports) is not the reader's.
                    "task": n.task_id if n.task and n.task.agency_id == agency else None,
                    "referral": n.referral_id or (n.task.referral_id if n.task else None),
                    "created_at": n.created_at,
                    "read": n.read_at is not None,
                }
                for n in page
            ]
        )
        response.data["unread"] = selectors.unread_count(user=request.user)
        return response


class NotificationsReadView(APIView):
    """Mark all your notifications read."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses=ANY)
    def post(self, request):
        marked = services.notifications_mark_read(user=request.user)
        return Response({"marked": marked, "unread": 0})
