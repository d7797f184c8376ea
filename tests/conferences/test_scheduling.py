"""Changing and cancelling a scheduled meeting, and addenda to signed minutes: the services,
their events, their API, and who may use them."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency
from audit.models import Event
from conferences.models import Conference, Note
from conferences.selectors import conference_get
from conferences.services import (
    agenda_remove,
    conference_cancel,
    conference_close,
    conference_create,
    conference_start,
    conference_update,
    minutes_sign,
    note_add,
)
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound
from referral import access
from referral.models import Referral

pytestmark = pytest.mark.django_db


def _later(days=3):
    return timezone.now() + timedelta(days=days)


def _visible_to(referral, slug) -> bool:
    agency = Agency.objects.get(slug=slug)
    member = agency.memberships.select_related("agency").first()
    return Referral.objects.filter(access.case_visibility(member), pk=referral.pk).exists()


def test_the_chair_changes_a_meeting_and_who_is_invited(meeting, demo):
    chair = demo["hub.chair"].user
    police, ftac = demo["police.caseworker"].agency, demo["ftac.caseworker"].agency
    referral = meeting.agenda.first().referral
    assert _visible_to(referral, "ftac")
    conference_update(actor=chair, conference=meeting, title="Leeds MASC (moved)",
                      starts_at=_later(5), place="Room 4", invited=[police])
    meeting.refresh_from_db()
    assert meeting.title == "Leeds MASC (moved)" and meeting.place == "Room 4"
    assert sorted(meeting.invited_agencies.values_list("slug", flat=True)) == ["hub", "police"]
    # Withdrawn agencies lose the cases they saw through the meeting only.
    assert not _visible_to(referral, "ftac")
    event = Event.objects.filter(verb="conference.updated").get()
    assert event.changes["title"] == ["Leeds MASC", "Leeds MASC (moved)"]
    assert event.changes["uninvited"] == ["advocacy", "cps", "ftac", "probation"]
    conference_update(actor=chair, conference=meeting, title="Leeds MASC", starts_at=_later(5),
                      place="", invited=[police, ftac])
    assert _visible_to(referral, "ftac")


def test_only_the_chair_changes_a_meeting_and_only_before_it_starts(meeting, demo):
    police = demo["police.caseworker"]
    with pytest.raises(NotAllowed):
        conference_update(actor=police.user, conference=meeting, title="x", starts_at=_later(),
                          place="", invited=[])
    Conference.objects.filter(pk=meeting.pk).update(status=Conference.Status.IN_SESSION)
    with pytest.raises(Conflict):
        conference_update(actor=demo["hub.chair"].user, conference=meeting, title="x",
                          starts_at=_later(), place="", invited=[])


def test_a_meeting_is_cancelled_with_a_reason_once_its_agenda_is_empty(meeting, demo):
    chair = demo["hub.chair"].user
    with pytest.raises(DomainError) as blank:
        conference_cancel(actor=chair, conference=meeting, reason="  ")
    assert blank.value.fields == {"reason": ["Enter the reason."]}
    with pytest.raises(Conflict) as waiting:
        conference_cancel(actor=chair, conference=meeting, reason="Chair unwell")
    assert "2 cases" in waiting.value.message
    for item in meeting.agenda.all():
        agenda_remove(actor=chair, item=item)
    with pytest.raises(NotAllowed):
        conference_cancel(actor=demo["police.caseworker"].user, conference=meeting,
                          reason="Chair unwell")
    conference_cancel(actor=chair, conference=meeting, reason="Chair unwell")
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert Event.objects.get(verb="conference.cancelled").reason == "Chair unwell"
    with pytest.raises(Conflict):
        conference_cancel(actor=chair, conference=meeting, reason="again")


def test_edit_and_cancel_over_the_api(meeting, as_user, demo):
    chair = as_user("hub.chair")
    url = f"/api/v1/conferences/{meeting.pk}/"
    response = chair.patch(url, {"title": "Renamed", "invited_agencies": ["police"]},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert response.json()["invited_agencies"] == ["hub", "police"]
    assert chair.patch(url, {"invited_agencies": ["nowhere"]}, format="json").status_code == 400
    assert as_user("police.caseworker").patch(url, {"title": "x"}, format="json").status_code == 403
    # An agency no longer invited does not see the meeting at all.
    assert as_user("cps.caseworker").patch(url, {"title": "x"}, format="json").status_code == 404
    assert as_user("cps.caseworker").post(url + "cancel/", {"reason": "x"},
                                          format="json").status_code == 404
    assert chair.post(url + "cancel/", {"reason": "x"}, format="json").status_code == 409
    assert chair.post(url + "cancel/", {}, format="json").status_code == 400


def _signed(meeting, demo):
    chair = demo["hub.chair"].user

    conference_start(actor=chair, conference=meeting)
    conference_close(actor=chair, conference=meeting)
    minutes_sign(actor=chair, conference=meeting)


def test_an_addendum_goes_only_on_signed_minutes_and_onto_the_trail(acknowledged, demo, as_user):
    police = demo["police.caseworker"].user
    item = acknowledged.agenda.order_by("position").first()
    with pytest.raises(Conflict):
        note_add(actor=police, conference=acknowledged, client_id=uuid.uuid4(), text="x",
                 addendum=True)
    _signed(acknowledged, demo)
    with pytest.raises(Conflict):  # a plain note is refused once signed
        note_add(actor=police, conference=acknowledged, client_id=uuid.uuid4(), text="late")
    note, created = note_add(actor=police, conference=acknowledged, client_id=uuid.uuid4(),
                             text="The SPO was applied for on 3 March", agenda_item=item.pk,
                             addendum=True)
    assert created and note.is_addendum and note.addendum_to_id is None
    event = Event.objects.get(verb="minutes.addendum")
    assert event.referral_id == item.referral_id and event.changes["seq"] == note.seq
    minutes = as_user("cps.caseworker").get(
        f"/api/v1/conferences/{acknowledged.pk}/minutes/"
    ).json()
    notes = [n for i in minutes["items"] for n in i["notes"]]
    assert [n["text"] for n in notes if n["is_addendum"]] == ["The SPO was applied for on 3 March"]
    assert notes[0]["author_name"] == "Police Caseworker"
    over_api = as_user("cps.caseworker").post(
        f"/api/v1/conferences/{acknowledged.pk}/notes/",
        {"client_id": str(uuid.uuid4()), "text": "Also", "addendum": True}, format="json",
    )
    assert over_api.status_code == 201 and over_api.json()["is_addendum"] is True
    assert Note.objects.filter(conference=acknowledged, is_addendum=True).count() == 2


def test_the_minutes_say_when_the_meeting_was_held(acknowledged, demo, as_user):
    _signed(acknowledged, demo)
    acknowledged.refresh_from_db()
    minutes = as_user("police.caseworker").get(
        f"/api/v1/conferences/{acknowledged.pk}/minutes/"
    ).json()
    assert minutes["started_at"] and minutes["closed_at"]
    people = {(a["name"], a["agency_name"]) for a in minutes["attendance"]}
    assert ("Police Caseworker", "Police Public Protection Unit") in people


def test_a_meeting_scheduled_for_another_agency_is_not_seen(demo):
    conference = conference_create(actor=demo["hub.chair"].user, title="Small", starts_at=_later(),
                                   invited=[demo["police.caseworker"].agency])

    with pytest.raises(NotFound):
        conference_get(user=demo["cps.caseworker"].user, conference_id=conference.pk)
