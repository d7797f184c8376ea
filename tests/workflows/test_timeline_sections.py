"""Every timeline entry and trail event shown to a member is cut by the case detail's section
rules: an agency barred from `charging` reads no charging decision, on the API or the page."""

import pytest
from django.db import transaction

from audit.events import task_completed_event
from audit.models import Event
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from referral.views import case_url
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

CPS_REASON = "CPS-REASON-MARKER: evidential and public interest stages met."
RESEARCH = {"summary": "Prior convictions.", "withheld": False}


@pytest.fixture
def charged(refer, work):
    case = refer(yes=7)
    rid = case["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    work("police.caseworker", "research", rid, {**RESEARCH, "request_charging_advice": True})
    work("cps.caseworker", "charging_review", rid,
         {"decision": "charge", "offence": "s.4A PHA 1997", "reason": CPS_REASON})
    work("ftac.caseworker", "threat_assessment", rid,
         {"summary": "FTAC-SUMMARY", "risk_formulation": "Fixated",
          "recommendations": "Assess before bail"})
    return case


@pytest.mark.parametrize(("username", "reads_charging"), [
    ("ftac.caseworker", False),
    ("police.caseworker", True),
    ("cps.caseworker", True),
])
def test_the_timeline_shows_charging_decisions_only_to_agencies_that_read_charging(
    charged, as_user, client, demo, username, reads_charging
):
    rid = charged["id"]
    response = as_user(username).get(f"/api/v1/referrals/{rid}/timeline/")
    assert response.status_code == 200
    verbs = {e.get("verb") for e in response.json()["entries"]}
    assert ("charging_review.charge" in verbs) is reads_charging
    assert (CPS_REASON in response.content.decode()) is reads_charging
    client.force_login(demo[username].user)
    page = client.get(case_url(rid) + "timeline/").content.decode()
    assert (CPS_REASON in page) is reads_charging
    assert ("Charging review" in page) is reads_charging


@pytest.mark.parametrize("username", ["police.caseworker", "cps.caseworker",
                                      "probation.caseworker", "advocacy.caseworker"])
def test_threat_assessment_decisions_stay_with_those_who_read_them(charged, as_user, username):
    entries = as_user(username).get(f"/api/v1/referrals/{charged['id']}/timeline/").json()[
        "entries"
    ]
    assert not any(str(e.get("verb", "")).startswith("threat_assessment.") for e in entries)


def test_an_agencys_own_trail_is_cut_by_the_same_rules(charged, as_user, demo):
    # A hub caseworker may not read threat assessments (chairs and supervisors may): an event
    # of that section in the hub's part of the trail is not shown to them.
    task = AgencyTask.objects.get(referral_id=charged["id"], task_type="threat_assessment")
    with transaction.atomic():
        task_completed_event(task=task, actor=demo["hub.supervisor"].user,
                             result={"summary": "x", "reason": "HUB-TA-REASON"})
    involvement_grant(referral=Referral.objects.get(pk=charged["id"]),
                      agency=demo["hub.caseworker"].agency, basis=InvolvementBasis.TASK, source="t")
    caseworker = as_user("hub.caseworker").get(f"/api/v1/audit/events/?referral={charged['id']}")
    supervisor = as_user("hub.supervisor").get(f"/api/v1/audit/events/?referral={charged['id']}")
    assert caseworker.status_code == supervisor.status_code == 200
    assert "HUB-TA-REASON" not in caseworker.content.decode()
    assert "HUB-TA-REASON" in supervisor.content.decode()


@pytest.mark.parametrize("surface", ["api", "page"])
def test_reading_a_charging_decision_on_the_timeline_is_an_event(
    charged, as_user, client, demo, surface
):
    reads = Event.objects.filter(verb="section.read", referral_id=charged["id"],
                                 actor_username="police.caseworker", changes__section="charging")
    before = reads.count()
    if surface == "api":
        response = as_user("police.caseworker").get(f"/api/v1/referrals/{charged['id']}/timeline/")
    else:
        client.force_login(demo["police.caseworker"].user)
        response = client.get(case_url(charged["id"]) + "timeline/")
    assert response.status_code == 200 and CPS_REASON in response.content.decode()
    assert reads.count() == before + 1
