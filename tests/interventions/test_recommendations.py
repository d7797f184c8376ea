"""A threat assessment's recommendations, shared with a basis, reach police, CPS and probation
(and the coordinator); the clinical formulation never does, and advocacy never reads them."""

import pytest

from audit.models import Event
from interventions.models import ThreatRecommendation

from .factories import THREAT

pytestmark = pytest.mark.django_db

READERS = ("police.caseworker", "cps.caseworker", "probation.caseworker", "hub.caseworker")


@pytest.fixture
def assessed(refer, work, hearing):
    """assessed(share) -> a high-risk case whose threat assessment is done, with police,
    probation, advocacy (research) and CPS (a hearing's question) still involved."""

    def do(share: dict):
        case = refer(yes=7)
        work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "high"})
        hearing(case, "bail")
        work("ftac.caseworker", "threat_assessment", case["id"], {**THREAT, **share})
        return case

    return do


def _detail(as_user, username, case):
    response = as_user(username).get(f"/api/v1/referrals/{case['id']}/")
    assert response.status_code == 200
    return response.json()


SHARED = {"share_recommendations": True,
          "sharing_basis": "Police and probation set bail and licence conditions."}


def test_shared_recommendations_are_read_by_police_cps_probation_never_the_formulation(
    assessed, as_user
):
    case = assessed(SHARED)
    shared = ThreatRecommendation.objects.get(referral_id=case["id"])
    assert shared.agency.slug == "ftac" and shared.task.task_type == "threat_assessment"
    event = Event.objects.get(referral_id=case["id"], verb="threat_recommendations.shared")
    assert event.reason == SHARED["sharing_basis"]
    assert THREAT["recommendations"] not in str(event.changes)
    for username in READERS:
        detail = _detail(as_user, username, case)
        assert [r["recommendations"] for r in detail["threat_recommendations"]] == [
            THREAT["recommendations"]
        ], username
        assert detail["threat_recommendations"][0]["sharing_basis"] == SHARED["sharing_basis"]
        assert "threat_assessment" not in detail, username
        assert THREAT["risk_formulation"] not in str(detail), username
    assert "threat_recommendations" not in _detail(as_user, "advocacy.caseworker", case)
    chair = _detail(as_user, "hub.chair", case)
    assert chair["threat_assessment"]["risk_formulation"] == THREAT["risk_formulation"]


def test_a_read_of_shared_recommendations_is_logged(assessed, as_user, demo):
    case = assessed(SHARED)
    _detail(as_user, "probation.caseworker", case)
    reads = Event.objects.filter(
        referral_id=case["id"], verb="section.read", actor=demo["probation.caseworker"].user
    ).values_list("changes__section", flat=True)
    assert "threat_recommendations" in set(reads)


def test_unshared_recommendations_stay_with_the_unit(assessed, as_user):
    case = assessed({"share_recommendations": False})
    assert not ThreatRecommendation.objects.filter(referral_id=case["id"]).exists()
    for username in READERS:
        assert _detail(as_user, username, case)["threat_recommendations"] == []


def test_old_clients_threat_assessment_shares_nothing(assessed, as_user):
    case = assessed({})
    assert _detail(as_user, "police.caseworker", case)["threat_recommendations"] == []


def test_sharing_needs_its_basis(refer, work, as_user):
    case = refer(yes=7)
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "high"})
    client = as_user("ftac.caseworker")
    task = work.task_of(client, "threat_assessment", case["id"])
    client.post(f"/api/v1/tasks/{task['id']}/claim/")
    refused = client.post(f"/api/v1/tasks/{task['id']}/complete/",
                          {**THREAT, "share_recommendations": True}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"sharing_basis"}


def test_the_case_page_shows_them_to_police_not_to_advocacy(assessed, signed_in):
    case = assessed(SHARED)
    page = signed_in("police.caseworker").get(f"/workspace/referrals/{case['id']}/")
    html = page.content.decode()
    assert 'data-testid="section-threat-recommendations"' in html
    assert THREAT["recommendations"] in html and THREAT["risk_formulation"] not in html
    page = signed_in("advocacy.caseworker").get(f"/workspace/referrals/{case['id']}/")
    assert 'data-testid="section-threat-recommendations"' not in page.content.decode()
