import re

import pytest

from audit.models import Event
from referral.models import Referral
from tests.referral.factories import answers, incident_body, payload

pytestmark = pytest.mark.django_db


def test_refer_a_case(submit):
    body = submit()
    assert re.fullmatch(r"STK-\d{4}-\d{6}", body["reference"])
    assert body["status"] == "triage"  # the flow has put it in the coordinator's queue
    assert body["risk_level"] == "standard" and body["risk_source"] == "screening"
    assert body["victim"]["name"] == "Alice Example"
    assert body["victim_contact"]["safe_contact_method"].startswith("Text first")
    assert body["screening"] == {
        "instrument": "stalking-screen-v1",
        "answers": answers(2),
        "score": 2,
        "not_known": 0,
        "risk_level": "standard",
        "thresholds": {"version": 1, "region": "", "medium": 3, "high": 6},
    }
    assert body["linked_referrals"] == [] and body["warnings"] == []
    assert Event.objects.filter(verb="referral.submitted", referral_id=body["id"]).count() == 1


def test_references_are_sequential(submit):
    first, second = (
        submit(),
        submit(
            victim={"name": "Carol Other", "date_of_birth": "1980-01-01"},
            suspect={"name": "Dan Other", "date_of_birth": "1970-01-01"},
        ),
    )
    n1, n2 = int(first["reference"][-6:]), int(second["reference"][-6:])
    assert n2 == n1 + 1


@pytest.mark.parametrize(
    "yes,level",
    [(0, "standard"), (2, "standard"), (3, "medium"), (5, "medium"), (6, "high"), (11, "high")],
)
def test_screening_sets_the_risk(submit, yes, level):
    body = submit(screening={"instrument": "stalking-screen-v1", "answers": answers(yes)})
    assert (body["screening"]["score"], body["risk_level"]) == (yes, level)


def test_judgement_can_raise_the_risk_without_a_reason(submit):
    body = submit(risk_level="high")
    assert body["risk_level"] == "high" and body["risk_source"] == "judgement"


def test_lowering_below_the_screen_needs_a_reason(as_user, submit):
    high = {"instrument": "stalking-screen-v1", "answers": answers(7)}
    response = as_user("police.caseworker").post(
        "/api/v1/referrals/", payload(screening=high, risk_level="standard"), format="json"
    )
    assert response.status_code == 400
    assert "risk_reason" in response.json()["error"]["fields"]
    body = submit(screening=high, risk_level="medium", risk_reason="Suspect now abroad, verified.")
    # Only proposed: the case keeps the screening's level until a supervisor approves.
    assert body["risk_level"] == "high" and body["risk_source"] == "screening"
    assert any("until a supervisor" in w for w in body["warnings"])
    event = Event.objects.get(verb="risk.downgrade_proposed", referral_id=body["id"])
    assert event.reason == "Suspect now abroad, verified."
    assert event.changes["risk_level"] == {"current": "high", "proposed": "medium"}
    assert not Event.objects.filter(verb="risk.overridden", referral_id=body["id"]).exists()


def test_not_stalking_needs_a_reason(as_user, submit):
    response = as_user("police.caseworker").post(
        "/api/v1/referrals/", payload(classification="harassment"), format="json"
    )
    assert response.json()["error"]["fields"] == {
        "not_stalking_reason": ["Say why this is not stalking."]
    }
    body = submit(
        classification="harassment",
        not_stalking_reason="One-off dispute between neighbours; no fixation.",
    )
    assert body["classification"] == "harassment"


def test_agency_without_contact_rights_may_not_record_contact_details(as_user):
    response = as_user("probation.caseworker").post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 403
    assert "victim_contact" in response.json()["error"]["fields"]
    assert Referral.objects.count() == 0


def test_probation_can_refer_without_contact_details(submit):
    body = submit("probation.caseworker", victim_contact=None)
    assert "victim_contact" not in body
    assert body["referrer_agency"] == "probation"


def test_auditor_may_not_refer(as_user):
    response = as_user("oversight.auditor").post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 403


def test_incidents_and_orders_at_intake(submit):
    body = submit(
        incidents=[incident_body(10), incident_body(5, ["following"])],
        orders=[
            {
                "kind": "non_molestation_order",
                "conditions": "No contact",
                "starts": "2025-10-01",
                "expires": "2027-10-01",
            }
        ],
    )
    assert [i["behaviours"] for i in body["incidents"]] == [["phone_calls"], ["following"]]
    assert body["orders"][0]["kind"] == "non_molestation_order"


def test_log_an_incident_and_a_breach(as_user, submit):
    case = submit()
    police = as_user("police.caseworker")
    order = police.post(
        f"/api/v1/referrals/{case['id']}/orders/",
        {
            "kind": "stalking_protection_order",
            "conditions": "Not to contact the victim",
            "starts": "2025-01-01",
            "expires": "2027-01-01",
        },
        format="json",
    )
    assert order.status_code == 201, order.content
    order_id = order.json()["id"]
    response = police.post(
        f"/api/v1/referrals/{case['id']}/incidents/",
        incident_body(2, ["texts"], breach_of_order=order_id),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["breach_of_order"] == order_id
    detail = police.get(f"/api/v1/referrals/{case['id']}/").json()
    assert detail["orders"][0]["breaches"] == 1
    assert detail["risk_level"] == "medium"  # one breach makes the risk at least medium
    assert Event.objects.filter(verb="breach.recorded", referral_id=case["id"]).count() == 1
    assert Event.objects.filter(verb="risk.raised", referral_id=case["id"]).count() == 1


def test_breach_of_an_order_on_another_case_is_refused(as_user, submit):
    case = submit()
    other = submit(
        victim={"name": "Eve Else", "date_of_birth": "1985-05-05"},
        suspect={"name": "Fred Else", "date_of_birth": "1960-06-06"},
        orders=[{"kind": "bail_conditions", "conditions": "Curfew", "starts": "2025-01-01"}],
    )
    response = as_user("police.caseworker").post(
        f"/api/v1/referrals/{case['id']}/incidents/",
        incident_body(breach_of_order=other["orders"][0]["id"]),
        format="json",
    )
    assert response.status_code == 400
    assert "breach_of_order" in response.json()["error"]["fields"]


def test_writing_a_section_needs_write_permission(as_user, submit, demo):
    from referral.access import involvement_grant
    from referral.models import InvolvementBasis

    case = submit()
    referral = Referral.objects.get(pk=case["id"])
    involvement_grant(
        referral=referral,
        agency=demo["cps.caseworker"].agency,
        basis=InvolvementBasis.TASK,
        source="t",
    )
    cps = as_user("cps.caseworker")
    assert (
        cps.post(
            f"/api/v1/referrals/{case['id']}/incidents/", incident_body(), format="json"
        ).status_code
        == 403
    )
    assert (
        cps.post(
            f"/api/v1/referrals/{case['id']}/orders/",
            {"kind": "bail_conditions", "conditions": "x", "starts": "2025-01-01"},
            format="json",
        ).status_code
        == 403
    )
    # An uninvolved agency gets 404, not 403: the case's existence is not given away.
    assert (
        as_user("probation.caseworker")
        .post(f"/api/v1/referrals/{case['id']}/incidents/", incident_body(), format="json")
        .status_code
        == 404
    )


def test_reading_contact_details_is_logged(as_user, submit):
    case = submit()
    before = Event.objects.filter(verb="section.read", changes__section="victim_contact").count()
    as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/")
    after = Event.objects.filter(verb="section.read", changes__section="victim_contact").count()
    assert after == before + 1
