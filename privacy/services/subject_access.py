"""Every change to a subject access request: receiving it, searching for the person, deciding
on each record found, disclosing the bundle or closing without one, and the reads and downloads
that are logged. Each is atomic and writes its `subject_access.*` event in the same transaction.

Only a data protection officer of the request's agency acts on it (`policy`); the task that
tracks its deadline is the orchestrator's (`workflows.services.privacy`), which calls these.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound

from .. import bundle, finding
from ..events import subject_access as events
from ..models import (
    Exemption,
    ItemDecision,
    SubjectAccessDisclosure,
    SubjectAccessItem,
    SubjectAccessRequest,
    one_month_after,
)

REDACTED = "[redacted]"


def check_dpo(membership: Membership | None) -> None:
    """`NotAllowed` unless the member may handle subject access."""
    if not policy.may_handle_subject_access(membership):
        raise NotAllowed("Only a data protection officer handles subject access requests.")


def _check_open(request: SubjectAccessRequest) -> None:
    if not request.is_open:
        raise Conflict(f"This request is already {request.get_status_display().lower()}.")


@dataclass(frozen=True)
class RequestDraft:
    subject_role: str
    name: str
    received_on: date
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    online_platform: str = ""
    online_account: str = ""
    notes: str = ""


def _checked(draft: RequestDraft) -> None:
    """Field errors of a draft, all at once (`DomainError`)."""
    errors: dict[str, list[str]] = {}
    if draft.subject_role not in finding.PersonName.Role.values:
        errors["subject_role"] = ["Choose victim or suspect."]
    if not finding.linking.normalise(draft.name or ""):
        errors["name"] = ["Enter the person's name."]
    if draft.received_on > timezone.localdate():
        errors["received_on"] = ["The request cannot be received in the future."]
    if draft.online_account and not draft.online_platform.strip():
        errors["online_platform"] = ["Name the platform of the online account."]
    probe = SubjectAccessRequest(
        name=draft.name,
        phone=draft.phone,
        email=draft.email,
        online_platform=draft.online_platform,
        online_account=draft.online_account,
    )
    try:
        finding.request_identifiers(probe)
    except finding.BadRequestDetail as exc:
        errors.setdefault(exc.field, []).append(str(exc))
    if errors:
        raise DomainError("Some details of the request do not fit.", fields=errors)


@transaction.atomic
def subject_access_create(
    *, actor, membership: Membership, draft: RequestDraft
) -> SubjectAccessRequest:
    """Record a request received by the DPO's agency, due one calendar month after receipt."""
    check_dpo(membership)
    _checked(draft)
    request = SubjectAccessRequest.objects.create(
        agency=membership.agency,
        subject_role=draft.subject_role,
        name=draft.name.strip(),
        date_of_birth=draft.date_of_birth,
        phone=draft.phone.strip(),
        email=draft.email.strip(),
        online_platform=draft.online_platform.strip(),
        online_account=draft.online_account.strip(),
        received_on=draft.received_on,
        due_on=one_month_after(draft.received_on),
        notes=draft.notes,
        created_by=actor,
    )
    events.subject_access_created_event(request=request, actor=actor)
    return request


@transaction.atomic
def subject_access_search(
    *, actor, membership: Membership, request: SubjectAccessRequest
) -> list[SubjectAccessItem]:
    """Find (again) the records held about the person in the DPO's region. Records already
    decided by the DPO keep their decision (their text is refreshed); records no longer found
    are dropped; new ones start with their default decision."""
    check_dpo(membership)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    _check_open(request)
    region = policy.subject_access_region(membership) or ""
    cases = finding.matching_cases(request=request, region=region)
    found = finding.records_found(request=request, cases=cases)
    existing = {(i.record_kind, i.record_id): i for i in request.items.all()}
    kept: list[SubjectAccessItem] = []
    for record in found:
        item = existing.pop((record.record_kind, record.record_id), None)
        if item is None:
            item = SubjectAccessItem(
                request=request,
                referral=record.referral,
                record_kind=record.record_kind,
                record_id=record.record_id,
                default_decision=record.decision,
                default_exemption=record.exemption,
                decision=record.decision,
                exemption=record.exemption,
            )
        item.section, item.title, item.text = record.section, record.title, record.text
        if item.decided_by_id is None or item.decision != ItemDecision.REDACT:
            item.disclosed_text = _disclosed(item.decision, record.text, [])
        elif not all(_occurs(p, record.text) for p in item.redactions):
            # A redacted phrase gone from the text: the DPO decides again.
            item.decision, item.exemption = record.decision, record.exemption
            item.redactions_json, item.decided_by, item.decided_at = "", None, None
            item.disclosed_text = _disclosed(item.decision, record.text, [])
        else:
            item.disclosed_text = _disclosed(item.decision, record.text, item.redactions)
        item.save()
        kept.append(item)
    SubjectAccessItem.objects.filter(pk__in=[i.pk for i in existing.values()]).delete()
    request.searched_at = timezone.now()
    request.save(update_fields=["searched_at"])
    events.subject_access_searched_event(
        request=request, actor=actor, cases=[c.pk for c in cases], items=len(kept)
    )
    return kept


