"""The case page's Evidence card: the case's files the member may read, and whether it may add
one. Page only: the case file's PDF holds no evidence file."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from agencies.selectors import person_name
from referral.models import Referral

from . import selectors
from .models import EvidenceFile
from .uploads import size_label


def file_url(evidence: EvidenceFile) -> str:
    return reverse("workspace:referrals:evidence_file",
                   kwargs={"referral_id": evidence.referral_id, "evidence_id": evidence.pk})


def file_row(evidence: EvidenceFile) -> dict:
    """A file as the pages show it: names and labels, not codes."""
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "url": file_url(evidence),
        "download_url": reverse(
            "workspace:referrals:evidence_download",
            kwargs={"referral_id": evidence.referral_id, "evidence_id": evidence.pk},
        ),
        "description": evidence.description,
        "section": evidence.section,
        "section_title": policy.SECTION_TITLES.get(evidence.section, evidence.section),
        "content_type": evidence.content_type,
        "size_label": size_label(evidence.size),
        "sha256": evidence.sha256,
        "added_at": timezone.localtime(evidence.added_at),
        "added_by": person_name(evidence.added_by),
        "agency_name": evidence.agency.name,
        "incident": evidence.incident_id,
        "scan_label": evidence.get_scan_result_display(),
        "altered": evidence.altered,
        "altered_at": timezone.localtime(evidence.altered_at) if evidence.altered_at else None,
        "erased_at": timezone.localtime(evidence.erased_at) if evidence.erased_at else None,
    }


def page_context(*, referral: Referral, membership: Membership) -> dict:
    """{"evidence": {"files", "may_add", "new_url"}} for a member who may read some section's
    files (one query); {} for one who may read none."""
    if not policy.evidence_sections(membership):
        return {}
    files = selectors.evidence_of_case(membership=membership, referral=referral)
    return {
        "evidence": {
            "files": [file_row(f) for f in files],
            "sections": sorted({f.section for f in files}),
            "may_add": any(policy.can_add_evidence(membership, s) for s in policy.SECTIONS),
            "new_url": reverse("workspace:referrals:evidence_new",
                               kwargs={"referral_id": referral.pk}),
        }
    }
