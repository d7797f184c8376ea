"""Meetings over HTTP: who may see and run them, decisions, actions, notes, minutes."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from conferences.models import Note
from referral.access import involvement_grant
from referral.models import InvolvementBasis
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


def test_chair_creates_a_meeting(as_user, demo):
    response = as_user("hub.chair").post(
        "/api/v1/conferences/",
        {
            "title": "Weekly MASC",
            "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "invited_agencies": ["police", "advocacy"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["invited_agencies"] == ["advocacy", "hub", "police"]
    assert body["status"] == "scheduled" and body["agenda"] == []


def test_only_a_chair_creates_meetings(as_user, demo):
    response = as_user("hub.caseworker").post(
        "/api/v1/conferences/",
        {"title": "x", "starts_at": timezone.now().isoformat(), "invited_agencies": ["police"]},
        format="json",
    )
    assert response.status_code == 403


def test_unknown_agency_is_400(as_user, demo):
    response = as_user("hub.chair").post(
        "/api/v1/conferences/",
        {"title": "x", "starts_at": timezone.now().isoformat(), "invited_agencies": ["mi6"]},
        format="json",
    )
    assert response.status_code == 400 and "invited_agencies" in response.json()["error"]["fields"]


def test_uninvited_agency_gets_404(meeting, as_user, demo):
    from conferences.services import conference_uninvite

    conference_uninvite(
        actor=demo["hub.chair"].user, conference=meeting, agency=demo["probation.caseworker"].agency
    )
    assert (
        as_user("probation.caseworker").get(f"/api/v1/conferences/{meeting.pk}/").status_code == 404
    )
    assert as_user("oversight.auditor").get(f"/api/v1/conferences/{meeting.pk}/").status_code == 404


def test_case_material_needs_the_confidentiality_statement(meeting, as_user):
    police = as_user("police.caseworker")
    body = police.get(f"/api/v1/conferences/{meeting.pk}/").json()
    assert body["acknowledged"] is False
    assert "reference" not in body["agenda"][0]
    assert police.get(f"/api/v1/conferences/{meeting.pk}/notes/").status_code == 403
    assert police.get(f"/api/v1/conferences/{meeting.pk}/minutes/").status_code == 403
    body = police.post(f"/api/v1/conferences/{meeting.pk}/acknowledge/").json()
    assert body["acknowledged"] is True and body["agenda"][0]["reference"].startswith("STK-")
    assert police.get(f"/api/v1/conferences/{meeting.pk}/notes/").status_code == 200


def test_chair_runs_the_meeting(acknowledged, as_user, demo):
    meeting = acknowledged
    chair, police = as_user("hub.chair"), as_user("police.caseworker")
    assert police.post(f"/api/v1/conferences/{meeting.pk}/start/").status_code == 403
    body = chair.post(f"/api/v1/conferences/{meeting.pk}/start/").json()
    first, second = body["agenda"][0]["id"], body["agenda"][1]["id"]
    assert body["status"] == "in_session" and body["current_item"] == first
    assert chair.post(f"/api/v1/conferences/{meeting.pk}/start/").status_code == 409
    body = chair.post(f"/api/v1/conferences/{meeting.pk}/move/", {"step": 1}, format="json").json()
    assert body["current_item"] == second
    assert (
        chair.post(
            f"/api/v1/conferences/{meeting.pk}/move/", {"step": 1}, format="json"
        ).status_code
        == 409
    )

    decision = chair.post(
        f"/api/v1/conferences/{meeting.pk}/agenda/{first}/decisions/",
        {
            "text": "Apply for a Stalking Protection Order",
            "reason": "Escalating; breaches of bail.",
        },
        format="json",
    )
    assert decision.status_code == 201
    action = chair.post(
        f"/api/v1/conferences/{meeting.pk}/agenda/{first}/actions/",
        {
            "agency": "police",
            "description": "Apply for an SPO",
            "due": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert action.status_code == 201, action.content
    task = AgencyTask.objects.get(pk=action.json()["task"])
    assert (task.task_type, task.agency.slug, task.is_open) == ("action", "police", True)
    assert (
        police.post(
            f"/api/v1/conferences/{meeting.pk}/agenda/{first}/decisions/",
            {"text": "x", "reason": "y"},
            format="json",
        ).status_code
        == 403
    )
    assert Event.objects.filter(
        verb="conference.decision", reason="Escalating; breaches of bail."
    ).exists()

    chair.post(f"/api/v1/conferences/{meeting.pk}/agenda/{first}/close/")
    body = chair.post(f"/api/v1/conferences/{meeting.pk}/close/").json()
    assert body["status"] == "closed"
    minutes_task = AgencyTask.objects.get(task_type="minutes_distribution")
    assert minutes_task.agency.slug == "hub" and minutes_task.role == "chair"
    assert (
        chair.post(f"/api/v1/conferences/{meeting.pk}/sign/").json()["status"] == "minutes_signed"
    )


def test_action_outcome_comes_back_from_the_task(acknowledged, as_user, demo):
    chair = as_user("hub.chair")
    chair.post(f"/api/v1/conferences/{acknowledged.pk}/start/")
    item = acknowledged.agenda.first()
    action = chair.post(
        f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/actions/",
        {
            "agency": "advocacy",
            "description": "Safety plan",
            "due": timezone.localdate().isoformat(),
        },
        format="json",
    ).json()
    advocacy = as_user("advocacy.caseworker")
    advocacy.post(f"/api/v1/tasks/{action['task']}/claim/")
    done = advocacy.post(
        f"/api/v1/tasks/{action['task']}/complete/",
        {"outcome": "not_possible", "note": "Victim moved away."},
        format="json",
    )
    assert done.status_code == 200, done.content
    body = chair.get(f"/api/v1/conferences/{acknowledged.pk}/").json()
    assert body["agenda"][0]["actions"][0]["outcome"] == "not_possible"


def test_bad_action_input(acknowledged, as_user):
    chair = as_user("hub.chair")
    chair.post(f"/api/v1/conferences/{acknowledged.pk}/start/")
    item = acknowledged.agenda.first()
    url = f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/actions/"
    for body, field in [
        ({"agency": "nope", "description": "d", "due": "2030-01-01"}, "agency"),
        ({"agency": "police", "description": "d", "due": "2001-01-01"}, "due"),
        ({"agency": "oversight", "description": "d", "due": "2030-01-01"}, "agency"),
        ({"agency": "police", "due": "2030-01-01"}, "description"),
    ]:
        response = chair.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["error"]["fields"]
    assert not AgencyTask.objects.filter(task_type="action").exists()


def test_restricted_notes_stay_with_their_agencies(acknowledged, as_user):
    police, cps = as_user("police.caseworker"), as_user("cps.caseworker")
    url = f"/api/v1/conferences/{acknowledged.pk}/notes/"
    police.post(
        url, {"client_id": str(uuid.uuid4()), "text": "Everyone may read this"}, format="json"
    )
    r = police.post(
        url,
        {
            "client_id": str(uuid.uuid4()),
            "text": "Police and advocacy only",
            "visible_to": ["advocacy"],
        },
        format="json",
    )
    assert r.json()["visible_to"] == ["advocacy", "police"]
    texts = lambda client: [n["text"] for n in client.get(url).json()["results"]]  # noqa: E731
    assert texts(police) == ["Everyone may read this", "Police and advocacy only"]
    assert texts(as_user("advocacy.caseworker")) == texts(police)
    assert texts(cps) == ["Everyone may read this"]
    minutes = cps.get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
    assert "Police and advocacy only" not in str(minutes)
    assert "Police and advocacy only" in str(
        police.get(f"/api/v1/conferences/{acknowledged.pk}/minutes/").json()
    )


def test_same_client_id_stores_one_note(acknowledged, as_user):
    url = f"/api/v1/conferences/{acknowledged.pk}/notes/"
    body = {"client_id": str(uuid.uuid4()), "text": "Once"}
    police = as_user("police.caseworker")
    first, again = police.post(url, body, format="json"), police.post(url, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["seq"] == again.json()["seq"]
    assert Note.objects.count() == 1


def test_notes_since(acknowledged, as_user):
    url = f"/api/v1/conferences/{acknowledged.pk}/notes/"
    police = as_user("police.caseworker")
    for n in range(5):
        police.post(url, {"client_id": str(uuid.uuid4()), "text": f"n{n}"}, format="json")
    body = police.get(url + "?since=3").json()
    assert [n["seq"] for n in body["results"]] == [4, 5] and body["last_seq"] == 5


def test_stale_edit_conflicts(acknowledged, as_user):
    url = f"/api/v1/conferences/{acknowledged.pk}/notes/"
    police = as_user("police.caseworker")
    note = police.post(url, {"client_id": str(uuid.uuid4()), "text": "v1"}, format="json").json()
    ok = police.patch(f"{url}{note['id']}/", {"version": 1, "text": "v2"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = police.patch(f"{url}{note['id']}/", {"version": 1, "text": "v2b"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    other = as_user("cps.caseworker").patch(
        f"{url}{note['id']}/", {"version": 2, "text": "x"}, format="json"
    )
    assert other.status_code == 409


def test_signed_minutes_lock_notes_but_take_addenda(acknowledged, as_user):
    chair = as_user("hub.chair")
    url = f"/api/v1/conferences/{acknowledged.pk}/notes/"
    note = chair.post(url, {"client_id": str(uuid.uuid4()), "text": "Said X"}, format="json").json()
    for step in ("start", "close", "sign"):
        chair.post(f"/api/v1/conferences/{acknowledged.pk}/{step}/")
    assert (
        chair.patch(
            f"{url}{note['id']}/", {"version": 1, "text": "Said Y"}, format="json"
        ).status_code
        == 409
    )
    assert (
        chair.post(url, {"client_id": str(uuid.uuid4()), "text": "late"}, format="json").status_code
        == 409
    )
    addendum = chair.post(
        url,
        {"client_id": str(uuid.uuid4()), "text": "Correction: said Y", "addendum_to": note["id"]},
        format="json",
    )
    assert addendum.status_code == 201 and addendum.json()["addendum_to"] == note["id"]


def test_note_text_is_plain_and_bounded(acknowledged, as_user):
    url = f"/api/v1/conferences/{acknowledged.pk}/notes/"
    police = as_user("police.caseworker")
    script = "<script>alert(1)</script>"
    stored = police.post(url, {"client_id": str(uuid.uuid4()), "text": script}, format="json")
    assert stored.json()["text"] == script  # stored as typed; pages escape it
    too_long = police.post(url, {"client_id": str(uuid.uuid4()), "text": "x" * 5001}, format="json")
    assert too_long.status_code == 400
    bad_vis = police.post(
        url, {"client_id": str(uuid.uuid4()), "text": "x", "visible_to": ["mi6"]}, format="json"
    )
    assert bad_vis.status_code == 400


def test_repeat_cases_and_outstanding_actions(acknowledged, as_user, demo, submit_case):
    from conferences.services import agenda_add, conference_acknowledge, conference_create

    chair = as_user("hub.chair")
    chair.post(f"/api/v1/conferences/{acknowledged.pk}/start/")
    item = acknowledged.agenda.first()
    chair.post(
        f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/actions/",
        {
            "agency": "police",
            "description": "Arrest for breach",
            "due": timezone.localdate().isoformat(),
        },
        format="json",
    )
    chair.post(f"/api/v1/conferences/{acknowledged.pk}/agenda/{item.pk}/close/")
    later = conference_create(
        actor=demo["hub.chair"].user,
        title="Next",
        starts_at=timezone.now() + timedelta(days=14),
        invited=[demo["police.caseworker"].agency],
    )
    again = agenda_add(referral=item.referral, conference_id=later.pk, actor=demo["hub.chair"].user)
    assert again.is_repeat
    conference_acknowledge(actor=demo["hub.chair"].user, conference=later)
    body = chair.get(f"/api/v1/conferences/{later.pk}/").json()
    assert [a["description"] for a in body["outstanding_actions"]] == ["Arrest for breach"]


def test_outstanding_actions_of_a_linked_case_the_agency_may_not_see_stay_out(
    as_user, demo, submit_case
):
    """The earlier case of the same pair is on the new case's timeline; an attendee whose
    agency may see only the new case is not shown the earlier case's actions."""
    from conferences.services import agenda_add, conference_acknowledge, conference_create
    from referral.models import Referral

    chair_user = demo["hub.chair"].user
    earlier = conference_create(
        actor=chair_user, title="Earlier", starts_at=timezone.now() + timedelta(hours=1),
        invited=[demo["police.caseworker"].agency],
    )
    older = submit_case(76)
    involvement_grant(referral=older, agency=demo["hub.chair"].agency,
                      basis=InvolvementBasis.TASK, source="test")
    item = agenda_add(referral=older, conference_id=earlier.pk, actor=chair_user)
    conference_acknowledge(actor=chair_user, conference=earlier)
    chair = as_user("hub.chair")
    chair.post(f"/api/v1/conferences/{earlier.pk}/start/")
    response = chair.post(
        f"/api/v1/conferences/{earlier.pk}/agenda/{item.pk}/actions/",
        {"agency": "police", "description": "HIDDEN-ACTION-MARKER",
         "due": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    chair.post(f"/api/v1/conferences/{earlier.pk}/agenda/{item.pk}/close/")

    newer = submit_case(77)
    Referral.objects.filter(pk=newer.pk).update(timeline_id=older.timeline_id)
    newer.refresh_from_db()
    involvement_grant(referral=newer, agency=demo["hub.chair"].agency,
                      basis=InvolvementBasis.TASK, source="test")
    later = conference_create(
        actor=chair_user, title="Next", starts_at=timezone.now() + timedelta(days=14),
        invited=[demo["probation.caseworker"].agency],
    )
    agenda_add(referral=newer, conference_id=later.pk, actor=chair_user)
    for username in ("hub.chair", "probation.caseworker"):
        conference_acknowledge(actor=demo[username].user, conference=later)
    seen_by_chair = chair.get(f"/api/v1/conferences/{later.pk}/").json()
    assert [a["description"] for a in seen_by_chair["outstanding_actions"]] == [
        "HIDDEN-ACTION-MARKER"
    ]
    probation = as_user("probation.caseworker").get(f"/api/v1/conferences/{later.pk}/")
    assert probation.status_code == 200
    assert probation.json()["outstanding_actions"] == []
    assert "HIDDEN-ACTION-MARKER" not in probation.content.decode()
