"""A risk level below the screening's: proposed at referral or triage, kept at the screen's
level until a supervisor of the proposing agency (not the proposer) approves it."""

from datetime import timedelta

import pytest

from audit.models import Event
from referral.models import Referral
from workflows import services
from workflows.models import AgencyTask, Notification

pytestmark = pytest.mark.django_db

LOWER = {"risk_level": "standard", "risk_reason": "Suspect emigrated in May; verified."}


def _task(referral_id, task_type="approve_downgrade", **filters) -> AgencyTask:
    return AgencyTask.objects.get(
        referral_id=referral_id, task_type=task_type, is_open=True, **filters
    )


def _claim_and_complete(client, task, data):
    claimed = client.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert claimed.status_code == 200, claimed.content
    return client.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")


def test_lower_risk_at_referral_waits_for_a_police_supervisor(refer, work, demo, as_user):
    case = refer(yes=7, **LOWER)
    rid = case["id"]
    # The case keeps the screening's level; the proposal is on the trail.
    assert case["risk_level"] == "high" and case["risk_source"] == "screening"
    proposed = Event.objects.get(referral_id=rid, verb="risk.downgrade_proposed")
    assert proposed.actor_username == "police.caseworker"
    assert proposed.reason == LOWER["risk_reason"]
    assert proposed.changes == {
        "risk_level": {"current": "high", "proposed": "standard"}, "stage": "referral"
    }

    task = _task(rid)
    assert (task.agency.slug, task.role) == ("police", "supervisor")
    assert task.excluded_user_id == demo["police.caseworker"].user.pk
    # Beside the main flow: triage is in the hub's queue at the same time.
    assert _task(rid, "triage").agency.slug == "hub"

    # The proposer's task is not theirs to take.
    proposer = as_user("police.caseworker")
    queue = proposer.get("/api/v1/tasks/?scope=queue").json()["results"]
    assert task.pk not in [t["id"] for t in queue]
    assert proposer.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 403

    supervisor = as_user("police.supervisor")
    detail = supervisor.get(f"/api/v1/tasks/{task.pk}/").json()
    assert detail["task_type"] == "approve_downgrade"
    assert detail["form"]["required"] == ["approved", "reason"]
    context = detail["context"]
    assert context["proposed_risk_level"] == "standard"
    assert context["current_risk_level"] == "high"
    assert context["proposed_by"] == "police.caseworker"
    assert context["reason"] == LOWER["risk_reason"]
    assert context["screening_risk_level"] == "high" and context["screening_score"] == 7
    assert context["screening_answers"]["very_frightened"] is True

    # A reason is asked either way.
    response = _claim_and_complete(supervisor, task, {"approved": True})
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    assert Referral.objects.get(pk=rid).risk_level == "high"

    response = supervisor.post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {"approved": True, "reason": "Checked with the force abroad."},
        format="json",
    )
    assert response.status_code == 200, response.content
    referral = Referral.objects.get(pk=rid)
    assert (referral.risk_level, referral.risk_source) == ("standard", "judgement")
    assert referral.risk_reason == LOWER["risk_reason"]
    changed = Event.objects.get(referral_id=rid, verb="risk.overridden")
    assert changed.actor_username == "police.supervisor"
    assert changed.changes["risk_level"] == {"before": "high", "after": "standard"}
    assert changed.changes["proposed_by"] == "police.caseworker"
    assert changed.changes["approved_by"] == "police.supervisor"
    assert Event.objects.filter(referral_id=rid, verb="approve_downgrade.approved").exists()


def test_a_refused_lower_risk_keeps_the_level(refer, as_user):
    rid = refer(yes=7, **LOWER)["id"]
    response = _claim_and_complete(
        as_user("police.supervisor"), _task(rid),
        {"approved": False, "reason": "Threats continue by phone from abroad."},
    )
    assert response.status_code == 200, response.content
    referral = Referral.objects.get(pk=rid)
    assert (referral.risk_level, referral.risk_source) == ("high", "screening")
    refused = Event.objects.get(referral_id=rid, verb="risk.downgrade_refused")
    assert refused.actor_username == "police.supervisor"
    assert refused.reason == "Threats continue by phone from abroad."
    assert refused.changes["risk_level"] == {"kept": "high", "proposed": "standard"}
    assert not Event.objects.filter(referral_id=rid, verb="risk.overridden").exists()


