"""The evidence files' chain of custody on the trail: who added or downloaded a file, each
failed integrity check, and each upload the malware scan refused. Each event names the file's
section (`changes["section"]`), which decides who may be shown it
(`policy.SECTION_NAMED_EVENTS`); the file's name and description are case content, masked."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event
from referral.models import Referral

from .models import EvidenceFile


def _file(evidence: EvidenceFile) -> dict:
    return {
        "file": evidence.pk,
        "section": evidence.section,
        "incident": evidence.incident_id,
        "sha256": evidence.sha256,
    }


def evidence_added_event(*, evidence: EvidenceFile, actor) -> Event:
    """`evidence.added`: what was stored (its type, size, hash and scan), not its name."""
    return record(
        verb="evidence.added",
        actor=actor,
        obj=evidence,
        referral_id=evidence.referral_id,
        changes={
            **_file(evidence),
            "content_type": evidence.content_type,
            "size": evidence.size,
            "scan": evidence.scan_result,
            "name": MASK,
            "description": MASK if evidence.description else "",
        },
    )


def evidence_viewed_event(*, evidence: EvidenceFile, actor) -> Event:
    """`evidence.viewed`: a download, of bytes whose hash matched the one taken on upload."""
    return record(
        verb="evidence.viewed", actor=actor, obj=evidence, referral_id=evidence.referral_id,
        changes=_file(evidence),
    )


def evidence_integrity_failed_event(*, evidence: EvidenceFile, actor, found: str | None
                                    ) -> Event:
    """`evidence.integrity_failed`: the stored bytes hash to `found` (None: they are gone),
    not to the hash taken on upload; the download was refused."""
    return record(
        verb="evidence.integrity_failed", actor=actor, obj=evidence,
        referral_id=evidence.referral_id,
        changes={**_file(evidence), "found": found},
        reason="The stored file is missing." if found is None else
        "The stored file's SHA-256 differs from the one taken on upload.",
    )


def evidence_rejected_event(*, referral: Referral, actor, section: str, content_type: str,
                            size: int, sha256: str, signature: str) -> Event:
    """`evidence.rejected`: an upload the malware scanner found infected (nothing stored)."""
    return record(
        verb="evidence.rejected",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        changes={
            "section": section,
            "content_type": content_type,
            "size": size,
            "sha256": sha256,
            "signature": signature,
        },
        reason=f"The malware scanner found {signature}.",
    )
