"""The retention API driven for the OpenAPI contract test (`tests/test_openapi_responses.py`):
every read, and a hold, its lifting and a decision, answered as the document declares."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from privacy.models import RetentionReview
from privacy.services import retention_sweep
from tests.privacy.factories import bare_case, years_on
from tests.seed import seeded_demo

API = "/api/v1"


def drive(call, member, rid) -> None:
    """The schedules read; a closed case past its schedule swept and its review read and
    deferred; a legal hold placed on case `rid`, listed and lifted."""
    police, supervisor = member["police.caseworker"], member["police.supervisor"]
    schedules = call(police, "get", f"{API}/retention/schedules/", 200)
    call(
        police,
        "get",
        f"{API}/retention/schedules/{{schedule_id}}/",
        200,
        schedule_id=schedules["results"][0]["id"],
    )

    closed = bare_case(seeded_demo())
    retention_sweep(today=years_on(12))
    review = RetentionReview.objects.get(referral=closed)
    assert call(supervisor, "get", f"{API}/retention/reviews/", 200)["results"]
    call(supervisor, "get", f"{API}/retention/reviews/{{review_id}}/", 200, review_id=review.pk)
    call(
        supervisor,
        "post",
        f"{API}/retention/reviews/{{review_id}}/decision/",
        200,
        {
            "decision": "defer",
            "reason": "Appeal pending.",
            "deferred_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        review_id=review.pk,
    )

    holds = f"{API}/referrals/{{referral_id}}/legal-holds/"
    hold = call(supervisor, "post", holds, 201, {"reason": "Civil claim issued."}, referral_id=rid)
    call(supervisor, "get", holds, 200, referral_id=rid)
    call(
        supervisor,
        "post",
        f"{API}/legal-holds/{{hold_id}}/lift/",
        200,
        {"reason": "Claim settled."},
        hold_id=hold["id"],
    )
