"""Minutes: as each agency may see them, and once signed, as they stood at the signing."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction  # noqa: F401 - skipif reads it
from django.test import Client
from django.utils import timezone

from conferences.models import Attendance, Conference, Decision, Note
from conferences.services import conference_acknowledge, minutes_sign
from tests.conferences.races import writers_waiting_on_the_meeting


def _note(client, meeting, text, **more):
    response = client.post(
        f"/api/v1/conferences/{meeting.pk}/notes/",
        {"client_id": str(uuid.uuid4()), "text": text, **more}, format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _signed(meeting, as_user):
    """Run the meeting: a decision, an action and a note on its first case; close; sign."""
    chair = as_user("hub.chair")
    item = chair.post(f"/api/v1/conferences/{meeting.pk}/start/").json()["agenda"][0]["id"]
    base = f"/api/v1/conferences/{meeting.pk}/agenda/{item}"
    chair.post(f"{base}/decisions/", {"text": "Apply for an SPO", "reason": "Escalating."},
               format="json")
    action = chair.post(f"{base}/actions/", {
        "agency": "advocacy", "description": "Safety plan",
        "due": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }, format="json").json()
    note = _note(chair, meeting, "Heard at the meeting", agenda_item=item)
    for step in ("close", "sign"):
        assert chair.post(f"/api/v1/conferences/{meeting.pk}/{step}/").status_code == 200
    return item, action, note


def _page(demo, username, meeting) -> str:
    client = Client()
    client.force_login(demo[username].user)
    response = client.get(f"/workspace/conferences/{meeting.pk}/minutes/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_member_who_acknowledges_after_the_signing_is_not_in_the_minutes(
    acknowledged, as_user, demo
):
    _signed(acknowledged, as_user)
    probation = as_user("probation.caseworker")
    assert probation.post(f"/api/v1/conferences/{acknowledged.pk}/acknowledge/").status_code == 200
    for username in ("probation.caseworker", "hub.chair"):
        minutes = as_user(username).get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
        present = {a["user"] for a in minutes["attendance"]}
        assert present == {"hub.chair", "police.caseworker", "cps.caseworker",
                           "advocacy.caseworker"}
        assert "Probation Caseworker, Probation Service" not in _page(demo, username, acknowledged)
    # The page names people and their agencies (the API keeps the usernames).
    page = _page(demo, "probation.caseworker", acknowledged)
    assert "Police Caseworker, Police Public Protection Unit" in page
    assert "police.caseworker" not in page


@pytest.mark.django_db
def test_nothing_but_an_addendum_is_recorded_after_the_signing(acknowledged, as_user):
    item, _, note = _signed(acknowledged, as_user)
    chair = as_user("hub.chair")
    base = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item}"
    decision = chair.post(f"{base}/decisions/", {"text": "Late", "reason": "r"}, format="json")
    action = chair.post(f"{base}/actions/", {"agency": "police", "description": "Late",
                                             "due": timezone.localdate().isoformat()},
                        format="json")
    late_note = chair.post(f"/api/v1/conferences/{acknowledged.pk}/notes/",
                           {"client_id": str(uuid.uuid4()), "text": "Late"}, format="json")
    removed = chair.delete(f"/api/v1/conferences/{acknowledged.pk}/agenda/{item}/")
    assert [r.status_code for r in (decision, action, late_note, removed)] == [409] * 4
    assert removed.json()["error"]["code"] == "minutes_signed"
    _note(chair, acknowledged, "Correction: SPO applied for on Tuesday",
          agenda_item=item, addendum_to=note["id"])
    minutes = chair.get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
    [heard] = [i for i in minutes["items"] if i["id"] == item]
    assert [d["text"] for d in heard["decisions"]] == ["Apply for an SPO"]
    assert [a["description"] for a in heard["actions"]] == ["Safety plan"]
    assert [(n["text"], n["addendum_to"]) for n in heard["notes"]] == [
        ("Heard at the meeting", None),
        ("Correction: SPO applied for on Tuesday", note["id"]),
    ]


@pytest.mark.django_db
def test_signed_minutes_read_as_at_the_signing(acknowledged, as_user, demo):
    """Whatever reaches the tables after the signing (no service writes it; a repair might)
    stays out of the signed minutes, and an outcome reported later is the next meeting's."""
    item, action, note = _signed(acknowledged, as_user)
    chair = demo["hub.chair"]
    Decision.objects.create(item_id=item, text="Written later", reason="r", decided_by=chair.user)
    conference = Conference.objects.get(pk=acknowledged.pk)
    Note.objects.create(conference=conference, author=chair.user, agency=chair.agency,
                        text="Noted later", seq=conference.last_seq + 1, client_id=uuid.uuid4())
    advocacy = as_user("advocacy.caseworker")
    advocacy.post(f"/api/v1/tasks/{action['task']}/claim/")
    done = advocacy.post(f"/api/v1/tasks/{action['task']}/complete/",
                         {"outcome": "done", "note": "Plan made."}, format="json")
    assert done.status_code == 200, done.content
    minutes = as_user("hub.chair").get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
    assert "Written later" not in str(minutes) and "Noted later" not in str(minutes)
    [heard] = [i for i in minutes["items"] if i["id"] == item]
    assert heard["actions"][0]["outcome"] is None
    page = _page(demo, "hub.chair", acknowledged)
    assert "Written later" not in page and "Noted later" not in page
    # The meeting's own page still shows the outcome for the agencies to follow up.
    body = as_user("hub.chair").get(f"/api/v1/conferences/{acknowledged.pk}/").json()
    assert body["agenda"][0]["actions"][0]["outcome"] == "done"


