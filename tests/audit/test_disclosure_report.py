"""The access report's disclosures: each with its basis; outside an agreement, awaiting a
supervisor's reason or given one."""

import pytest

from agencies.models import AgencyKind
from audit.models import Event
from referral.access import involvement_grant
from referral.disclosures import disclosure_authorise
from referral.models import Involvement, InvolvementBasis
from tests.agencies.factories import AgencyFactory
from tests.referral.factories import ReferralFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/access/?report=disclosures"
REASON = "Probation supervises the suspect and must manage the risk to her."


@pytest.fixture
def case(demo):
    """A police case disclosed to probation (under the demo agreement) and to a probation
    service no agreement names."""
    police = demo["police.caseworker"]
    referral = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
    uncovered = AgencyFactory(
        kind=AgencyKind.PROBATION, slug="probation-east", name="East Probation"
    )
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    for agency in (demo["probation.caseworker"].agency, uncovered):
        involvement_grant(
            referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="process:1"
        )
    return referral, Involvement.objects.get(referral=referral, agency=uncovered)


def _agencies(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["changes"]["agency"] for e in response.json()["results"]]


def test_the_report_lists_disclosures_and_filters_those_outside(case, demo, as_user):
    referral, outside = case
    auditor = as_user("oversight.auditor")
    scoped = f"{URL}&referral={referral.pk}"
    assert _agencies(auditor.get(scoped)) == ["probation", "probation-east"]
    assert _agencies(auditor.get(f"{scoped}&outside=outside")) == ["probation-east"]
    assert _agencies(auditor.get(f"{scoped}&outside=awaiting")) == ["probation-east"]
    assert _agencies(auditor.get(f"{scoped}&outside=authorised")) == []
    disclosure_authorise(involvement=outside, actor=demo["police.supervisor"].user, reason=REASON)
    assert _agencies(auditor.get(f"{scoped}&outside=awaiting")) == []
    assert _agencies(auditor.get(f"{scoped}&outside=authorised")) == ["probation-east"]
    assert auditor.get(f"{URL}&outside=maybe").status_code == 400


def test_the_report_page_shows_the_awaiting(case, client, demo):
    referral, _ = case
    client.force_login(demo["oversight.auditor"].user)
    page = client.get(
        "/workspace/audit/access/",
        {"report": "disclosures", "case": referral.reference, "outside": "awaiting"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="disclosure-table"' in html
    assert html.count('data-testid="disclosure-row"') == 1
    assert 'data-agency="probation-east"' in html and 'data-awaiting="true"' in html
    assert Event.objects.filter(verb="access.granted", referral_id=referral.pk).count() == 3
