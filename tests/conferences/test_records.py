"""Decisions and actions: stored once per client id, however often (or however fast) resent."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction  # noqa: F401 - skipif reads it
from django.utils import timezone

from audit.models import Event
from conferences.models import Conference, ConferenceAction, Decision
from tests.conferences.races import writers_waiting_on_the_meeting
from workflows.models import AgencyTask
from workflows.services import action_assign


def _started(meeting, as_user):
    chair = as_user("hub.chair")
    assert chair.post(f"/api/v1/conferences/{meeting.pk}/start/").status_code == 200
    return chair, meeting.agenda.order_by("position")[0]


def _action(description="Apply for an SPO", **more) -> dict:
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    return {"agency": "police", "description": description, "due": due, **more}


@pytest.mark.django_db
def test_the_same_client_id_records_one_decision(acknowledged, as_user):
    chair, item = _started(acknowledged, as_user)
    url = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/decisions/"
    body = {"text": "Apply for an SPO", "reason": "Escalating.", "client_id": str(uuid.uuid4())}
    first, again = chair.post(url, body, format="json"), chair.post(url, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["client_id"] == body["client_id"]
    assert Decision.objects.count() == 1
    assert Event.objects.filter(verb="conference.decision").count() == 1


@pytest.mark.django_db
def test_the_same_client_id_records_one_action_and_one_task(acknowledged, as_user):
    chair, item = _started(acknowledged, as_user)
    url = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/actions/"
    body = _action(client_id=str(uuid.uuid4()))
    first, again = chair.post(url, body, format="json"), chair.post(url, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert first.json() == again.json()
    assert ConferenceAction.objects.count() == 1
    assert AgencyTask.objects.filter(task_type="action").count() == 1
    assert Event.objects.filter(verb="conference.action").count() == 1


@pytest.mark.django_db
def test_different_client_ids_record_two(acknowledged, as_user):
    chair, item = _started(acknowledged, as_user)
    base = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}"
    for _ in range(2):
        decision = {"text": "Refer to FTAC", "reason": "Fixation.", "client_id": str(uuid.uuid4())}
        assert chair.post(f"{base}/decisions/", decision, format="json").status_code == 201
        action = _action(client_id=str(uuid.uuid4()))
        assert chair.post(f"{base}/actions/", action, format="json").status_code == 201
    assert Decision.objects.count() == 2 and ConferenceAction.objects.count() == 2
    assert AgencyTask.objects.filter(task_type="action").count() == 2


@pytest.mark.django_db
def test_the_contract_bodies_work_without_a_client_id(acknowledged, as_user):
    chair, item = _started(acknowledged, as_user)
    base = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}"
    decision = chair.post(f"{base}/decisions/", {"text": "t", "reason": "r"}, format="json")
    action = chair.post(f"{base}/actions/", _action(), format="json")
    assert (decision.status_code, action.status_code) == (201, 201)
    assert decision.json()["client_id"] is None and action.json()["task"] is not None


@pytest.mark.django_db
def test_a_client_id_is_a_uuid_and_belongs_to_one_record(acknowledged, as_user):
    chair, item = _started(acknowledged, as_user)
    other = acknowledged.agenda.order_by("position")[1]
    base = f"/api/v1/conferences/{acknowledged.pk}/agenda"
    bad = chair.post(f"{base}/{item.pk}/decisions/", {"text": "t", "reason": "r",
                                                      "client_id": "not-a-uuid"}, format="json")
    assert bad.status_code == 400 and "client_id" in bad.json()["error"]["fields"]
    key = str(uuid.uuid4())
    body = {"text": "t", "reason": "r", "client_id": key}
    assert chair.post(f"{base}/{item.pk}/decisions/", body, format="json").status_code == 201
    elsewhere = chair.post(f"{base}/{other.pk}/decisions/", body, format="json")
    assert elsewhere.status_code == 409
    assert elsewhere.json()["error"]["code"] == "client_id_taken"
    # Another kind of record may not take it either, nor its resend find the decision.
    assert Decision.objects.count() == 1


@pytest.mark.django_db
def test_a_resend_after_the_meeting_closed_is_answered_with_what_was_stored(acknowledged, as_user):
    chair, item = _started(acknowledged, as_user)
    url = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/actions/"
    body = _action(client_id=str(uuid.uuid4()))
    first = chair.post(url, body, format="json")
    chair.post(f"/api/v1/conferences/{acknowledged.pk}/close/")
    again = chair.post(url, body, format="json")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    fresh = chair.post(url, _action(client_id=str(uuid.uuid4())), format="json")
    assert fresh.status_code == 409
    assert ConferenceAction.objects.count() == 1


@pytest.mark.django_db
def test_the_schema_describes_the_client_id_and_the_answers(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    parts = schema["components"]["schemas"]
    assert "client_id" in parts["DecisionInputRequest"]["properties"]
    assert "client_id" in parts["ActionInputRequest"]["properties"]
    path = schema["paths"]["/api/v1/conferences/{conference_id}/agenda/{item_id}/actions/"]
    assert set(path["post"]["responses"]) >= {"200", "201"}
    assert "visible_to" in parts["MinutesNote"]["properties"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_a_resend_racing_the_first_starts_one_task(acknowledged, demo):
    from conferences.services import conference_start

    chair = demo["hub.chair"].user
    conference_start(actor=chair, conference=acknowledged)
    item = acknowledged.agenda.order_by("position")[0]
    police = demo["police.caseworker"].agency
    client_id = uuid.uuid4()
    def send():
        conference = Conference.objects.get(pk=acknowledged.pk)
        return action_assign(
            actor=chair, conference=conference, item_id=item.pk, agency=police,
            description="Arrest for breach", due=timezone.localdate(), client_id=client_id,
        )

    # Both requests are past their reads before either writes.
    with writers_waiting_on_the_meeting(acknowledged.pk, send) as (results, errors):
        pass
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert ConferenceAction.objects.count() == 1
    assert AgencyTask.objects.filter(task_type="action").count() == 1
