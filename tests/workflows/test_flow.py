"""The referral flow through the API: the happy path and every branch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Event
from conferences.models import AgendaItem
from conferences.services import conference_create
from referral.models import Referral
from workflows.models import AgencyTask
from workflows.services import agenda_item_hear

pytestmark = pytest.mark.django_db

RESEARCH = {"summary": "Two prior harassment convictions.", "withheld": False}


def open_types(referral_id):
    return sorted(
        AgencyTask.objects.filter(referral_id=referral_id, is_open=True).values_list(
            "task_type", "agency__slug"
        )
    )


@pytest.fixture
def conference(demo):
    return conference_create(
        actor=demo["hub.chair"].user,
        title="Weekly MASC",
        starts_at=timezone.now() + timezone.timedelta(days=3),
        invited=[m.agency for m in demo.values() if m.agency.kind != "oversight"],
    )


def test_high_risk_happy_path_with_the_charging_update_owed_by_police(
    refer, work, conference, demo, as_user
):
    case = refer(yes=7)
    rid = case["id"]
    assert case["risk_level"] == "high"
    assert open_types(rid) == [("triage", "hub")]
    assert Referral.objects.get(pk=rid).status == "triage"

    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    assert open_types(rid) == [
        ("research", "advocacy"),
        ("research", "police"),
        ("research", "probation"),
        ("threat_assessment", "ftac"),
    ]
    assert Referral.objects.get(pk=rid).status == "research"

    work("police.caseworker", "research", rid, {**RESEARCH, "request_charging_advice": True})
    assert ("charging_review", "cps") in open_types(rid)
    work("probation.caseworker", "research", rid, RESEARCH)
    work(
        "advocacy.caseworker",
        "research",
        rid,
        {
            "summary": "Victim wants a restraining order.",
            "withheld": True,
            "withheld_reason": "Victim's new address withheld at her request.",
        },
    )
    work(
        "ftac.caseworker",
        "threat_assessment",
        rid,
        {
            "summary": "Fixated",
            "risk_formulation": "Rejected ex-partner",
            "recommendations": "Assess before bail",
        },
    )
    assert not any(t == "research" for t, _ in open_types(rid))
    work(
        "cps.caseworker",
        "charging_review",
        rid,
        {
            "decision": "charge",
            "offence": "s.4A Protection from Harassment Act 1997",
            "reason": "Evidential and public interest stages met.",
        },
    )

    # All research done: the case is on the next conference's agenda; police, the Victims'
    # Code duty holder for a charging decision, owe the victim an update.
    item = AgendaItem.objects.get(referral_id=rid)
    assert item.conference == conference
    assert Referral.objects.get(pk=rid).status == "conference"
    assert open_types(rid) == [("victim_update", "police")]

    # The case is heard: review, closure, approval by a different supervisor.
    agenda_item_hear(item=item, actor=demo["hub.chair"].user)
    work("hub.caseworker", "review", rid, {"decision": "close", "note": "Charged; order made."})
    work(
        "hub.caseworker",
        "closure",
        rid,
        {
            "charged": True,
            "convicted": None,
            "protective_order": True,
            "victim_informed": True,
            "perpetrator_treatment": "Referred to a stalking intervention programme",
            "summary": "Charged under s.4A; restraining order on bail.",
        },
    )
    work("hub.supervisor", "approve_closure", rid, {"approved": True})
    assert Referral.objects.get(pk=rid).status == "closed"
    verbs = set(Event.objects.filter(referral_id=rid).values_list("verb", flat=True))
    assert {
        "triage.accept",
        "research.completed",
        "charging_review.charge",
        "approve_closure.approved",
        "task.claimed",
    } <= verbs

    detail = as_user("hub.chair").get(f"/api/v1/referrals/{rid}/").json()
    assert {r["agency"] for r in detail["research"]} == {"police", "probation", "advocacy"}
    assert detail["threat_assessment"]["risk_formulation"] == "Rejected ex-partner"
    assert detail["charging"]["decision"] == "charge"


def test_accepting_a_case_sets_its_research_status_once_for_all_its_research(refer, work):
    rid = refer(yes=7)["id"]
    with CaptureQueriesContext(connection) as ctx:
        work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    status_writes = [
        q["sql"] for q in ctx.captured_queries
        if q["sql"].startswith('UPDATE "referral_referral" SET "status"')
    ]
    assert len([t for t, _ in open_types(rid) if t == "research"]) == 3
    assert len(status_writes) == 1, status_writes
    assert "'research'" in status_writes[0]
    assert Referral.objects.get(pk=rid).status == "research"


def test_threat_assessment_only_when_high(refer, work):
    case = refer(yes=3)
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "medium"})
    assert [t for t, _ in open_types(case["id"])] == ["research", "research", "research"]


def test_cps_review_only_when_asked(refer, work, conference):
    case = refer(yes=7)
    rid = case["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    work("police.caseworker", "research", rid, {**RESEARCH, "request_charging_advice": False})
    assert "charging_review" not in [t for t, _ in open_types(rid)]


def test_request_info_loop(refer, work):
    case = refer()
    rid = case["id"]
    work(
        "hub.caseworker",
        "triage",
        rid,
        {"decision": "request_info", "risk_level": "standard", "reason": "What happened on 3 May?"},
    )
    assert open_types(rid) == [("provide_info", "police")]
    assert Referral.objects.get(pk=rid).status == "info_requested"
    work("police.caseworker", "provide_info", rid, {"information": "He broke a window."})
    assert open_types(rid) == [("triage", "hub")]


def test_decline_approved(refer, work, as_user):
    case = refer()
    rid = case["id"]
    work(
        "hub.caseworker",
        "triage",
        rid,
        {
            "decision": "decline",
            "risk_level": "standard",
            "reason": "Single contact; no course of conduct.",
        },
    )
    assert open_types(rid) == [("approve_decline", "hub")]
    work("hub.supervisor", "approve_decline", rid, {"approved": True, "reason": "Agreed."})
    assert Referral.objects.get(pk=rid).status == "declined"
    event = Event.objects.get(referral_id=rid, verb="triage.decline")
    assert event.reason == "Single contact; no course of conduct."
    assert open_types(rid) == []
    response = as_user("police.caseworker").get(f"/api/v1/referrals/{rid}/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"


def test_decline_refused_goes_back_to_triage(refer, work):
    case = refer()
    rid = case["id"]
    work(
        "hub.caseworker",
        "triage",
        rid,
        {"decision": "decline", "risk_level": "standard", "reason": "Nothing can be done."},
    )
    work(
        "hub.supervisor",
        "approve_decline",
        rid,
        {"approved": False, "reason": "Pattern over 8 months: research it."},
    )
    assert open_types(rid) == [("triage", "hub")]


def test_decline_needs_a_reason(refer, work, as_user):
    case = refer()
    client = as_user("hub.caseworker")
    task = work.task_of(client, "triage", case["id"])
    client.post(f"/api/v1/tasks/{task['id']}/claim/")
    response = client.post(
        f"/api/v1/tasks/{task['id']}/complete/",
        {"decision": "decline", "risk_level": "standard"},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert open_types(case["id"]) == [("triage", "hub")]


def test_standard_risk_gets_a_single_agency_plan(refer, work):
    case = refer(yes=1)
    rid = case["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "standard"})
    for user in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
        work(user, "research", rid, RESEARCH)
    assert open_types(rid) == [("plan", "police")]
    assert Referral.objects.get(pk=rid).status == "plan"


def test_high_risk_without_a_conference_asks_the_chairs_to_schedule_one(refer, work, demo):
    case = refer(yes=7)
    rid = case["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    for user in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
        work(user, "research", rid, RESEARCH)
    work(
        "ftac.caseworker",
        "threat_assessment",
        rid,
        {"summary": "s", "risk_formulation": "r", "recommendations": "x"},
    )
    task = AgencyTask.objects.get(referral_id=rid, task_type="schedule_conference")
    assert task.role == "chair" and task.agency.slug == "hub"
    conference = conference_create(
        actor=demo["hub.chair"].user,
        title="Extra",
        starts_at=timezone.now() + timezone.timedelta(days=1),
        invited=[demo["police.caseworker"].agency],
    )
    work("hub.chair", "schedule_conference", rid, {"conference": conference.pk})
    assert AgendaItem.objects.filter(referral_id=rid, conference=conference).exists()
