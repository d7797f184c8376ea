"""Through live servers: a meeting's socket lives under the browser session's limits, and under
its API token's for a ticket; a member holds a bounded number of sockets across processes."""

import asyncio
import json
import time

import pytest
import websockets
from django.conf import settings

from config.session_limits import SEEN, STARTED
from tests.conferences.live import Server
from tests.threads import run_scenario
from tests.tokens import ticket_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.live,
    pytest.mark.skipif(not settings.REDIS_URL, reason="servers share tickets and counts via Redis"),
]


@pytest.fixture
def server():
    # Re-checks every second, so that a silent socket's end is seen quickly.
    started = Server(WS_RECHECK_SECONDS="1")
    yield started
    started.stop()


def _signed_in(client, user) -> str:
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _clocks(client, *, idle: int = 0, age: int = 0) -> None:
    """Set the session's clocks as if it was last used `idle` seconds ago and began `age` ago."""
    session = client.session
    now = int(time.time())
    session[STARTED], session[SEEN] = now - age, now - idle
    session.save()


async def _cookie_socket(server, meeting, cookie: str):
    return await websockets.connect(
        f"{server.ws_url}/ws/conferences/{meeting.pk}/",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
                            "Origin": server.url},
    )


async def _ticket_socket(server, meeting, ticket: str):
    return await websockets.connect(f"{server.ws_url}/ws/conferences/{meeting.pk}/?ticket={ticket}")


async def _first(ws, timeout=10) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _closed_with(ws, timeout=10) -> tuple[int, list[str]]:
    """The close code, and the types of the messages received before it."""
    kinds = []
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            kinds.append((await _first(ws, timeout))["type"])
    return closed.value.rcvd.code, kinds


@pytest.mark.parametrize("clocks", [{"idle": 31 * 60}, {"age": 12 * 3600 + 1}],
                         ids=["idle-30-minutes", "older-than-12-hours"])
def test_a_session_http_refuses_opens_no_socket(server, acknowledged, demo, client, clocks):
    cookie = _signed_in(client, demo["police.caseworker"].user)
    _clocks(client, **clocks)

    async def scenario():
        ws = await _cookie_socket(server, acknowledged, cookie)
        return await _closed_with(ws)

    code, kinds = run_scenario(scenario)
    assert (code, kinds) == (4401, [])  # closed before any meeting.state
    assert client.get("/api/v1/me/").status_code == 401  # HTTP refuses the same session


def test_a_session_that_runs_out_while_open_is_closed_at_the_next_message(
        server, acknowledged, demo, client):
    cookie = _signed_in(client, demo["police.caseworker"].user)

    async def scenario():
        ws = await _cookie_socket(server, acknowledged, cookie)
        assert (await _first(ws))["type"] == "meeting.state"
        await ws.send(json.dumps({"type": "ping"}))
        kinds = [(await _first(ws))["type"]]
        while kinds[-1] != "pong":
            kinds.append((await _first(ws))["type"])
        _clocks(client, idle=31 * 60)
        await ws.send(json.dumps({"type": "ping"}))
        return await _closed_with(ws)

    code, kinds = run_scenario(scenario)
    assert code == 4401 and "pong" not in kinds


def test_a_silent_socket_is_closed_when_its_session_ends(server, acknowledged, demo, client):
    """Signing out over HTTP (the session is gone) ends the page's socket without its sending."""
    cookie = _signed_in(client, demo["police.caseworker"].user)

    async def scenario():
        ws = await _cookie_socket(server, acknowledged, cookie)
        assert (await _first(ws))["type"] == "meeting.state"
        client.logout()
        return await _closed_with(ws, timeout=10)

    code, _ = run_scenario(scenario)
    assert code == 4401


def test_messages_on_the_socket_keep_the_session_in_use(server, acknowledged, demo, client):
    cookie = _signed_in(client, demo["police.caseworker"].user)

    async def scenario():
        ws = await _cookie_socket(server, acknowledged, cookie)
        assert (await _first(ws))["type"] == "meeting.state"
        _clocks(client, idle=20 * 60)
        await ws.send(json.dumps({"type": "ping"}))
        while (await _first(ws))["type"] != "pong":
            pass
        await ws.close()

    run_scenario(scenario)
    assert int(time.time()) - client.session[SEEN] < 60
    assert client.get("/api/v1/me/").status_code == 200


def test_a_member_holds_at_most_the_set_number_of_sockets_across_servers(acknowledged, demo):
    one, two = Server(WS_SOCKETS_PER_USER="3"), Server(WS_SOCKETS_PER_USER="3")
    user = demo["police.caseworker"].user

    async def scenario():
        opened = []
        for server in (one, one, two):
            ws = await _ticket_socket(server, acknowledged, ticket_for(user))
            assert (await _first(ws))["type"] == "meeting.state"
            opened.append(ws)
        extra = await _ticket_socket(server, acknowledged, ticket_for(user))
        code, kinds = await _closed_with(extra)
        assert code == 4429 and "meeting.state" not in kinds
        # Another member is not counted against this one.
        cps = await _ticket_socket(one, acknowledged, ticket_for(demo["cps.caseworker"].user))
        assert (await _first(cps))["type"] == "meeting.state"
        # A place given up is free again.
        await opened.pop().close()
        await asyncio.sleep(0.5)
        again = await _ticket_socket(one, acknowledged, ticket_for(user))
        assert (await _first(again))["type"] == "meeting.state"
        for ws in [*opened, cps, again]:
            await ws.close()

    try:
        run_scenario(scenario)
    finally:
        one.stop()
        two.stop()


def test_a_ticket_socket_ends_with_its_api_token(server, acknowledged, demo, api):
    """A ticket asked for with an API token: revoking the token ends the socket."""
    signed_in = api()
    response = signed_in.post("/api/v1/auth/token/",
                              {"username": "police.caseworker", "password": "demo-pass-2026"},
                              format="json")
    assert response.status_code == 200, response.content
    signed_in.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    ticket = signed_in.post("/api/v1/auth/ws-ticket/").json()["ticket"]

    async def scenario():
        ws = await _ticket_socket(server, acknowledged, ticket)
        assert (await _first(ws))["type"] == "meeting.state"
        assert signed_in.post("/api/v1/auth/logout/").status_code == 204
        await ws.send(json.dumps({"type": "ping"}))
        return await _closed_with(ws)

    code, kinds = run_scenario(scenario)
    assert code == 4401 and "pong" not in kinds


def test_the_long_lived_token_is_refused_in_the_url(server, acknowledged, demo):
    from tests.tokens import token_for

    token = token_for(demo["police.caseworker"].user)

    async def scenario():
        ws = await websockets.connect(
            f"{server.ws_url}/ws/conferences/{acknowledged.pk}/?token={token}")
        return await _closed_with(ws)

    assert run_scenario(scenario) == (4401, [])


def test_a_session_past_the_password_only_opens_no_socket(server, acknowledged, demo, client):
    """A member who is not a demo account and has not passed the second factor reaches no page,
    no API and no socket."""
    from agencies.models import Membership

    member = demo["police.caseworker"]
    Membership.objects.filter(pk=member.pk).update(demo_account=False)
    cookie = _signed_in(client, member.user)

    async def scenario():
        ws = await _cookie_socket(server, acknowledged, cookie)
        return await _closed_with(ws)

    code, kinds = run_scenario(scenario)
    assert code == 4401 and "meeting.state" not in kinds
