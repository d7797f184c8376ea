"""The reasons given for a legal hold and for a disclosure outside an agreement, on a case's
timeline and the agency's part of the trail: shown to who reads retention or the case's
sharing (`agencies.policy`), never to the agency's caseworkers (found by the leak hunt)."""

import pytest

from agencies.models import AgencyKind
from referral.access import involvement_grant
from referral.models import InvolvementBasis
from tests.agencies.factories import AgencyFactory
from tests.referral.factories import ReferralFactory

pytestmark = pytest.mark.django_db

HOLD = "HOLD-REASON-MARKER civil claim issued"
LIFT = "LIFT-REASON-MARKER claim settled"
SHARED = "SHARED-REASON-MARKER the victim moved to their area"


@pytest.fixture
def case(demo):
    police = demo["police.caseworker"]
    referral = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    return referral


def _bodies(client, referral) -> str:
    urls = (f"/api/v1/referrals/{referral.pk}/timeline/",
            f"/api/v1/audit/events/?referral={referral.pk}&page_size=500",
            "/api/v1/audit/events/?page_size=500")
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200, 200, 200]
    return "\n".join(r.content.decode() for r in responses)


def test_a_legal_holds_reasons_are_read_only_by_who_reads_retention(case, as_user):
    supervisor = as_user("police.supervisor")
    hold = supervisor.post(f"/api/v1/referrals/{case.pk}/legal-holds/", {"reason": HOLD},
                           format="json").json()
    assert supervisor.post(f"/api/v1/legal-holds/{hold['id']}/lift/", {"reason": LIFT},
                           format="json").status_code == 200
    shown = _bodies(supervisor, case)
    assert HOLD in shown and LIFT in shown
    hidden = _bodies(as_user("police.caseworker"), case)
    assert HOLD not in hidden and LIFT not in hidden
    # The caseworker still reads the rest of the case's trail.
    assert "referral.submitted" in hidden or case.reference in hidden


def test_a_disclosures_reason_is_read_only_by_who_reads_the_cases_sharing(case, as_user):
    AgencyFactory(kind=AgencyKind.ADVOCACY, slug="advocacy-east", name="East Advocacy")
    supervisor = as_user("police.supervisor")
    shared = supervisor.post(f"/api/v1/referrals/{case.pk}/disclosures/",
                             {"agency": "advocacy-east", "reason": SHARED}, format="json")
    assert shared.status_code == 201, shared.content
    assert SHARED in _bodies(supervisor, case)
    assert SHARED in as_user("oversight.auditor").get(
        "/api/v1/audit/events/?page_size=500").content.decode()
    assert SHARED not in _bodies(as_user("police.caseworker"), case)
