"""Each agency kind sees exactly its sections on the detail, list and timeline endpoints."""

import pytest

from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from tests.referral.factories import incident_body

pytestmark = pytest.mark.django_db

SECTION_KEYS = {
    "victim",
    "victim_contact",
    "suspect",
    "incidents",
    "orders",
    "research",
    "threat_assessment",
    "charging",
}

# Written out by hand: which sections each demo account finds in a referral's detail.
EXPECTED = {
    "police.caseworker": {
        "victim",
        "victim_contact",
        "suspect",
        "incidents",
        "orders",
        "research",
        "charging",
    },
    "cps.caseworker": {"victim", "suspect", "incidents", "orders", "research", "charging"},
    "probation.caseworker": {"victim", "suspect", "incidents", "orders", "research", "charging"},
    "advocacy.caseworker": {
        "victim",
        "victim_contact",
        "suspect",
        "incidents",
        "orders",
        "research",
        "charging",
    },
    "ftac.caseworker": {
        "victim",
        "suspect",
        "incidents",
        "orders",
        "research",
        "threat_assessment",
    },
    "hub.caseworker": {
        "victim",
        "victim_contact",
        "suspect",
        "incidents",
        "orders",
        "research",
        "charging",
    },
    "hub.chair": {
        "victim",
        "victim_contact",
        "suspect",
        "incidents",
        "orders",
        "research",
        "threat_assessment",
        "charging",
    },
    "hub.supervisor": {
        "victim",
        "victim_contact",
        "suspect",
        "incidents",
        "orders",
        "research",
        "threat_assessment",
        "charging",
    },
}


@pytest.fixture
def case(submit, demo):
    body = submit(
        incidents=[incident_body(3)],
        orders=[{"kind": "bail_conditions", "conditions": "No contact", "starts": "2025-01-01"}],
    )
    referral = Referral.objects.get(pk=body["id"])
    for membership in demo.values():
        involvement_grant(
            referral=referral,
            agency=membership.agency,
            basis=InvolvementBasis.TASK,
            source="visibility-test",
        )
    return body


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_detail_sections(case, as_user, username):
    body = as_user(username).get(f"/api/v1/referrals/{case['id']}/").json()
    assert SECTION_KEYS & set(body) == EXPECTED[username]


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_list_hides_names_the_agency_may_not_read(case, as_user, username):
    row = as_user(username).get("/api/v1/referrals/").json()["results"][0]
    assert ("victim_name" in row) is ("victim" in EXPECTED[username])
    assert ("suspect_name" in row) is ("suspect" in EXPECTED[username])


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_timeline_entries_follow_the_policy(case, as_user, username):
    entries = as_user(username).get(f"/api/v1/referrals/{case['id']}/timeline/").json()["entries"]
    kinds = {e["kind"] for e in entries}
    assert ("incident" in kinds) is ("incidents" in EXPECTED[username])
    assert ("order" in kinds) is ("orders" in EXPECTED[username])
    assert "referral" in kinds


def test_auditor_sees_no_case_content(case, as_user):
    client = as_user("oversight.auditor")
    assert client.get(f"/api/v1/referrals/{case['id']}/").status_code == 404
    assert client.get(f"/api/v1/referrals/{case['id']}/timeline/").status_code == 404
    assert client.get("/api/v1/referrals/").json()["results"] == []


def test_uninvolved_agency_gets_404_on_every_case_url(submit, as_user):
    body = submit()
    client = as_user("cps.caseworker")
    for suffix in ("", "timeline/"):
        assert client.get(f"/api/v1/referrals/{body['id']}/{suffix}").status_code == 404
