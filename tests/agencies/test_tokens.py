"""API tokens: hashed at rest, expiring, ended by logout, a password change and deactivation,
listed and revocable by their member; socket tickets good once, for a minute."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token

from agencies.models import ApiToken
from agencies.services import ws_ticket_issue, ws_ticket_redeem
from tests.seed import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"


def _sign_in(api, username="police.caseworker", password=PASSWORD) -> str:
    response = api().post("/api/v1/auth/token/", {"username": username, "password": password},
                          format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _client(api, token):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(api, token) -> bool:
    status = _client(api, token).get("/api/v1/me/").status_code
    assert status in (200, 401)
    return status == 200


def test_each_sign_in_issues_a_new_token_stored_only_as_a_hash(demo, api):
    first, second = _sign_in(api), _sign_in(api)
    assert first != second and _works(api, first) and _works(api, second)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM agencies_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert first not in stored and second not in stored
    assert not connection.introspection.table_names().count("authtoken_token")


def test_a_token_expires(demo, api, settings):
    token = _sign_in(api)
    row = ApiToken.objects.get(user=demo["police.caseworker"].user)
    lifetime = row.expiry - row.created
    assert abs(lifetime - settings.API_TOKEN_TTL) < timedelta(seconds=5)
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    response = _client(api, token).get("/api/v1/me/")
    assert response.status_code == 401
    assert "error" in response.json()


def test_logout_ends_that_token_only(demo, api):
    one, two = _sign_in(api), _sign_in(api)
    assert _client(api, one).post("/api/v1/auth/logout/").status_code == 204
    assert not _works(api, one)
    assert _works(api, two)


def test_logout_all_ends_every_token(demo, api):
    one, two = _sign_in(api), _sign_in(api)
    assert _client(api, one).post("/api/v1/auth/logout-all/").status_code == 204
    assert not _works(api, one) and not _works(api, two)
    assert _works(api, _sign_in(api))  # signing in again works


def test_a_password_change_ends_the_tokens(demo, api):
    token = _sign_in(api)
    other = _sign_in(api, "cps.caseworker")
    user = demo["police.caseworker"].user
    user.set_password("a new and longer passphrase")
    user.save()
    assert not _works(api, token)
    assert _works(api, other)
    assert _works(api, _sign_in(api, password="a new and longer passphrase"))


def test_the_password_change_page_ends_the_tokens(demo, api, client):
    token = _sign_in(api)
    client.force_login(demo["police.caseworker"].user)
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "a new and longer passphrase",
        "new_password2": "a new and longer passphrase"})
    assert response.status_code == 302, response.content[:500]
    assert not _works(api, token)


def test_deactivation_ends_the_tokens(demo, api):
    token = _sign_in(api)
    user = demo["police.caseworker"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not ApiToken.objects.filter(user=user).exists()
    assert not _works(api, token)


def test_a_member_lists_and_revokes_their_own_tokens(demo, api):
    mine, other = _sign_in(api), _sign_in(api)
    theirs = _sign_in(api, "cps.caseworker")
    listed = _client(api, mine).get("/api/v1/auth/tokens/").json()
    assert len(listed) == 2
    assert [t["current"] for t in listed] == [False, True]  # newest first
    assert set(listed[0]) == {"id", "created", "expiry", "last_used", "client", "current"}
    their_id = ApiToken.objects.get(user=demo["cps.caseworker"].user).pk
    assert _client(api, mine).delete(f"/api/v1/auth/tokens/{their_id}/").status_code == 404
    assert _client(api, mine).delete(f"/api/v1/auth/tokens/{10**30}/").status_code == 404
    assert _works(api, theirs)
    assert _client(api, mine).delete(f"/api/v1/auth/tokens/{listed[0]['id']}/").status_code == 204
    assert not _works(api, other) and _works(api, mine)


def test_signing_in_beyond_the_limit_ends_the_oldest_token(demo, api, settings):
    settings.API_TOKENS_PER_USER = 2
    first, second, third = _sign_in(api), _sign_in(api), _sign_in(api)
    assert not _works(api, first)
    assert _works(api, second) and _works(api, third)


def test_a_ticket_is_good_once(demo, api):
    ticket = _client(api, _sign_in(api)).post("/api/v1/auth/ws-ticket/").json()["ticket"]
    claims = ws_ticket_redeem(ticket=ticket)
    assert claims["user"] == demo["police.caseworker"].user.pk and claims["token"]
    assert ws_ticket_redeem(ticket=ticket) is None
    assert ws_ticket_redeem(ticket="not-a-ticket") is None


def test_a_ticket_lapses_after_its_time(demo, settings):
    settings.WS_TICKET_TTL = 1
    ticket = ws_ticket_issue(user=demo["police.caseworker"].user)
    time.sleep(1.2)
    assert ws_ticket_redeem(ticket=ticket) is None


def test_a_ticket_needs_a_signed_in_member(demo, api):
    response = api().post("/api/v1/auth/ws-ticket/")
    assert response.status_code == 401
    assert response.json()["error"]["code"]


def test_the_api_sign_ins_page_lists_and_ends_the_members_own(demo, api, client):
    from django.urls import reverse

    older, newer = _sign_in(api), _sign_in(api)
    theirs = _sign_in(api, "cps.caseworker")
    client.force_login(demo["police.caseworker"].user)
    url = reverse("workspace:home:api_tokens")
    assert url in client.get("/workspace/home/").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1" in html and html.count('data-testid="api-token"') == 2
    assert older not in html and newer not in html  # never shown again

    their_id = ApiToken.objects.get(user=demo["cps.caseworker"].user).pk
    client.post(url, {"revoke": their_id})
    assert _works(api, theirs)
    oldest = ApiToken.objects.filter(user=demo["police.caseworker"].user).order_by("id").first()
    assert client.post(url, {"revoke": oldest.pk}).status_code == 302
    assert not _works(api, older) and _works(api, newer)
    client.post(url, {"revoke_all": "1"})
    assert not _works(api, newer)
    assert 'data-testid="no-api-tokens"' in client.get(url).content.decode()


def test_issuing_and_ending_tokens_are_events(demo, api):
    """Who signed in to the API and when each token ended, and why, are on the trail (by the
    token's public id, never the token)."""
    from audit.models import Event

    user = demo["police.caseworker"].user
    client = api()
    issued = client.post("/api/v1/auth/token/", {"username": "police.caseworker",
                                                 "password": DEMO_PASSWORD}, format="json")
    assert issued.status_code == 200
    token = issued.json()["token"]
    event = Event.objects.get(verb="api_token.issued", actor=user)
    assert token not in str(event.changes)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    ended = Event.objects.get(verb="api_token.ended", actor=user)
    assert ended.changes["why"] == "logout" and ended.changes["tokens"] == [
        event.changes["token"]
    ]
    user.set_password("a-new-long-password-2026")
    user.save()
    client.post("/api/v1/auth/token/", {"username": "police.caseworker",
                                        "password": "a-new-long-password-2026"}, format="json")
    user.set_password("another-long-password-2026")
    user.save()
    assert Event.objects.filter(verb="api_token.ended", changes__why="password_changed").exists()


# --- The token cache ---------------------------------------------------------------------------


def _cached(token: str) -> bool:
    return isinstance(cache.get(f"api-token:{hash_token(token)}"), ApiToken)


def _token_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/me/").status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "agencies_apitoken" in q["sql"]]


def test_a_used_token_is_read_from_the_cache(demo, api):
    token = _sign_in(api)
    client = _client(api, token)
    assert not _cached(token)
    assert len(_token_queries(client)) == 1  # the first use reads the table
    assert _cached(token)
    assert _token_queries(client) == []


def _revoke_from_another_client(api, token, user, settings):
    row = ApiToken.objects.get(digest=hash_token(token))
    assert _client(api, _sign_in(api)).delete(f"/api/v1/auth/tokens/{row.pk}/").status_code == 204


def _log_out(api, token, user, settings):
    assert _client(api, token).post("/api/v1/auth/logout/").status_code == 204


def _log_out_everywhere(api, token, user, settings):
    assert _client(api, _sign_in(api)).post("/api/v1/auth/logout-all/").status_code == 204


def _change_the_password(api, token, user, settings):
    user.set_password("a new and longer passphrase")
    user.save()


def _deactivate(api, token, user, settings):
    user.is_active = False
    user.save(update_fields=["is_active"])


def _sign_in_past_the_limit(api, token, user, settings):
    settings.API_TOKENS_PER_USER = 1
    _sign_in(api)


@pytest.mark.parametrize("end", [
    _revoke_from_another_client, _log_out, _log_out_everywhere, _change_the_password,
    _deactivate, _sign_in_past_the_limit,
])
def test_a_token_ended_while_cached_is_refused_at_once(demo, api, settings, end):
    token = _sign_in(api)
    assert _works(api, token) and _cached(token)
    end(api, token, demo["police.caseworker"].user, settings)
    assert not ApiToken.objects.filter(digest=hash_token(token)).exists()
    assert not _cached(token)
    response = _client(api, token).get("/api/v1/me/")
    assert response.status_code == 401


def test_a_changed_membership_is_seen_at_once(demo, api):
    from agencies.services import member_set_roles

    token = _sign_in(api)
    client = _client(api, token)
    assert client.get("/api/v1/me/").json()["roles"] == ["caseworker"]
    member_set_roles(membership=demo["police.caseworker"], roles=["supervisor"])
    assert not _cached(token)
    assert client.get("/api/v1/me/").json()["roles"] == ["supervisor"]


def test_a_changed_agency_forgets_its_members_tokens(demo, api):
    token, other = _sign_in(api), _sign_in(api, "cps.caseworker")
    assert _works(api, token) and _works(api, other)
    agency = demo["police.caseworker"].agency
    agency.region = "north"
    agency.save()
    assert not _cached(token) and _cached(other)
    assert _works(api, token)


def test_a_cached_token_lasts_no_longer_than_the_token(demo, api):
    user = demo["police.caseworker"].user
    _, token = ApiToken.objects.create(user=user, expiry=timedelta(seconds=2))
    assert _works(api, token) and _cached(token)
    time.sleep(2.1)
    assert not _cached(token)
    assert not _works(api, token)


def test_a_read_that_overlaps_an_ending_does_not_put_the_token_back(demo):
    """A request that read the row before the ending committed finds the ending's mark and
    leaves the cache alone."""
    from agencies.token_cache import cached_live_token, forget

    _, token = ApiToken.objects.create(user=demo["police.caseworker"].user,
                                       expiry=timedelta(hours=1))
    forget([hash_token(token)])
    assert cached_live_token(token) is not None  # the row is still there: read, not cached
    assert not _cached(token)


def test_last_use_is_written_once_a_minute_however_stale_the_copy(demo):
    """Two copies of a token as the cache hands them out, both last used two minutes ago: the
    first use writes, the second finds the minute's mark and writes nothing."""
    from agencies.services import token_used

    row, _ = ApiToken.objects.create(user=demo["police.caseworker"].user,
                                     expiry=timedelta(hours=1))
    ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now() - timedelta(minutes=2))
    first, second = ApiToken.objects.get(pk=row.pk), ApiToken.objects.get(pk=row.pk)
    token_used(token=first)
    row.refresh_from_db()
    assert timezone.now() - row.last_used < timedelta(seconds=5)
    with CaptureQueriesContext(connection) as ctx:
        token_used(token=second)
    assert len(ctx) == 0
