"""A task, a notice and an agency's own trail follow the case rules: a member whose role sees no
case content reads no task; once its agency may no longer see a case, its past tasks, notices and
trail about it answer as if they did not exist; a task's sensitive work is a logged read."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import Role
from agencies.services import member_create
from audit.models import Event
from conferences.models import Conference
from workflows import services
from workflows.models import AgencyTask, Notification

pytestmark = pytest.mark.django_db

DECLINE_REASON = "DECLINE-REASON-MARKER: a single contact in six months."


@pytest.fixture
def declined(refer, work, django_capture_on_commit_callbacks):
    """A police referral the hub declined: the hub's involvement ended with the process."""
    with django_capture_on_commit_callbacks(execute=True):
        case = refer(summary="DECLINED-SUMMARY-MARKER")
        work("hub.caseworker", "triage", case["id"],
             {"decision": "decline", "risk_level": "standard", "reason": DECLINE_REASON})
        work("hub.supervisor", "approve_decline", case["id"],
             {"approved": True, "reason": "Agreed: no course of conduct."})
    return case


def test_an_agency_that_no_longer_sees_a_case_gets_404_on_its_past_tasks(declined, as_user, demo):
    hub = as_user("hub.caseworker")
    assert hub.get(f"/api/v1/referrals/{declined['id']}/").status_code == 404
    for task in AgencyTask.objects.filter(referral_id=declined["id"], agency__slug="hub"):
        assert hub.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
        page = Client()
        page.force_login(demo["hub.caseworker"].user)
        assert page.get(f"/workspace/tasks/{task.pk}/").status_code == 404


def test_notices_and_the_own_trail_say_nothing_of_a_case_the_agency_no_longer_sees(
    declined, as_user
):
    hub = as_user("hub.supervisor")
    assert Notification.objects.filter(user__username="hub.supervisor").exists()
    for url in ("/api/v1/notifications/?page_size=500", "/api/v1/audit/events/?page_size=500"):
        body = hub.get(url).content.decode()
        assert declined["reference"] not in body and "DECLINE-REASON-MARKER" not in body, url
    # The referrer still sees its own case, and is told of the decline.
    police = as_user("police.caseworker")
    assert declined["reference"] in police.get("/api/v1/notifications/").content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_a_role_that_sees_no_case_content_reads_no_task(refer, as_user, api, demo, role):
    case = refer()
    task = AgencyTask.objects.get(referral_id=case["id"], task_type="triage")
    member = member_create(agency=demo["hub.caseworker"].agency, username=f"hub.{role}.x",
                           password="a-long-test-password", roles=[role],
                           email=f"hub.{role}@example.org")
    client = api(member.user)
    assert client.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    for scope in ("mine", "queue", "overdue"):
        assert client.get(f"/api/v1/tasks/?scope={scope}").json()["results"] == []


def test_a_data_protection_officer_reads_only_its_own_roles_tasks(as_user, demo):
    """A DPO has an inbox for its subject access tasks; the agency's other work of no case (a
    meeting's minutes, whose work holds what the meeting said) is 404 to it, and never listed."""
    hub = demo["hub.chair"]
    conference = Conference.objects.create(
        title="Minutes MARKER meeting", starts_at=timezone.now() - timedelta(days=3),
        chair=hub.user, coordinator=hub.agency, status=Conference.Status.CLOSED)
    minutes = services.case_task_start(
        referral=None, task_type="minutes_distribution", agency=hub.agency,
        due=timezone.now() - timedelta(days=1), context={"conference": conference.pk})
    dpo = as_user("hub.dpo")
    assert dpo.get(f"/api/v1/tasks/{minutes.pk}/").status_code == 404
    page = Client()
    page.force_login(demo["hub.dpo"].user)
    assert page.get(f"/workspace/tasks/{minutes.pk}/").status_code == 404
    for scope in ("mine", "queue", "overdue"):
        listed = [t["id"] for t in dpo.get(f"/api/v1/tasks/?scope={scope}").json()["results"]]
        assert minutes.pk not in listed, scope
    # The chair, who reads the meeting's notes, still reads it.
    assert as_user("hub.chair").get(f"/api/v1/tasks/{minutes.pk}/").status_code == 200


def test_reading_a_tasks_sensitive_work_is_an_event(refer, work, as_user):
    case = refer(yes=7)
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "high"})
    work("ftac.caseworker", "threat_assessment", case["id"],
         {"summary": "TA-SUMMARY", "risk_formulation": "Fixated", "recommendations": "Assess"})
    task = AgencyTask.objects.get(referral_id=case["id"], task_type="threat_assessment")
    reads = Event.objects.filter(verb="section.read", referral_id=case["id"],
                                 actor_username="ftac.caseworker",
                                 changes__section="threat_assessment")
    before = reads.count()
    body = as_user("ftac.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()
    assert body["result"]["summary"] == "TA-SUMMARY"
    assert reads.count() == before + 1
