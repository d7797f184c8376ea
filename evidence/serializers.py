"""The evidence files' input and output shapes, for the API and the pages that show the same."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from agencies import policy
from audit.models import Event
from config.rest import StrictSerializer

from .models import EvidenceFile

CUSTODY_LABELS = {
    "evidence.added": "Added",
    "evidence.viewed": "Downloaded (SHA-256 checked)",
    "evidence.integrity_failed": "Integrity check failed: download refused",
}


class EvidenceInput(StrictSerializer):
    """A file uploaded to a case (multipart/form-data)."""

    file = serializers.FileField(
        allow_empty_file=True,  # `uploads.check_upload` says "The file is empty."
        help_text="The file: a PNG, JPEG, GIF or WebP image, a PDF, MP3, M4A/MP4, WAV or Ogg "
        "audio, or plain UTF-8 text; the type is read from its bytes.",
    )
    section = serializers.ChoiceField(choices=list(policy.SECTIONS), default="incidents",
                                      help_text="The case section the file is filed under.")
    incident = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        min_value=1, max_value=2**63 - 1,
                                        help_text="An incident of the same case, if any.")
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=2000, trim_whitespace=True)


class CustodyEventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    agency = serializers.CharField(allow_null=True)
    verb = serializers.CharField()
    label = serializers.CharField()
    reason = serializers.CharField()


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    incident = serializers.IntegerField(allow_null=True)
    section = serializers.ChoiceField(choices=list(policy.SECTIONS))
    description = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    added_by = serializers.CharField()
    agency = serializers.CharField()
    added_at = serializers.DateTimeField()
    scan_result = serializers.ChoiceField(choices=EvidenceFile.Scan.choices)
    altered = serializers.BooleanField(
        help_text="A download found the stored bytes other than those uploaded (or gone)."
    )
    altered_at = serializers.DateTimeField(allow_null=True)
    erased_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the file was erased with the case's personal data (its download then "
        "answers 410).",
    )
    download_url = serializers.CharField()


class EvidenceListOutput(serializers.Serializer):
    results = EvidenceOutput(many=True)


class EvidenceDetailOutput(EvidenceOutput):
    custody = CustodyEventOutput(many=True)


def evidence_output(evidence: EvidenceFile) -> dict:
    return {
        "id": evidence.pk,
        "referral": evidence.referral_id,
        "incident": evidence.incident_id,
        "section": evidence.section,
        "description": evidence.description,
        "original_name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "added_by": evidence.added_by.get_username(),
        "agency": evidence.agency.slug,
        "added_at": evidence.added_at,
        "scan_result": evidence.scan_result,
        "altered": evidence.altered,
        "altered_at": evidence.altered_at,
        "erased_at": evidence.erased_at,
        "download_url": reverse("api-evidence-download", kwargs={"evidence_id": evidence.pk}),
    }


def custody_output(event: Event) -> dict:
    return {
        "at": event.at,
        "actor": event.actor_username or None,
        "agency": event.agency_slug or None,
        "verb": event.verb,
        "label": CUSTODY_LABELS.get(event.verb, event.verb),
        "reason": event.reason,
    }


def evidence_detail_output(evidence: EvidenceFile, custody: list[Event]) -> dict:
    return {**evidence_output(evidence), "custody": [custody_output(e) for e in custody]}
