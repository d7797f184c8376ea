"""A decline: its approver sees what is declined and why; the referring agency is told; a
refused decline goes back to triage and its author hears why."""

import pytest
from django.core import mail
from django.test import Client

from audit.models import Event
from referral.models import Referral
from referral.views import case_url
from workflows.models import AgencyTask, Notification

pytestmark = pytest.mark.django_db

REASON = "Single contact in six months; no course of conduct."


def _decline(refer, work):
    case = refer()
    work(
        "hub.caseworker", "triage", case["id"],
        {"decision": "decline", "risk_level": "standard", "reason": REASON},
    )
    return case, AgencyTask.objects.get(referral_id=case["id"], task_type="approve_decline")


def test_the_approver_sees_the_decline_its_reason_and_the_case(refer, work, demo, as_user):
    case, task = _decline(refer, work)
    brief = as_user("hub.supervisor").get(f"/api/v1/tasks/{task.pk}/").json()["brief"]
    assert brief["decline_reason"] == REASON
    assert brief["triage_risk_level"] == "standard"
    assert brief["proposed_by"] == "hub.caseworker"
    assert brief["referrer_agency"] == "police"
    assert brief["summary"] == "Calls and follows the victim since the relationship ended."

    page = Client()
    page.force_login(demo["hub.supervisor"].user)
    html = page.get(f"/workspace/tasks/{task.pk}/").content.decode()
    assert 'data-testid="task-brief"' in html
    assert REASON in html and "Hub Caseworker" in html  # who proposed it, by name
    assert "Calls and follows the victim" in html


def test_an_approved_decline_is_told_to_the_referring_agency_with_its_reason(
    refer, work, demo, as_user, django_capture_on_commit_callbacks
):
    case, task = _decline(refer, work)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        work(
            "hub.supervisor", "approve_decline", case["id"], {"approved": True, "reason": "Agreed."}
        )
    assert Referral.objects.get(pk=case["id"]).status == "declined"

    event = Event.objects.get(referral_id=case["id"], verb="referral.declined")
    assert event.reason == REASON and event.recipients == ["police"]
    assert event.actor_username == "hub.supervisor"

    told = Notification.objects.filter(kind="declined", referral_id=case["id"])
    assert sorted(n.user.username for n in told) == ["police.caseworker", "police.supervisor"]
    assert all(REASON in n.text and case["reference"] in n.text for n in told)
    # The reason stays inside the system: the email says where to read it.
    declined_mail = [m for m in mail.outbox if "declined" in m.subject]
    assert declined_mail and all(REASON not in m.body for m in declined_mail)

    # The referrer reads it, and its link leads to the case (the hub's task is not theirs).
    police = as_user("police.caseworker")
    notice = next(
        n for n in police.get("/api/v1/notifications/").json()["results"]
        if n["kind"] == "declined"
    )
    assert notice["referral"] == case["id"] and notice["task"] is None
    page = Client()
    page.force_login(demo["police.caseworker"].user)
    html = page.get("/workspace/tasks/notifications/").content.decode()
    assert f'href="{case_url(case["id"])}"' in html


def test_a_refused_decline_goes_back_to_triage_and_its_author_is_told_why(
    refer, work, demo, django_capture_on_commit_callbacks
):
    case, task = _decline(refer, work)
    with django_capture_on_commit_callbacks(execute=True):
        work(
            "hub.supervisor", "approve_decline", case["id"],
            {"approved": False, "reason": "Pattern over 8 months: research it."},
        )
    triage = AgencyTask.objects.get(referral_id=case["id"], task_type="triage", is_open=True)
    told = Notification.objects.get(kind="decline_refused")
    assert told.user == demo["hub.caseworker"].user
    assert told.task_id == triage.pk
    assert "Pattern over 8 months" in told.text and case["reference"] in told.text
    assert not Notification.objects.filter(kind="declined").exists()
