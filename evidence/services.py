"""Every change to the evidence files: adding one (checked, scanned, stored, recorded), opening
one for download (its bytes checked against the hash taken on upload), and erasing a case's."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from dataclasses import dataclass
from typing import IO

from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from config.exceptions import Conflict, DomainError, NotAllowed
from referral.models import Incident, Referral

from . import events, scanning, uploads
from .models import EvidenceFile

logger = logging.getLogger(__name__)


class StorageUnavailable(DomainError):
    """The file store could not be written or read: nothing was stored, or nothing served."""

    status = 503
    code = "storage_unavailable"


class EvidenceErased(DomainError):
    """The file was erased with the case's personal data: there is nothing to download."""

    status = 410
    code = "evidence_erased"


ERASED_NAME = "erased"


def evidence_storage():
    """The storage of the `evidence` alias (STORAGES), looked up at each use."""
    return storages["evidence"]


@dataclass(frozen=True)
class EvidenceDraft:
    section: str = "incidents"
    incident: int | None = None
    description: str = ""


def _stored_name() -> str:
    """A random name, never the user's: two hex characters of folder, then a UUID."""
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name}"


def _check_incident(membership: Membership, referral: Referral, incident_id: int | None) -> None:
    """The incident, if named, is one of this case's and one the member may read (the same
    answer when it is not, whether or not it exists elsewhere)."""
    if incident_id is None:
        return
    found = policy.can_read(membership, "incidents") and Incident.objects.filter(
        pk=incident_id, referral_id=referral.pk
    ).exists()
    if not found:
        message = "No such incident on this case."
        raise DomainError(message, fields={"incident": [message]})


def _reject_infected(*, referral: Referral, actor, draft: EvidenceDraft,
                     checked: uploads.CheckedUpload, signature: str) -> DomainError:
    """An infected upload: `evidence.rejected` on the trail (committed, though the request
    fails), nothing stored; the error to raise."""
    with transaction.atomic():
        events.evidence_rejected_event(
            referral=referral, actor=actor, section=draft.section,
            content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
            signature=signature,
        )
    message = f"The malware scanner found {signature} in this file; it was not stored."
    return DomainError(message, fields={"file": [message]}, code="infected")


def evidence_add(*, referral: Referral, actor, membership: Membership,
                 upload: UploadedFile | None, draft: EvidenceDraft) -> EvidenceFile:
    """Add a file to a case the member's agency may see, checking it first: the member may
    write the section (`NotAllowed`), the incident is the case's, the bytes are of an allowed
    type that the name and declared type agree with, within the size limit
    (`uploads.check_upload`), and the malware scanner, if configured, finds nothing (an
    infected file is refused and its rejection recorded; an unreachable scanner refuses it).

    The file is stored under a random name first, then its row and `evidence.added` written in
    one transaction; if that fails the stored file is deleted. Never a row without its file, nor
    a file without its row."""
    if not policy.can_add_evidence(membership, draft.section):
        title = policy.SECTION_TITLES.get(draft.section, draft.section).lower()
        message = f"Your agency or role may not add files to {title}."
        raise NotAllowed(message, fields={"section": [message]})
    _check_incident(membership, referral, draft.incident)
    checked = uploads.check_upload(upload)
    result = scanning.scan(checked.file)
    if result.infected:
        raise _reject_infected(referral=referral, actor=actor, draft=draft, checked=checked,
                               signature=result.signature)
    storage = evidence_storage()
    checked.file.seek(0)
    try:
        stored_name = storage.save(_stored_name(), checked.file)
    except Exception as exc:
        logger.exception("Evidence file could not be stored")
        raise StorageUnavailable(
            "The file could not be stored; nothing was saved. Try again later."
        ) from exc
    try:
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                referral=referral,
                incident_id=draft.incident,
                section=draft.section,
                description=draft.description,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                stored_name=stored_name,
                added_by=actor,
                agency=membership.agency,
                added_at=timezone.now(),
                scan_result=(
                    EvidenceFile.Scan.CLEAN if result.scanned else EvidenceFile.Scan.NOT_SCANNED
                ),
            )
            events.evidence_added_event(evidence=evidence, actor=actor)
    except BaseException:
        storage.delete(stored_name)
        raise
    return evidence


