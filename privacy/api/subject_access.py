"""The subject access API (data protection officers only): requests, the records found for each,
the decisions on them, the disclosure and the bundle's downloads. Anyone else gets 403 on the
list and 404 on a request or an item."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from agencies.selectors import membership_of
from workflows.services import privacy as privacy_work

from .. import services
from ..selectors import subject_access as selectors
from ..serializers import subject_access as serializers


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


def request_detail(request, actor) -> dict:
    """The request with its items; showing them is a logged read of each case's records."""
    items = selectors.subject_access_items(request=request)
    services.subject_access_records_read_record(actor=actor, request=request, items=items)
    return {
        **serializers.request_row(request, today=timezone.localdate()),
        "items": [serializers.item_row(i) for i in items],
    }


class RequestListView(APIView):
    """GET: your agency's subject access requests, open first, by deadline. POST: record a
    request received; it is searched at once and a `subject_access` task, due one calendar
    month after receipt, goes to your agency's queue."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: serializers.RequestOutput(many=True)}, operation_id="subject_access_list"
    )
    def get(self, request):
        rows = selectors.subject_access_requests(membership=membership_of(request.user))
        today = timezone.localdate()
        return Response([serializers.request_row(r, today=today) for r in rows])

    @extend_schema(
        request=serializers.RequestInput,
        responses={201: serializers.RequestDetailOutput},
        operation_id="subject_access_create",
    )
    def post(self, request):
        membership = membership_of(request.user)
        services.check_dpo(membership)
        payload = serializers.RequestInput(data=request.data)
        payload.is_valid(raise_exception=True)
        made = privacy_work.subject_access_receive(
            actor=request.user, membership=membership, draft=payload.draft()
        )
        return Response(request_detail(made, request.user), status=status.HTTP_201_CREATED)


class RequestDetailView(APIView):
    """One request with the records found for it (each read is on the trail)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: serializers.RequestDetailOutput}, operation_id="subject_access_retrieve"
    )
    def get(self, request, request_id: int):
        found = selectors.subject_access_request_get(
            membership=membership_of(request.user), request_id=request_id
        )
        return Response(request_detail(found, request.user))


class RequestSearchView(APIView):
    """Search again for the person's records (records already decided keep their decision)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=None,
        responses={200: serializers.RequestDetailOutput},
        operation_id="subject_access_search",
    )
    def post(self, request, request_id: int):
        membership = membership_of(request.user)
        found = selectors.subject_access_request_get(membership=membership, request_id=request_id)
        services.subject_access_search(actor=request.user, membership=membership, request=found)
        return Response(request_detail(found, request.user))


class ItemDecisionView(APIView):
    """Decide on one record found: disclose, redact (phrases of its text) or exempt."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.ItemDecisionInput,
        responses={200: serializers.ItemOutput},
        operation_id="subject_access_item_decide",
    )
    def patch(self, request, item_id: int):
        membership = membership_of(request.user)
        item = selectors.subject_access_item_get(membership=membership, item_id=item_id)
        payload = serializers.ItemDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.subject_access_item_decide(
            actor=request.user, membership=membership, item=item, choice=payload.choice()
        )
        return Response(serializers.item_row(item))


class DiscloseView(APIView):
    """Make the bundle (JSON and PDF) of what is disclosed, record the disclosure and complete
    the request's task. 409 if the request is no longer open."""

    permission_classes = [IsMember]

    @extend_schema(
        request=None,
        responses={201: serializers.RequestOutput},
        operation_id="subject_access_disclose",
    )
    def post(self, request, request_id: int):
        membership = membership_of(request.user)
        found = selectors.subject_access_request_get(membership=membership, request_id=request_id)
        privacy_work.subject_access_answer_disclose(
            actor=request.user, membership=membership, request=found
        )
        found = selectors.subject_access_request_get(membership=membership, request_id=request_id)
        return Response(
            serializers.request_row(found, today=timezone.localdate()),
            status=status.HTTP_201_CREATED,
        )


class CloseView(APIView):
    """Close the request without disclosure, with the reason; completes its task."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.CloseInput,
        responses={200: serializers.RequestOutput},
        operation_id="subject_access_close",
    )
    def post(self, request, request_id: int):
        membership = membership_of(request.user)
        found = selectors.subject_access_request_get(membership=membership, request_id=request_id)
        payload = serializers.CloseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        found = privacy_work.subject_access_answer_close(
            actor=request.user,
            membership=membership,
            request=found,
            reason=payload.validated_data["reason"],
        )
        return Response(serializers.request_row(found, today=timezone.localdate()))


CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def bundle_response(request, file_format: str) -> HttpResponse:
    """The bundle's file as an attachment (its SHA-256 checked; the download an event)."""
    membership = membership_of(request.user)
    found = selectors.subject_access_request_get(
        membership=membership, request_id=request.resolver_match.kwargs["request_id"]
    )
    content = services.subject_access_bundle_open(
        actor=request.user, membership=membership, request=found, file_format=file_format
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="{found.reference}-bundle.{file_format}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class BundleJsonView(APIView):
    """The disclosed bundle as JSON (404 before disclosure)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={
            (200, "application/json"): serializers.BundleOutput,
            409: _error("The stored bundle no longer matches its SHA-256."),
        },
        operation_id="subject_access_bundle_json",
    )
    def get(self, request, request_id: int):
        return bundle_response(request, "json")


class BundlePdfView(APIView):
    """The disclosed bundle as a PDF (404 before disclosure)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            409: _error("The stored bundle no longer matches its SHA-256."),
        },
        operation_id="subject_access_bundle_pdf",
    )
    def get(self, request, request_id: int):
        return bundle_response(request, "pdf")