def _occurs(phrase: str, text: str) -> bool:
    return re.search(re.escape(phrase), text, flags=re.IGNORECASE) is not None


def redact(text: str, phrases: list[str]) -> str:
    """The text with every occurrence of each phrase (any case) replaced by "[redacted]";
    longer phrases first, so a phrase inside another goes with it."""
    for phrase in sorted(phrases, key=len, reverse=True):
        text = re.sub(re.escape(phrase), REDACTED, text, flags=re.IGNORECASE)
    return text


def _disclosed(decision: str, text: str, phrases: list[str]) -> str:
    if decision == ItemDecision.EXEMPT:
        return ""
    return redact(text, phrases) if decision == ItemDecision.REDACT else text


@dataclass(frozen=True)
class ItemChoice:
    decision: str
    exemption: str = ""
    redact: list[str] = field(default_factory=list)
    reason: str = ""


def _choice_errors(item: SubjectAccessItem, choice: ItemChoice) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if choice.decision not in ItemDecision.values:
        errors["decision"] = ["Choose disclose, redact or exempt."]
        return errors
    if choice.decision == ItemDecision.EXEMPT and choice.exemption not in Exemption.values:
        errors["exemption"] = ["Choose the exemption that applies."]
    if choice.decision != ItemDecision.EXEMPT and choice.exemption:
        errors["exemption"] = ["Only a withheld record names an exemption."]
    phrases = [p.strip() for p in choice.redact]
    if choice.decision == ItemDecision.REDACT:
        if not phrases or any(not p for p in phrases):
            errors["redact"] = ["Give each phrase to redact (one per line)."]
        else:
            missing = [p for p in phrases if not _occurs(p, item.text)]
            if missing:
                errors["redact"] = [
                    f"Not in the record's text: {', '.join(repr(p) for p in missing)}."
                ]
    elif phrases:
        errors["redact"] = ["Phrases are redacted only with the decision to redact."]
    overriding = (
        item.default_decision == ItemDecision.EXEMPT and choice.decision != ItemDecision.EXEMPT
    )
    if overriding and not choice.reason.strip():
        errors["reason"] = ["Say why this record is disclosed despite its exemption."]
    return errors


@transaction.atomic
def subject_access_item_decide(
    *, actor, membership: Membership, item: SubjectAccessItem, choice: ItemChoice
) -> SubjectAccessItem:
    """The DPO's decision on one record: disclose it, disclose it with phrases redacted (each
    must be in its text), or withhold it under an exemption. Disclosing a record that starts
    exempt needs a reason."""
    check_dpo(membership)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=item.request_id)
    _check_open(request)
    item = SubjectAccessItem.objects.select_related("request").get(pk=item.pk)
    errors = _choice_errors(item, choice)
    if errors:
        raise DomainError("This decision does not fit the record.", fields=errors)
    phrases = [p.strip() for p in choice.redact]
    item.decision = choice.decision
    item.exemption = choice.exemption if choice.decision == ItemDecision.EXEMPT else ""
    item.redactions_json = json.dumps(phrases) if phrases else ""
    item.disclosed_text = _disclosed(item.decision, item.text, phrases)
    item.reason = choice.reason.strip()
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(
        update_fields=[
            "decision",
            "exemption",
            "redactions_json",
            "disclosed_text",
            "reason",
            "decided_by",
            "decided_at",
        ]
    )
    overrode = item.default_decision == ItemDecision.EXEMPT and item.is_disclosed
    events.subject_access_decided_event(item=item, actor=actor, overrode=overrode)
    return item


