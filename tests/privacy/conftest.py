import pytest

from agencies.models import Membership
from privacy.models import RetentionSchedule
from referral.models import Referral
from tests.referral.factories import payload


@pytest.fixture
def schedules(db):
    """{outcome: years} of the seeded example schedules."""
    return dict(
        RetentionSchedule.objects.filter(record_kind="case").values_list("outcome", "years")
    )


@pytest.fixture(autouse=True)
def _bundles_apart(privacy_storage):
    """Every test here keeps its bundles in a directory of its own (`privacy_storage`)."""
    return privacy_storage


@pytest.fixture
def case(as_user):
    """case(username="police.caseworker", **overrides) -> a referral made through the API."""

    def do(username="police.caseworker", **overrides):
        response = as_user(username).post("/api/v1/referrals/", payload(**overrides), format="json")
        assert response.status_code == 201, response.content
        return Referral.objects.select_related("referrer_agency").get(pk=response.json()["id"])

    return do


@pytest.fixture
def dpo(demo):
    """The demo DPO's membership (hub.dpo), read afresh."""
    return Membership.objects.select_related("agency", "user").get(user__username="hub.dpo")
