"""The justice API's answers fit the OpenAPI document (the same checks as
tests/test_openapi_responses.py, which calls `contract.drive` on its own case)."""

import pytest

from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from tests.justice import contract
from tests.test_openapi_responses import Contract

pytestmark = pytest.mark.django_db


def test_the_justice_answers_fit_the_document(document, demo, as_user, submit):
    checks = Contract(document)
    rid = submit()["id"]
    referral = Referral.objects.get(pk=rid)
    for name in ("cps.caseworker", "ftac.caseworker", "probation.caseworker"):
        involvement_grant(referral=referral, agency=demo[name].agency,
                          basis=InvolvementBasis.TASK, source="test")
    contract.drive(checks.call, {name: as_user(name) for name in demo}, rid)
    assert ("get", "/api/v1/referrals/{referral_id}/offences/") in checks.checked
    assert ("get", "/api/v1/referrals/{referral_id}/court/") in checks.checked



def test_court_is_404_for_an_agency_not_involved(as_user, submit):
    rid = submit()["id"]
    assert as_user("probation.caseworker").get(f"/api/v1/referrals/{rid}/court/").status_code == 404
    assert as_user("police.caseworker").get(f"/api/v1/referrals/{rid}/court/").json() == {
        "hearings": [], "sentences": [],
    }
