"""Reads of the evidence files, already cut to what the member may read: files of cases its
agency may see now, in sections it may read (`policy.can_read_evidence`). A file outside that
is `NotFound`, the same answer as a file that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from agencies import policy
from agencies.models import Membership
from audit.models import Event
from config.exceptions import NotFound
from referral import access
from referral.models import Incident, Referral

from .models import EvidenceFile

OBJECT_TYPE = EvidenceFile._meta.label_lower


def _readable(membership: Membership | None) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(
        referral_id__in=access.visible_case_ids(membership),
        section__in=policy.evidence_sections(membership),
    )


def evidence_of_case(*, membership: Membership | None, referral: Referral
                     ) -> list[EvidenceFile]:
    """The files of a case (the caller has checked its agency may see it) that the member may
    read, newest first, with who added them. One query."""
    return list(
        EvidenceFile.objects.filter(
            referral_id=referral.pk, section__in=policy.evidence_sections(membership)
        )
        .select_related("added_by", "agency", "incident")
        .order_by("-added_at", "-id")
    )


def evidence_id_of(value) -> int:
    """A file id from a URL, or `NotFound` (never a database error)."""
    try:
        evidence_id = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < evidence_id < 2**63:
        raise NotFound
    return evidence_id


def evidence_get(*, membership: Membership | None, evidence_id, referral_id: int | None = None
                 ) -> EvidenceFile:
    """One file the member may read (of this case, if `referral_id` is given), or `NotFound`."""
    files = _readable(membership).filter(pk=evidence_id_of(evidence_id))
    if referral_id is not None:
        files = files.filter(referral_id=referral_id)
    evidence = files.select_related("referral", "added_by", "agency", "incident").first()
    if evidence is None:
        raise NotFound("No such file.")
    return evidence


def custody_events(*, evidence: EvidenceFile) -> list[Event]:
    """The file's chain of custody, oldest first: each event of the trail about it (added,
    downloaded, integrity checks failed)."""
    return list(
        Event.objects.filter(  # through the trail's index of the case's events
            referral_id=evidence.referral_id, object_type=OBJECT_TYPE,
            object_id=str(evidence.pk),
        ).order_by("id")
    )


def incident_choices(*, membership: Membership | None, referral: Referral
                     ) -> list[tuple[int, str]]:
    """The case's incidents a file may be attached to, newest first, as (id, label); none when
    the member may not read the incidents. One query."""
    if not policy.can_read(membership, "incidents"):
        return []
    rows = (
        Incident.objects.filter(referral_id=referral.pk)
        .order_by("-occurred_at", "-id").values("pk", "occurred_at", "description")[:200]
    )
    return [
        (row["pk"], f"{date_format(timezone.localtime(row['occurred_at']), 'j M Y H:i')}: "
                    f"{Truncator(row['description']).chars(60)}")
        for row in rows
    ]