def _copy_hashed(stored_name: str) -> tuple[IO[bytes] | None, str | None]:
    """The stored bytes copied to a temporary file while hashed: (the copy at its start, its
    SHA-256), or (None, None) when the stored file is gone. What is served is the copy, so the
    bytes sent are the bytes checked."""
    digest = hashlib.sha256()
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    try:
        with evidence_storage().open(stored_name, "rb") as stored:
            for chunk in iter(lambda: stored.read(uploads.CHUNK), b""):
                digest.update(chunk)
                copy.write(chunk)
    except FileNotFoundError:
        copy.close()
        return None, None
    except Exception as exc:
        copy.close()
        logger.exception("Evidence file could not be read")
        raise StorageUnavailable("The file store could not be read. Try again later.") from exc
    copy.seek(0)
    return copy, digest.hexdigest()


def evidence_open(*, evidence: EvidenceFile, actor) -> IO[bytes]:
    """The file's bytes for a download, after checking them against the SHA-256 taken on
    upload (the caller has checked the member may read the file: `selectors.evidence_get`).

    A match writes `evidence.viewed` and returns a copy of the bytes to send. A mismatch, or a
    stored file that is gone, marks the file altered (the first time), writes
    `evidence.integrity_failed` (committed), and refuses: `Conflict` with code
    `evidence_altered`. An erased file is refused first: `EvidenceErased` (410)."""
    if evidence.erased:
        when = timezone.localtime(evidence.erased_at).strftime("%d %b %Y")
        raise EvidenceErased(
            f"This file was erased on {when} with the case's personal data; it cannot be "
            "downloaded."
        )
    copy, found = _copy_hashed(evidence.stored_name)
    if copy is not None and found == evidence.sha256:
        with transaction.atomic():
            events.evidence_viewed_event(evidence=evidence, actor=actor)
        return copy
    if copy is not None:
        copy.close()
    with transaction.atomic():
        now = timezone.now()
        if EvidenceFile.objects.filter(pk=evidence.pk, altered_at__isnull=True).update(
            altered_at=now
        ):
            evidence.altered_at = now
        events.evidence_integrity_failed_event(evidence=evidence, actor=actor, found=found)
    raise Conflict(
        "This file is not as it was uploaded: its SHA-256 no longer matches the one taken on "
        "upload" + (" (the stored file is missing)" if found is None else "")
        + ". The download was refused and the failure recorded.",
        code="evidence_altered",
    )


def case_evidence_erase(*, referral_id: int) -> int:
    """Erase the case's files (in the caller's transaction): each row marked erased, its name
    and description emptied, and once that commits its stored bytes deleted through the
    storage API. The rows stay (PROTECT): the chain of custody and the counts name them.
    How many files were erased."""
    files = list(
        EvidenceFile.objects.select_for_update()
        .filter(referral_id=referral_id, erased_at__isnull=True)
        .values_list("pk", "stored_name")
    )
    if not files:
        return 0
    EvidenceFile.objects.filter(pk__in=[pk for pk, _ in files]).update(
        erased_at=timezone.now(), original_name=ERASED_NAME, description=""
    )
    names = [name for _, name in files]
    transaction.on_commit(lambda: _stored_files_delete(names))
    return len(files)


def _stored_files_delete(names: list[str]) -> None:
    """Delete erased files' bytes; one that cannot be deleted is logged by its stored name
    (random, never the user's) and the rest still go."""
    storage = evidence_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - logged for an operator; the others still go
            logger.exception("An erased evidence file could not be deleted: %s", name)