def test_lower_risk_at_triage_is_proposed_and_research_goes_on_at_the_screens_level(
    refer, work, demo, as_user
):
    rid = refer(yes=7)["id"]
    work(
        "hub.caseworker", "triage", rid,
        {"decision": "accept", "risk_level": "medium", "reason": "Contact ended in March."},
    )
    referral = Referral.objects.get(pk=rid)
    assert referral.risk_level == "high" and referral.status == "research"
    # Not blocked: research (and, the case still being high, the threat assessment) started.
    assert AgencyTask.objects.filter(referral_id=rid, task_type="threat_assessment").exists()
    proposed = Event.objects.get(referral_id=rid, verb="risk.downgrade_proposed")
    assert proposed.changes["stage"] == "triage"

    task = _task(rid)
    assert (task.agency.slug, task.role) == ("hub", "supervisor")
    assert task.excluded_user_id == demo["hub.caseworker"].user.pk
    response = _claim_and_complete(
        as_user("hub.supervisor"), task, {"approved": True, "reason": "Agreed with triage."}
    )
    assert response.status_code == 200, response.content
    assert Referral.objects.get(pk=rid).risk_level == "medium"
    assert Event.objects.get(referral_id=rid, verb="risk.overridden").changes["approved_by"] == (
        "hub.supervisor"
    )


def test_triage_at_or_above_the_screen_applies_at_once(refer, work):
    rid = refer(yes=3)["id"]  # medium
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    assert Referral.objects.get(pk=rid).risk_level == "high"
    assert not AgencyTask.objects.filter(referral_id=rid, task_type="approve_downgrade").exists()


def test_a_proposal_overtaken_by_another_level_cannot_be_approved(refer, work, as_user):
    rid = refer(yes=7, **LOWER)["id"]
    work(
        "hub.caseworker", "triage", rid,
        {"decision": "accept", "risk_level": "medium", "reason": "Contact ended in March."},
    )
    hub_task, police_task = _task(rid, agency__slug="hub"), _task(rid, agency__slug="police")
    response = _claim_and_complete(
        as_user("hub.supervisor"), hub_task, {"approved": True, "reason": "Agreed."}
    )
    assert response.status_code == 200
    # The referrer's proposal was made from high; the case is medium now.
    police = as_user("police.supervisor")
    response = _claim_and_complete(police, police_task, {"approved": True, "reason": "Agreed."})
    assert response.status_code == 409
    assert Referral.objects.get(pk=rid).risk_level == "medium"
    response = police.post(
        f"/api/v1/tasks/{police_task.pk}/complete/",
        {"approved": False, "reason": "Overtaken by the hub's decision."},
        format="json",
    )
    assert response.status_code == 200


def test_an_agency_without_a_supervisor_keeps_it_queued_and_hears_when_overdue(
    refer, demo, as_user, django_capture_on_commit_callbacks
):
    rid = refer(yes=7, username="advocacy.caseworker", **LOWER)["id"]
    task = _task(rid)
    assert (task.agency.slug, task.role) == ("advocacy", "supervisor")
    advocacy = as_user("advocacy.caseworker")
    assert advocacy.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 403
    assert Referral.objects.get(pk=rid).risk_level == "high"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(now=task.due + timedelta(minutes=1)) >= 1
    assert Notification.objects.filter(
        user=demo["advocacy.caseworker"].user, kind="overdue", task=task
    ).exists()


def test_the_proposer_may_not_approve_even_as_a_supervisor(demo, as_user, refer):
    rid = refer(yes=7, username="police.supervisor", **LOWER)["id"]
    task = _task(rid)
    assert task.excluded_user_id == demo["police.supervisor"].user.pk
    assert as_user("police.supervisor").post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 403
