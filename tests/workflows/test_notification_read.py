"""One notice marked read: the service, its API endpoint and the notifications page."""

import pytest

from config.exceptions import NotFound
from workflows import services
from workflows.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(refer, demo, django_capture_on_commit_callbacks):
    """Two referrals: each tells the hub's caseworker of a triage in the queue (after commit)."""
    for who in ("ab", "cd"):
        with django_capture_on_commit_callbacks(execute=True):
            refer(
                victim={"name": f"Victim {who}", "date_of_birth": "1990-04-01"},
                suspect={"name": f"Suspect {who}", "date_of_birth": "1975-02-11"},
            )
    found = list(Notification.objects.filter(user=demo["hub.caseworker"].user).order_by("id"))
    assert len(found) >= 2 and all(n.read_at is None for n in found)
    return found


def test_marking_one_read_leaves_the_others_unread(notices, demo):
    user = demo["hub.caseworker"].user
    first, second = notices[0], notices[1]
    marked = services.notification_mark_read(user=user, notification_id=first.pk)
    assert marked.read_at is not None
    second.refresh_from_db()
    assert second.read_at is None
    # Again: the first time stays.
    again = services.notification_mark_read(user=user, notification_id=first.pk)
    assert again.read_at == marked.read_at


def test_another_members_notice_is_not_found(notices, demo):
    with pytest.raises(NotFound):
        services.notification_mark_read(
            user=demo["hub.supervisor"].user, notification_id=notices[0].pk
        )
    with pytest.raises(NotFound):
        services.notification_mark_read(user=demo["hub.caseworker"].user, notification_id="x")
    notices[0].refresh_from_db()
    assert notices[0].read_at is None


def test_the_api_marks_one_read_and_answers_the_unread_count(notices, as_user, document):
    client = as_user("hub.caseworker")
    unread = client.get("/api/v1/notifications/").json()["unread"]
    response = client.post(f"/api/v1/notifications/{notices[0].pk}/read/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == notices[0].pk and body["read"] is True
    assert body["unread"] == unread - 1
    assert as_user("hub.supervisor").post(
        f"/api/v1/notifications/{notices[0].pk}/read/"
    ).status_code == 404
    assert as_user("hub.caseworker").post("/api/v1/notifications/999999/read/").status_code == 404
    operation = document["paths"]["/api/v1/notifications/{notification_id}/read/"]["post"]
    assert {"200", "404"} <= set(operation["responses"])


def test_the_page_marks_one_read_and_links_each_notice(notices, demo, client):
    client.force_login(demo["hub.caseworker"].user)
    html = client.get("/workspace/tasks/notifications/").content.decode()
    assert html.count('data-testid="mark-read"') == len(notices)
    assert 'href="/workspace/tasks/' in html  # the task each is about
    assert "<title>Notifications · Concord</title>" in html and html.count("<h1") == 1
    response = client.post(
        f"/workspace/tasks/notifications/{notices[0].pk}/read/",
        {"next": "/workspace/tasks/notifications/"},
    )
    assert response.status_code == 302 and response.url == "/workspace/tasks/notifications/"
    notices[0].refresh_from_db()
    assert notices[0].read_at is not None
    page = client.get(response.url).content.decode()
    assert page.count('data-testid="mark-read"') == len(notices) - 1
    assert page.count("Notification marked as read.") == 1  # once: no toast beside it
    other = client.post(f"/workspace/tasks/notifications/{notices[0].pk + 10_000}/read/")
    assert other.status_code == 404
