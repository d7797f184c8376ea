import pytest

from referral.models import Referral
from tests.referral.factories import answers, payload
from tests.workflows.conftest import work  # noqa: F401 (a task claimed and completed)


@pytest.fixture
def case(as_user):
    """case(**overrides) -> a police referral (its flow started), as a `Referral`."""

    def do(username="police.caseworker", **overrides):
        body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(2)},
                       **overrides)
        response = as_user(username).post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return Referral.objects.select_related("referrer_agency").get(pk=response.json()["id"])

    return do
