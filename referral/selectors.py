"""Reads of cases, already scoped to what the caller's agency may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from agencies import policy
from agencies.models import Membership

from .models import Referral


def referral_list(*, membership: Membership | None) -> QuerySet[Referral]:
    """The referrals the member's agency is involved in, newest first."""
    return (
        Referral.objects.filter(policy.case_visibility(membership))
        .select_related("referrer_agency")
        .order_by("-created_at", "-id")
    )


def referral_get(*, membership: Membership | None, referral_id) -> Referral:
    """One referral, or 404 when it does not exist *or* the agency may not see it."""
    try:
        referral_id = int(referral_id)
    except (TypeError, ValueError):
        raise Http404 from None
    referral = referral_list(membership=membership).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral
