import pytest

from referral.access import involvement_grant
from referral.models import Incident, InvolvementBasis, Referral
from tests.referral.factories import incident_body, payload


@pytest.fixture(autouse=True)
def _storage(evidence_storage):
    """Every test here stores its files in a directory of its own."""
    return evidence_storage


@pytest.fixture
def case(as_user, demo):
    """A police referral with one incident, that CPS and the hub are involved in too (CPS
    reads incidents but not the victim's contact details; probation is not involved)."""
    body = payload(incidents=[incident_body(2)])
    response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    for username in ("cps.caseworker", "hub.caseworker"):
        involvement_grant(referral=referral, agency=demo[username].agency,
                          basis=InvolvementBasis.TASK, source="test")
    referral.incident_id = Incident.objects.filter(referral=referral).values_list(
        "pk", flat=True).get()
    return referral
