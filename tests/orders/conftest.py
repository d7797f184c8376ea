import pytest

from tests.referral.factories import incident_body, payload


@pytest.fixture
def case(as_user):
    """case(*orders, username="police.caseworker", **overrides) -> a referral body with these
    orders ({"kind": ..., "starts": ...}, conditions filled in)."""

    def do(*orders, username="police.caseworker", **overrides):
        body = payload(
            orders=[{"conditions": "No contact with the victim.", "starts": "2025-01-01", **o}
                    for o in orders],
            **overrides,
        )
        response = as_user(username).post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return do


@pytest.fixture
def breach(as_user):
    """breach(case_body, order_id, username="police.caseworker", days_ago=1) -> the response."""

    def do(case_body, order_id, username="police.caseworker", days_ago=1):
        return as_user(username).post(
            f"/api/v1/referrals/{case_body['id']}/incidents/",
            incident_body(days_ago, ["texts"], breach_of_order=order_id),
            format="json",
        )

    return do
