"""The evidence API: a case's files (list, upload), one file with its chain of custody, and its
download. A case the agency may not see, and a file the member may not read, answer 404."""

from __future__ import annotations

import base64

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from agencies.selectors import membership_of
from referral import services as referral_services
from referral.api import case_for

from . import selectors, serializers, services
from .uploads import HashingUploadHandler


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"},
                           description=description)


def download_response(evidence, copy) -> FileResponse:
    """The checked copy of a file as an attachment: never shown inline, never sniffed, never
    cached; its SHA-256 in `Repr-Digest` (RFC 9530) for the receiver to check."""
    response = FileResponse(
        copy, as_attachment=True, filename=evidence.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    digest = base64.b64encode(bytes.fromhex(evidence.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


class EvidenceListView(APIView):
    """GET: the case's files you may read, newest first. POST: upload a file (multipart)."""

    permission_classes = [IsMember]
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before anything reads the body: the upload is hashed as it streams in.
        if request.method == "POST":
            request.upload_handlers = [HashingUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(responses={200: serializers.EvidenceListOutput},
                   operation_id="referrals_evidence_list")
    def get(self, request, referral_id: int):
        membership, referral = case_for(request, referral_id)
        files = selectors.evidence_of_case(membership=membership, referral=referral)
        referral_services.sensitive_reads_record(
            referral=referral, actor=request.user, sections={f.section for f in files}
        )
        return Response({"results": [serializers.evidence_output(f) for f in files]})

    @extend_schema(
        request={"multipart/form-data": serializers.EvidenceInput},
        responses={
            201: serializers.EvidenceOutput,
            503: _error("The malware scanner or the file store could not be reached; nothing "
                        "was stored."),
        },
        operation_id="referrals_evidence_create",
    )
    def post(self, request, referral_id: int):
        """Upload a file: its type is read from its bytes (it must agree with its name and
        declared type), its size is limited, it is scanned when a scanner is configured, and
        its SHA-256 is taken as it arrives."""
        membership, referral = case_for(request, referral_id)
        payload = serializers.EvidenceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        evidence = services.evidence_add(
            referral=referral, actor=request.user, membership=membership, upload=data["file"],
            draft=services.EvidenceDraft(
                section=data["section"], incident=data["incident"],
                description=data["description"],
            ),
        )
        return Response(serializers.evidence_output(evidence), status=status.HTTP_201_CREATED)


class EvidenceDetailView(APIView):
    """One file you may read, with its chain of custody (who added and downloaded it, and any
    failed integrity check), oldest first."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.EvidenceDetailOutput},
                   operation_id="evidence_retrieve")
    def get(self, request, evidence_id: int):
        evidence = selectors.evidence_get(
            membership=membership_of(request.user), evidence_id=evidence_id
        )
        referral_services.sensitive_reads_record(
            referral=evidence.referral, actor=request.user, sections=[evidence.section]
        )
        custody = selectors.custody_events(evidence=evidence)
        return Response(serializers.evidence_detail_output(evidence, custody))


class EvidenceDownloadView(APIView):
    """The file, as an attachment, once its bytes are checked against the SHA-256 taken on
    upload; each download is on its chain of custody. Bytes that no longer match (or are gone)
    are refused: 409 `evidence_altered`, and the failure is recorded. A file erased with the
    case's personal data answers 410 `evidence_erased`."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file's bytes, as uploaded."
            ),
            409: _error("The stored bytes no longer match the SHA-256 taken on upload "
                        "(`evidence_altered`); the download was refused."),
            410: _error("The file was erased with the case's personal data "
                        "(`evidence_erased`)."),
        },
        operation_id="evidence_download",
    )
    def get(self, request, evidence_id: int):
        evidence = selectors.evidence_get(
            membership=membership_of(request.user), evidence_id=evidence_id
        )
        copy = services.evidence_open(evidence=evidence, actor=request.user)
        referral_services.sensitive_reads_record(
            referral=evidence.referral, actor=request.user, sections=[evidence.section]
        )
        return download_response(evidence, copy)
