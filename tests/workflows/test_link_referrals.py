"""A second referral of the same people from an agency not involved in the first: it learns
nothing of it, and the coordinator links, merges or keeps them apart."""

import json

import pytest
from django.test import Client

from audit.models import Event
from referral.models import Involvement, Referral
from workflows.models import AgencyTask, Notification

pytestmark = pytest.mark.django_db

REASON = "Same victim and suspect; the advocate's account adds the March incidents."


@pytest.fixture
def pair(refer, as_user):
    """Police refer A; advocacy, not involved in A, refers the same victim and suspect (B)."""
    a = refer()
    response = as_user("advocacy.caseworker").post(
        "/api/v1/referrals/",
        {**_body(), "summary": "Victim came to us directly."},
        format="json",
    )
    assert response.status_code == 201, response.content
    return a, response


def _body():
    from tests.referral.factories import answers, payload

    return payload(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})


def _link_task(b_id) -> AgencyTask:
    return AgencyTask.objects.get(referral_id=b_id, task_type="link_referrals", is_open=True)


def _decide(as_user, task, data, captured):
    hub = as_user("hub.caseworker")
    assert hub.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    with captured(execute=True):
        return hub.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")


def test_the_uninvolved_referrer_learns_nothing_and_the_hub_is_asked(pair, as_user):
    a, response = pair
    b = response.json()
    # Nothing in the answer names or numbers the existing case.
    text = json.dumps(b)
    assert a["reference"] not in text
    assert b["linked_referrals"] == [] and b["warnings"] == []
    assert Referral.objects.get(pk=b["id"]).timeline_id != Referral.objects.get(pk=a["id"]).pk
    assert as_user("advocacy.caseworker").get(f"/api/v1/referrals/{a['id']}/").status_code == 404

    task = _link_task(b["id"])
    assert (task.agency.slug, task.role) == ("hub", "caseworker")
    detail = as_user("hub.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()
    assert detail["context"] == {"referral": b["id"], "matches": [a["id"]]}
    assert [m["reference"] for m in detail["brief"]["matches"]] == [a["reference"]]
    assert detail["form"]["properties"]["decision"]["enum"] == ["link", "merge", "separate"]
    assert "reason" in detail["form"]["required"]
    # The triage of B goes on beside it.
    assert AgencyTask.objects.filter(referral_id=b["id"], task_type="triage", is_open=True)


def test_merge_closes_the_new_referral_and_lets_its_referrer_see_the_survivor(
    pair, as_user, demo, django_capture_on_commit_callbacks
):
    a, response = pair
    b = response.json()
    task = _link_task(b["id"])
    done = _decide(
        as_user, task, {"decision": "merge", "reason": REASON}, django_capture_on_commit_callbacks
    )
    assert done.status_code == 200, done.content

    merged, survivor = Referral.objects.get(pk=b["id"]), Referral.objects.get(pk=a["id"])
    assert merged.status == "closed" and survivor.is_open
    assert merged.timeline_id == survivor.timeline_id == survivor.pk
    # The merged referral's own flow has ended: its triage task is gone from the hub's queue.
    assert not AgencyTask.objects.filter(referral_id=b["id"], is_open=True).exists()

    event = Event.objects.get(referral_id=b["id"], verb="referral.merged")
    assert event.changes["into"] == a["reference"] and event.reason == REASON
    assert Event.objects.get(referral_id=a["id"], verb="referral.merged_into").changes == {
        "merged": b["reference"]
    }
    assert Event.objects.filter(verb="referrals.linked").count() == 2
    assert Involvement.objects.filter(
        referral_id=a["id"], agency__slug="advocacy", basis="merged"
    ).exists()
    granted = Event.objects.get(referral_id=a["id"], verb="access.granted",
                                changes__basis="merged")
    assert granted.recipients == ["advocacy"]

    advocacy = as_user("advocacy.caseworker")
    assert advocacy.get(f"/api/v1/referrals/{a['id']}/").status_code == 200
    told = Notification.objects.get(user=demo["advocacy.caseworker"].user, kind="link_outcome")
    assert a["reference"] in told.text and "merged" in told.text


@pytest.mark.parametrize("decision", ["link", "separate"])
def test_link_or_separate_tells_the_referrer_without_naming_the_other_case(
    pair, as_user, demo, django_capture_on_commit_callbacks, decision
):
    a, response = pair
    b = response.json()
    done = _decide(
        as_user, _link_task(b["id"]), {"decision": decision, "reason": REASON},
        django_capture_on_commit_callbacks,
    )
    assert done.status_code == 200, done.content
    first, second = Referral.objects.get(pk=a["id"]), Referral.objects.get(pk=b["id"])
    assert second.is_open
    if decision == "link":
        assert first.timeline_id == second.timeline_id == first.pk
        assert Event.objects.filter(verb="referrals.linked", reason=REASON).count() == 2
    else:
        assert first.timeline_id != second.timeline_id
        event = Event.objects.get(referral_id=b["id"], verb="referrals.kept_separate")
        assert event.changes == {"others": [a["reference"]]}
    # Linking shares nothing.
    assert as_user("advocacy.caseworker").get(f"/api/v1/referrals/{a['id']}/").status_code == 404
    told = Notification.objects.get(user=demo["advocacy.caseworker"].user, kind="link_outcome")
    assert b["reference"] in told.text and a["reference"] not in told.text
    [notice] = as_user("advocacy.caseworker").get("/api/v1/notifications/").json()["results"]
    assert notice["referral"] == b["id"] and notice["task"] is None


def test_bad_link_decisions_are_400(pair, as_user):
    a, response = pair
    task = _link_task(response.json()["id"])
    hub = as_user("hub.caseworker")
    hub.post(f"/api/v1/tasks/{task.pk}/claim/")
    for data, field in [
        ({"decision": "merge"}, "reason"),
        ({"decision": "merge", "reason": "   "}, "reason"),
        ({"decision": "fold", "reason": REASON}, "decision"),
        ({"decision": "merge", "reason": REASON, "into": 999999}, "into"),
    ]:
        answer = hub.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")
        assert answer.status_code == 400, (data, answer.content)
        assert field in answer.json()["error"]["fields"]
    assert Referral.objects.get(pk=response.json()["id"]).is_open


def test_the_link_task_has_its_page(pair, demo):
    a, response = pair
    task = _link_task(response.json()["id"])
    page = Client()
    page.force_login(demo["hub.caseworker"].user)
    page.post(f"/workspace/tasks/{task.pk}/claim/")
    html = page.get(f"/workspace/tasks/{task.pk}/").content.decode()
    assert 'data-testid="task-brief"' in html and a["reference"] in html
    assert 'name="decision" value="merge"' in html
    done = page.post(
        f"/workspace/tasks/{task.pk}/", {"decision": "separate", "reason": REASON}, follow=True
    )
    assert done.status_code == 200
    assert Event.objects.filter(verb="referrals.kept_separate").exists()
