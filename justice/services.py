"""Every change to a case's offences and what the justice system did with them: typed, atomic,
each with its event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from agencies import policy
from agencies.models import Membership
from config.exceptions import DomainError, NotAllowed
from referral.models import Incident, ProtectiveOrder, Referral

from . import events
from .models import Offence, OffenceKind


@dataclass(frozen=True)
class OffenceDraft:
    kind: str
    label: str = ""
    crime_reference: str = ""
    domestic_abuse: bool | None = None
    committed_from: date | None = None
    committed_to: date | None = None
    breach_of_order: ProtectiveOrder | None = None
    incident: Incident | None = None


def _check_offence(referral: Referral, draft: OffenceDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.kind not in OffenceKind.values:
        errors["kind"] = ["Choose an offence from the list."]
    if draft.kind == OffenceKind.OTHER and not draft.label.strip():
        errors["label"] = ["Name the offence."]
    if draft.committed_from and draft.committed_to and draft.committed_to < draft.committed_from:
        errors["committed_to"] = ["The end of the period is before its start."]
    if draft.incident is not None and draft.incident.referral.timeline_id != referral.timeline_id:
        errors["incident"] = ["No such incident on this case."]
    if errors:
        raise DomainError("The offence could not be recorded.", fields=errors)


@transaction.atomic
def offence_record(
    *, referral: Referral, actor, membership: Membership, draft: OffenceDraft
) -> Offence:
    """Record an offence on the case: the members who write the offences section."""
    if not policy.can_write(membership, "offences"):
        raise NotAllowed("Your agency may not record offences on a case.")
    return offence_create(referral=referral, actor=actor, membership=membership, draft=draft)


@transaction.atomic
def offence_create(
    *, referral: Referral, actor, membership: Membership, draft: OffenceDraft
) -> Offence:
    """The offence, checked and recorded, for a service that has decided the member may cause
    it (a breach logged by whoever may record a breach is an offence whoever logged it)."""
    _check_offence(referral, draft)
    offence = Offence.objects.create(
        referral=referral,
        kind=draft.kind,
        label=draft.label.strip(),
        crime_reference=draft.crime_reference.strip(),
        domestic_abuse=draft.domestic_abuse,
        committed_from=draft.committed_from,
        committed_to=draft.committed_to,
        breach_of_order=draft.breach_of_order,
        incident=draft.incident,
        agency=membership.agency,
        recorded_by=actor,
    )
    events.offence_recorded_event(offence=offence, actor=actor)
    return offence
