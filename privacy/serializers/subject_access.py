"""The subject access API's shapes: a request in, a request out (with its items), a decision on
an item in, and closing a request. The pages show the same rows (`request_row`, `item_row`)."""

from __future__ import annotations

from rest_framework import serializers

from config.rest import StrictCharField, StrictSerializer
from referral.models import PersonName

from .. import services
from ..models import Exemption, ItemDecision, SubjectAccessItem, SubjectAccessRequest

# --- Input ---------------------------------------------------------------------------------


class RequestInput(StrictSerializer):
    subject_role = serializers.ChoiceField(
        choices=PersonName.Role.choices, help_text="Whose data: the victim's or a suspect's."
    )
    name = StrictCharField(max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    phone = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    email = StrictCharField(max_length=254, required=False, allow_blank=True, default="")
    online_platform = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    online_account = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(help_text="The day the request was received.")
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")

    def draft(self) -> services.RequestDraft:
        return services.RequestDraft(**self.validated_data)


class ItemDecisionInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=ItemDecision.choices)
    exemption = serializers.ChoiceField(
        choices=Exemption.choices, required=False, allow_blank=True, default=""
    )
    redact = serializers.ListField(
        child=StrictCharField(max_length=500),
        required=False,
        default=list,
        max_length=50,
        help_text='Phrases of the record\'s text to replace by "[redacted]" (decision redact).',
    )
    reason = StrictCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to disclose a record that starts exempt.",
    )

    def choice(self) -> services.ItemChoice:
        return services.ItemChoice(**self.validated_data)


class CloseInput(StrictSerializer):
    reason = StrictCharField(max_length=2000)


# --- Output --------------------------------------------------------------------------------


class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(help_text="The case's reference.")
    referral = serializers.IntegerField()
    record_kind = serializers.CharField()
    record_id = serializers.IntegerField()
    section = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField(help_text="The record as found.")
    decision = serializers.ChoiceField(choices=ItemDecision.choices)
    exemption = serializers.CharField(allow_blank=True)
    default_decision = serializers.ChoiceField(choices=ItemDecision.choices)
    default_exemption = serializers.CharField(allow_blank=True)
    redact = serializers.ListField(child=serializers.CharField())
    disclosed_text = serializers.CharField(
        allow_blank=True, help_text="What the bundle shows (empty if exempt)."
    )
    reason = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class BundleLinksOutput(serializers.Serializer):
    json = serializers.CharField(help_text="The bundle as JSON.")
    pdf = serializers.CharField(help_text="The bundle as a PDF.")
    json_sha256 = serializers.CharField()
    pdf_sha256 = serializers.CharField()
    disclosed_by = serializers.CharField()
    disclosed_at = serializers.DateTimeField()


class RequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    subject_role = serializers.CharField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    online_platform = serializers.CharField(allow_blank=True)
    online_account = serializers.CharField(allow_blank=True)
    received_on = serializers.DateField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    status = serializers.CharField()
    closed_reason = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    searched_at = serializers.DateTimeField(allow_null=True)
    bundle = BundleLinksOutput(allow_null=True, help_text="The bundle's files, once disclosed.")


class RequestDetailOutput(RequestOutput):
    items = ItemOutput(many=True)


class BundleRequestOutput(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField()
    subject_role = serializers.CharField()
    received_on = serializers.DateField()
    due_on = serializers.DateField()
    disclosed_at = serializers.DateTimeField()
    agency = serializers.CharField()


class BundleItemOutput(serializers.Serializer):
    case = serializers.CharField(help_text="The case's reference.")
    record_kind = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()
    redacted = serializers.BooleanField()
    text = serializers.CharField(help_text="The record as disclosed.")


class BundleWithheldOutput(serializers.Serializer):
    exemption = serializers.ChoiceField(choices=Exemption.choices)
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="How many records were withheld under it.")


class BundleOutput(serializers.Serializer):
    """The bundle the person receives (`privacy.bundle.bundle_content`)."""

    request = BundleRequestOutput()
    items = BundleItemOutput(many=True)
    withheld = BundleWithheldOutput(many=True)


def item_row(item: SubjectAccessItem) -> dict:
    return {
        "id": item.pk,
        "case": item.referral.reference,
        "referral": item.referral_id,
        "record_kind": item.record_kind,
        "record_id": item.record_id,
        "section": item.section,
        "title": item.title,
        "text": item.text,
        "decision": item.decision,
        "exemption": item.exemption,
        "default_decision": item.default_decision,
        "default_exemption": item.default_exemption,
        "redact": item.redactions,
        "disclosed_text": item.disclosed_text,
        "reason": item.reason,
        "decided_by": item.decided_by.get_username() if item.decided_by else None,
        "decided_at": item.decided_at,
    }


def _bundle(request: SubjectAccessRequest) -> dict | None:
    disclosure = getattr(request, "disclosure", None)
    if disclosure is None:
        return None
    base = f"/api/v1/subject-access/{request.pk}/"
    return {
        "json": base + "bundle.json",
        "pdf": base + "bundle.pdf",
        "json_sha256": disclosure.json_sha256,
        "pdf_sha256": disclosure.pdf_sha256,
        "disclosed_by": disclosure.disclosed_by.get_username(),
        "disclosed_at": disclosure.disclosed_at,
    }


def request_row(request: SubjectAccessRequest, *, today) -> dict:
    return {
        "id": request.pk,
        "reference": request.reference,
        "subject_role": request.subject_role,
        "name": request.name,
        "date_of_birth": request.date_of_birth,
        "phone": request.phone,
        "email": request.email,
        "online_platform": request.online_platform,
        "online_account": request.online_account,
        "received_on": request.received_on,
        "due_on": request.due_on,
        "overdue": request.is_open and request.due_on < today,
        "status": request.status,
        "closed_reason": request.closed_reason,
        "notes": request.notes,
        "searched_at": request.searched_at,
        "bundle": _bundle(request),
    }
