"""The meeting pages: scheduling, the agenda, cancelling, addenda, and who may open them."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conferences.models import AgendaItem, Conference
from conferences.services import (
    agenda_add,
    conference_close,
    conference_create,
    conference_start,
    minutes_sign,
)
from referral.access import involvement_grant
from referral.models import InvolvementBasis

pytestmark = pytest.mark.django_db


def _client(demo, username) -> Client:
    client = Client()
    client.force_login(demo[username].user)
    return client


def _agenda(meeting) -> list[str]:
    return [
        i.referral.reference
        for i in meeting.agenda.exclude(status=AgendaItem.Status.REMOVED).order_by("position")
    ]


def test_a_chair_schedules_a_meeting_on_a_page(demo):
    chair = _client(demo, "hub.chair")
    page = chair.get("/workspace/conferences/")
    assert b"POST /api/v1" not in page.content and b"Schedule a meeting" in page.content
    form = chair.get("/workspace/conferences/new/").content.decode()
    assert "<title>Schedule a meeting · Concord</title>" in form
    assert "Police Public Protection Unit" in form and 'value="police"' not in form
    police = demo["police.caseworker"].agency
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = chair.post("/workspace/conferences/new/", {
        "title": "Leeds MASC", "starts_at": when, "place": "Room 4",
        "invited_agencies": [police.pk],
    })
    conference = Conference.objects.get(title="Leeds MASC")
    assert response.status_code == 302 and response.url.endswith(f"/{conference.pk}/agenda/")
    assert sorted(conference.invited_agencies.values_list("slug", flat=True)) == ["hub", "police"]


def test_schedule_errors_are_listed_at_the_top(demo):
    response = _client(demo, "hub.chair").post("/workspace/conferences/new/", {"title": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Schedule a meeting · Concord</title>" in page
    assert 'class="concord-error-summary"' in page and 'href="#id_title"' in page
    assert 'href="#id_invited_agencies' in page


def test_only_a_chair_schedules(demo):
    assert _client(demo, "hub.caseworker").get("/workspace/conferences/new/").status_code == 403
    assert b"Schedule a meeting" not in _client(demo, "hub.caseworker").get(
        "/workspace/conferences/").content


def test_the_chair_manages_the_agenda(meeting, demo, submit_case):
    chair = _client(demo, "hub.chair")
    url = f"/workspace/conferences/{meeting.pk}/agenda/"
    first, second = _agenda(meeting)
    items = {i.referral.reference: i.pk for i in meeting.agenda.all()}
    chair.post(url, {"action": "down", "item": items[first]})
    assert _agenda(meeting) == [second, first]
    chair.post(url, {"action": "up", "item": items[first]})
    assert _agenda(meeting) == [first, second]
    chair.post(url, {"action": "remove", "item": items[second]})
    assert _agenda(meeting) == [first]
    # A case the hub may see goes on by its reference; one it may not is not found.
    seen = submit_case(7)

    involvement_grant(referral=seen, agency=demo["hub.chair"].agency,
                      basis=InvolvementBasis.TASK, source="test")
    response = chair.post(url, {"action": "add", "reference": seen.reference.lower()})
    assert response.status_code == 302 and _agenda(meeting) == [first, seen.reference]
    hidden = submit_case(8)
    page = chair.post(url, {"action": "add", "reference": hidden.reference}).content.decode()
    assert f"No case {hidden.reference} that your agency can see." in page
    assert "Error: Agenda of Leeds MASC" in page
    assert _agenda(meeting) == [first, seen.reference]


def test_the_agenda_page_is_the_chairs(meeting, demo):
    url = f"/workspace/conferences/{meeting.pk}/agenda/"
    assert _client(demo, "police.caseworker").get(url).status_code == 403
    assert _client(demo, "hub.chair").get(url).status_code == 200


@pytest.mark.parametrize("path", ["", "agenda/", "edit/", "cancel/", "minutes/"])
def test_a_member_of_an_agency_not_invited_gets_404(demo, path):
    conference = conference_create(
        actor=demo["hub.chair"].user, title="Small", starts_at=timezone.now() + timedelta(days=1),
        invited=[demo["police.caseworker"].agency],
    )
    response = _client(demo, "cps.caseworker").get(f"/workspace/conferences/{conference.pk}/{path}")
    assert response.status_code == 404


def test_the_chair_changes_then_cancels_a_meeting(meeting, demo):
    chair = _client(demo, "hub.chair")
    edit = f"/workspace/conferences/{meeting.pk}/edit/"
    page = chair.get(edit).content.decode()
    assert 'value="Leeds MASC"' in page
    when = (timezone.localtime() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    response = chair.post(edit, {"title": "Leeds MASC, April", "starts_at": when, "place": "",
                                 "invited_agencies": [demo["police.caseworker"].agency.pk]})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Leeds MASC, April"
    cancel = f"/workspace/conferences/{meeting.pk}/cancel/"
    page = chair.post(cancel, {"reason": "No chair available"}).content.decode()
    assert "take them off the agenda" in page  # the agenda still has its two cases
    for item in meeting.agenda.all():
        chair.post(f"/workspace/conferences/{meeting.pk}/agenda/",
                   {"action": "remove", "item": item.pk})
    assert chair.post(cancel, {"reason": "No chair available"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_an_addendum_is_added_on_the_minutes_page(acknowledged, demo):
    chair = demo["hub.chair"].user
    url = f"/workspace/conferences/{acknowledged.pk}/minutes/"
    police = _client(demo, "police.caseworker")
    assert b"addendum-form" not in police.get(url).content
    conference_start(actor=chair, conference=acknowledged)
    conference_close(actor=chair, conference=acknowledged)
    minutes_sign(actor=chair, conference=acknowledged)
    page = police.get(url).content.decode()
    assert "addendum-form" in page and "Held on" in page
    key = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    item = acknowledged.agenda.order_by("position").first()
    for _ in range(2):  # a resubmitted form adds it once
        response = police.post(url, {"client_id": key, "agenda_item": item.pk,
                                     "text": "The order was granted on 3 March."})
        assert response.status_code == 302
    page = _client(demo, "cps.caseworker").get(url).content.decode()
    assert page.count("The order was granted on 3 March.") == 1
    assert "Addendum" in page and "Police Caseworker, Police Public Protection Unit" in page
    blank = police.post(url, {"client_id": key, "text": ""}).content.decode()
    assert "There is a problem" in blank


def _queries(client, url) -> int:
    client.get(url)  # the session's first request of a page writes the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_and_agenda_pages_read_a_fixed_number_of_queries(meeting, demo, submit_case):
    chair = _client(demo, "hub.chair")
    agenda = f"/workspace/conferences/{meeting.pk}/agenda/"
    before = (_queries(chair, "/workspace/conferences/"), _queries(chair, agenda))
    for n in range(3, 6):
        referral = submit_case(n)
        involvement_grant(referral=referral, agency=demo["hub.chair"].agency,
                          basis=InvolvementBasis.TASK, source="test")
        agenda_add(referral=referral, conference_id=meeting.pk, actor=demo["hub.chair"].user)
        conference_create(actor=demo["hub.chair"].user, title=f"More {n}",
                          starts_at=timezone.now() + timedelta(days=n),
                          invited=[demo["police.caseworker"].agency])
    assert (_queries(chair, "/workspace/conferences/"), _queries(chair, agenda)) == before

