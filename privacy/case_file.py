"""The case page's Retention card: when the case falls due for a retention review, its review
(and the latest review of its evidence files), and its legal holds with the forms to place
and lift them. Page only, and only for a member who reads retention
(`agencies.policy.may_read_retention`)."""

from __future__ import annotations

from django.urls import reverse

from agencies import policy
from agencies.models import Membership
from referral.models import Referral

from .models import RecordKind, RetentionReview
from .selectors import retention as selectors


def page_context(*, referral: Referral, membership: Membership) -> dict:
    """{"retention": {...}} for a member who reads retention; {} for others."""
    if not policy.may_read_retention(membership):
        return {}
    may_act = policy.may_decide_retention(membership)
    review, evidence_review = (
        RetentionReview.objects.filter(referral_id=referral.pk, record_kind=kind)
        .order_by("-opened_at", "-pk")
        .first()
        for kind in (RecordKind.CASE, RecordKind.EVIDENCE_FILE)
    )
    holds = list(selectors.holds_of(referral=referral))
    return {
        "retention": {
            "due": selectors.case_retention(referral=referral),
            "review": review,
            "review_url": reverse("workspace:retention:review", kwargs={"review_id": review.pk})
            if review
            else None,
            "evidence_review": evidence_review,
            "evidence_review_url": reverse(
                "workspace:retention:review", kwargs={"review_id": evidence_review.pk}
            )
            if evidence_review
            else None,
            "holds": [
                {
                    "hold": hold,
                    "lift_url": reverse(
                        "workspace:retention:hold_lift", kwargs={"hold_id": hold.pk}
                    )
                    if may_act and hold.is_active
                    else None,
                }
                for hold in holds
            ],
            "new_hold_url": reverse(
                "workspace:retention:hold_new", kwargs={"referral_id": referral.pk}
            )
            if may_act and referral.erased_at is None
            else None,
        }
    }
