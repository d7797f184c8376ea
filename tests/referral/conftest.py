import pytest

from tests.referral.factories import payload


@pytest.fixture
def submit(as_user):
    """submit(username="police.caseworker", **overrides) -> the 201 response body."""

    def do(username="police.caseworker", **overrides):
        response = as_user(username).post("/api/v1/referrals/", payload(**overrides), format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return do
