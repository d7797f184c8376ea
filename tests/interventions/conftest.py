"""Cases driven through the API, with the workflow tests' helpers (`refer`, `work`)."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.referral.conftest import submit  # noqa: F401 (a fixture)
from tests.workflows.conftest import refer, work  # noqa: F401 (fixtures)
from workflows import calendar


@pytest.fixture
def signed_in(demo):
    """signed_in(username) -> a browser client signed in as that demo account."""

    def make(username):
        client = Client()
        client.force_login(demo[username].user)
        return client

    return make


@pytest.fixture
def hearing(as_user):
    """hearing(case, kind, days=10) -> the hearing recorded by police, `days` working days on."""

    def do(case, kind="bail", days=10, on=None):
        on = on or calendar.add_working_days(timezone.localdate(), days)
        response = as_user("police.caseworker").post(
            f"/api/v1/referrals/{case['id']}/hearings/",
            {"kind": kind, "date": on.isoformat()},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    return do
