"""Typed constructors for the trail, called inside the transaction of the change they describe."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.request_context import current_request_id

from .models import Event

MASK = "***"


def _record(
    *,
    verb: str,
    actor=None,
    agency=None,
    obj=None,
    referral_id: int | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    recipients: list[str] | None = None,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"audit event {verb!r} written outside a transaction")
    if agency is None and actor is not None:
        membership = getattr(actor, "membership", None)
        agency = membership.agency if membership is not None else None
    return Event.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        agency=agency,
        agency_slug=agency.slug if agency is not None else "",
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        referral_id=referral_id,
        reason=reason,
        changes=changes or {},
        recipients=recipients or [],
        request_id=current_request_id(),
    )


def involvement_granted_event(*, referral, agency, basis: str, source: str, actor=None) -> Event:
    return _record(
        verb="access.granted",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        changes={"agency": agency.slug, "basis": basis, "source": source},
        recipients=[agency.slug],
    )


def involvement_revoked_event(*, referral, agency, basis: str, source: str, actor=None) -> Event:
    return _record(
        verb="access.revoked",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        changes={"agency": agency.slug, "basis": basis, "source": source},
    )


def member_created_event(*, membership, actor=None) -> Event:
    return _record(
        verb="member.created",
        actor=actor,
        agency=membership.agency,
        obj=membership,
        changes={"username": membership.user.get_username(), "roles": membership.roles},
    )