def subject_access_records_read_record(
    *, actor, request: SubjectAccessRequest, items: list[SubjectAccessItem]
) -> None:
    """The DPO was shown these found records: one event per case, on that case's trail."""
    if items:
        with transaction.atomic():
            events.subject_access_records_read_events(request=request, actor=actor, items=items)


@transaction.atomic
def subject_access_close(
    *, actor, membership: Membership, request: SubjectAccessRequest, reason: str
) -> SubjectAccessRequest:
    """Close the request without a disclosure (nothing held, the request withdrawn, manifestly
    unfounded), with the reason."""
    check_dpo(membership)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    _check_open(request)
    if not reason.strip():
        raise DomainError(
            "Say why the request is closed without disclosure.",
            fields={"reason": ["Say why nothing is disclosed."]},
        )
    request.status = SubjectAccessRequest.Status.CLOSED
    request.closed_reason = reason.strip()
    request.finished_at = timezone.now()
    request.save(update_fields=["status", "closed_reason", "finished_at"])
    events.subject_access_closed_event(request=request, actor=actor)
    return request


# --- The bundle -------------------------------------------------------------------------------


def privacy_storage():
    """The storage of the `privacy` alias (STORAGES): private, never served as media."""
    return storages["privacy"]


def _store(content: bytes, suffix: str) -> tuple[str, str]:
    """Save the bytes under a random name; (the name, their SHA-256)."""
    name = f"subject-access/{uuid.uuid4().hex}.{suffix}"
    stored = privacy_storage().save(name, ContentFile(content))
    return stored, hashlib.sha256(content).hexdigest()


def subject_access_disclose(
    *, actor, membership: Membership, request: SubjectAccessRequest
) -> SubjectAccessDisclosure:
    """Make and keep the bundle (JSON and PDF) of the records disclosed and redacted, record
    what was disclosed, and mark the request disclosed. The files are stored first; if the
    record cannot be written they are removed again."""
    check_dpo(membership)
    _check_open(request)
    if request.searched_at is None:
        raise Conflict("Search for the person's records before disclosing.")
    items = list(request.items.select_related("referral").order_by("referral_id", "id"))
    now = timezone.now()
    content = bundle.bundle_content(request=request, items=items, disclosed_at=now)
    files = [
        _store(bundle.bundle_json(content), "json"),
        _store(bundle.bundle_pdf(bundle.bundle_html(content)), "pdf"),
    ]
    try:
        with transaction.atomic():
            locked = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
            _check_open(locked)
            (json_name, json_sha), (pdf_name, pdf_sha) = files
            disclosure = SubjectAccessDisclosure.objects.create(
                request=locked,
                json_name=json_name,
                json_sha256=json_sha,
                pdf_name=pdf_name,
                pdf_sha256=pdf_sha,
                disclosed_by=actor,
                disclosed_at=now,
            )
            disclosed = [i for i in items if i.is_disclosed]
            disclosure.items.set(disclosed)
            locked.status = SubjectAccessRequest.Status.DISCLOSED
            locked.finished_at = now
            locked.save(update_fields=["status", "finished_at"])
            events.subject_access_disclosed_event(
                disclosure=disclosure,
                actor=actor,
                disclosed=len(disclosed),
                withheld=bundle.withheld_counts(items),
            )
    except BaseException:
        for name, _ in files:
            privacy_storage().delete(name)
        raise
    request.refresh_from_db()
    return disclosure


BUNDLE_FORMATS = ("json", "pdf")


@transaction.atomic
def subject_access_bundle_open(
    *, actor, membership: Membership, request: SubjectAccessRequest, file_format: str
) -> bytes:
    """The bundle's file in this format, once its bytes are checked against the SHA-256 taken
    when it was made (`Conflict` if they differ or are gone); each download is an event."""
    check_dpo(membership)
    disclosure = getattr(request, "disclosure", None)
    if disclosure is None or file_format not in BUNDLE_FORMATS:
        raise NotFound
    name = disclosure.json_name if file_format == "json" else disclosure.pdf_name
    expected = disclosure.json_sha256 if file_format == "json" else disclosure.pdf_sha256
    try:
        with privacy_storage().open(name, "rb") as handle:
            content = handle.read()
    except OSError:
        content = None
    if content is None or hashlib.sha256(content).hexdigest() != expected:
        raise Conflict(
            "The stored bundle no longer matches what was disclosed.", code="bundle_altered"
        )
    events.subject_access_bundle_downloaded_event(
        request=request, actor=actor, file_format=file_format, sha256=expected
    )
    return content