@pytest.mark.django_db
def test_an_outcome_reported_before_the_signing_is_in_the_minutes(acknowledged, as_user):
    chair = as_user("hub.chair")
    item = chair.post(f"/api/v1/conferences/{acknowledged.pk}/start/").json()["agenda"][0]["id"]
    action = chair.post(f"/api/v1/conferences/{acknowledged.pk}/agenda/{item}/actions/", {
        "agency": "advocacy", "description": "Safety plan",
        "due": timezone.localdate().isoformat(),
    }, format="json").json()
    advocacy = as_user("advocacy.caseworker")
    advocacy.post(f"/api/v1/tasks/{action['task']}/claim/")
    advocacy.post(f"/api/v1/tasks/{action['task']}/complete/",
                  {"outcome": "not_possible", "note": "Moved away."}, format="json")
    for step in ("close", "sign"):
        chair.post(f"/api/v1/conferences/{acknowledged.pk}/{step}/")
    minutes = chair.get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
    assert minutes["items"][0]["actions"][0]["outcome"] == "not_possible"


@pytest.mark.django_db
def test_the_minutes_show_a_restriction_by_agency_name(acknowledged, as_user, demo):
    police = as_user("police.caseworker")
    item = acknowledged.agenda.order_by("position")[0]
    _note(police, acknowledged, "Refuge address", agenda_item=item.pk, visible_to=["advocacy"])
    _note(police, acknowledged, "Open to all", agenda_item=item.pk)
    _note(police, acknowledged, "General, police only", visible_to=[])
    minutes = police.get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
    notes = {n["text"]: n for n in minutes["items"][0]["notes"] + minutes["general_notes"]}
    assert notes["Refuge address"]["visible_to"] == ["advocacy", "police"]
    assert notes["Refuge address"]["visible_to_names"] == [
        "Stalking Advocacy Service", "Police Public Protection Unit"
    ]
    assert notes["Open to all"]["visible_to"] is None
    assert notes["General, police only"]["visible_to"] == ["police"]
    page = _page(demo, "police.caseworker", acknowledged)
    assert "Restricted to: Stalking Advocacy Service, Police Public Protection Unit" in page
    assert "Restricted to: Police Public Protection Unit" in page
    assert page.count("Restricted to:") == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_racing_the_signing_is_before_it_or_after_it(acknowledged, demo):
    from conferences.services import conference_close, conference_start

    chair = demo["hub.chair"].user
    conference_start(actor=chair, conference=acknowledged)
    conference_close(actor=chair, conference=acknowledged)
    probation = demo["probation.caseworker"].user
    def acknowledge():
        return conference_acknowledge(actor=probation, conference=acknowledged)

    # The signing holds the meeting while the acknowledgement waits for it.
    with writers_waiting_on_the_meeting(acknowledged.pk, acknowledge, count=1) as (_, errors):
        signed = minutes_sign(actor=chair, conference=acknowledged)
    assert errors == []
    attended = Attendance.objects.get(conference=acknowledged, user=probation)
    assert attended.acknowledged_at > signed.minutes_signed_at
