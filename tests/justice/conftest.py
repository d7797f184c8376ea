import pytest
from django.utils import timezone

from referral.access import involvement_grant
from referral.models import CourtHearing, InvolvementBasis, Referral
from tests.referral.factories import payload


@pytest.fixture
def submit(as_user):
    """submit(username="police.caseworker", **overrides) -> the 201 response body."""

    def do(username="police.caseworker", **overrides):
        response = as_user(username).post("/api/v1/referrals/", payload(**overrides), format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return do


@pytest.fixture
def case(submit, demo):
    """A police referral that CPS, probation, advocacy and the psychiatric unit are involved in
    (the coordinator is, by triage); {"id", "referral"}."""

    def make(**overrides):
        body = submit(**overrides)
        referral = Referral.objects.get(pk=body["id"])
        for username in ("cps.caseworker", "probation.caseworker", "advocacy.caseworker",
                         "ftac.caseworker", "hub.caseworker"):
            involvement_grant(
                referral=referral, agency=demo[username].agency, basis=InvolvementBasis.TASK,
                source="test",
            )
        return referral

    return make


@pytest.fixture
def held_hearing(demo):
    """held_hearing(referral, kind="charge") -> a hearing already held (today)."""
    def make(referral, kind=CourtHearing.Kind.CHARGE):
        return CourtHearing.objects.create(
            referral=referral, kind=kind, date=timezone.localdate(), court="Leeds Magistrates",
            recorded_by=demo["police.caseworker"].user,
        )

    return make
