"""Browser sessions end after 30 idle minutes and after 12 hours in all."""

import pytest

pytestmark = pytest.mark.django_db


def _signed_in(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="hub.caseworker"))
    assert client.get("/workspace/home/").status_code == 200
    return client


def _shift(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_active_session_stays(demo, client):
    _signed_in(client)
    _shift(client, "concord_seen_at", 29 * 60)
    assert client.get("/workspace/home/").status_code == 200


def test_idle_session_expires(demo, client):
    _signed_in(client)
    _shift(client, "concord_seen_at", 31 * 60)
    response = client.get("/workspace/home/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_session_ends_after_twelve_hours_even_if_active(demo, client):
    _signed_in(client)
    _shift(client, "concord_started_at", 12 * 3600 + 1)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"


def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Concord" in response.content
