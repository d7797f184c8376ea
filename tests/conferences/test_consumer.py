"""The live-notes socket with channels' WebsocketCommunicator, on the Redis channel layer."""

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from conferences.models import Conference, Note
from config.asgi import application
from tests.threads import run_scenario
from tests.tokens import ticket_for, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_runs_on_the_redis_layer():
    if settings.REDIS_URL:
        from channels.layers import get_channel_layer
        from channels_redis.pubsub import RedisPubSubChannelLayer

        from conferences.channel_layer import MeetingChannelLayer

        layer = get_channel_layer()
        assert isinstance(layer, MeetingChannelLayer)
        assert isinstance(layer, RedisPubSubChannelLayer)


def _ticket(demo, username):
    return ticket_for(demo[username].user)


def _socket(meeting, ticket):
    return WebsocketCommunicator(application, f"/ws/conferences/{meeting.pk}/?ticket={ticket}")


async def _connect(meeting, ticket):
    ws = _socket(meeting, ticket)
    connected, _ = await ws.connect()
    assert connected
    state = await ws.receive_json_from(timeout=5)
    return ws, state


async def _until(ws, kind, timeout=5):
    while True:
        message = await ws.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message


async def _quiet(ws):
    """Read until nothing more comes for a moment (a timed-out receive would end the app)."""
    while not await ws.receive_nothing(timeout=0.5):
        await ws.receive_from()


async def _close_code(ws):
    message = await ws.receive_output(timeout=5)
    while message["type"] == "websocket.send":
        message = await ws.receive_output(timeout=5)
    return message


@pytest.mark.parametrize("who", ["probation.caseworker", "oversight.auditor", "hub.caseworker"])
def test_unacknowledged_or_uninvited_are_closed_with_4403(meeting, demo, who):
    async def scenario():
        ws = _socket(meeting, _ticket(demo, who))
        connected, _ = await ws.connect()
        assert connected
        closed = await _close_code(ws)
        assert closed == {"type": "websocket.close", "code": 4403}

    run_scenario(scenario)


def test_an_unknown_ticket_is_closed_with_4401(meeting):
    async def scenario():
        ws = _socket(meeting, "not-a-ticket")
        await ws.connect()
        assert (await _close_code(ws))["code"] == 4401

    run_scenario(scenario)


def test_a_ticket_opens_one_socket_only(acknowledged, demo):
    ticket = _ticket(demo, "police.caseworker")

    async def scenario():
        first, state = await _connect(acknowledged, ticket)
        assert state["type"] == "meeting.state"
        again = _socket(acknowledged, ticket)
        await again.connect()
        assert (await _close_code(again))["code"] == 4401
        await first.disconnect()

    run_scenario(scenario)


def test_the_api_token_is_refused_in_the_url(acknowledged, demo):
    token = token_for(demo["police.caseworker"].user)

    async def scenario():
        ws = WebsocketCommunicator(application, f"/ws/conferences/{acknowledged.pk}/?token={token}")
        await ws.connect()
        assert (await _close_code(ws))["code"] == 4401

    run_scenario(scenario)


def _cookie_socket(meeting, cookie: bytes, *, origin=b"http://testserver", query=""):
    return WebsocketCommunicator(application, f"/ws/conferences/{meeting.pk}/{query}",
                                 headers=[(b"cookie", cookie), (b"origin", origin)])


def _session_cookie(client) -> bytes:
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def test_cookie_sockets_need_our_origin(acknowledged, demo, client):
    client.force_login(demo["police.caseworker"].user)

    async def scenario():
        good = _cookie_socket(acknowledged, _session_cookie(client))
        assert (await good.connect())[0]
        assert (await good.receive_json_from(timeout=5))["type"] == "meeting.state"
        await good.disconnect()
        evil = _cookie_socket(acknowledged, _session_cookie(client), origin=b"http://evil.example")
        assert not (await evil.connect())[0]

    run_scenario(scenario)


@pytest.mark.parametrize("spoil", ["signed_out", "password_changed", "deactivated", "garbage",
                                   "no_cookie"])
def test_a_session_that_no_longer_signs_in_is_closed_with_4403(acknowledged, demo, client,
                                                                spoil):
    user = demo["police.caseworker"].user
    client.force_login(user)
    cookie = _session_cookie(client)
    if spoil == "signed_out":
        client.logout()
    elif spoil == "password_changed":
        user.set_password("a new and different passphrase")
        user.save(update_fields=["password"])
    elif spoil == "deactivated":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif spoil == "garbage":
        cookie = b"sessionid=not-a-session"
    else:
        cookie = b"theme=dark"

    async def scenario():
        ws = _cookie_socket(acknowledged, cookie)
        assert (await ws.connect())[0]
        assert (await _close_code(ws))["code"] == 4403

    run_scenario(scenario)


def test_a_ticket_decides_alone_even_beside_a_good_session(acknowledged, demo, client):
    client.force_login(demo["police.caseworker"].user)

    async def scenario():
        ws = _cookie_socket(acknowledged, _session_cookie(client), query="?ticket=not-a-ticket")
        assert (await ws.connect())[0]
        assert (await _close_code(ws))["code"] == 4401

    run_scenario(scenario)


def test_restricted_note_reaches_only_its_agencies(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        cps, _ = await _connect(acknowledged, _ticket(demo, "cps.caseworker"))
        advocacy, _ = await _connect(acknowledged, _ticket(demo, "advocacy.caseworker"))
        restricted, public = str(uuid.uuid4()), str(uuid.uuid4())
        await police.send_json_to({"type": "note.add", "client_id": restricted,
                                   "text": "Victim's refuge location", "visible_to": ["advocacy"]})
        await police.send_json_to({"type": "note.add", "client_id": public, "text": "Open note"})
        for ws in (police, advocacy):
            first = await _until(ws, "note.added")
            second = await _until(ws, "note.added")
            assert [first["client_id"], second["client_id"]] == [restricted, public]
        only = await _until(cps, "note.added")
        assert only["client_id"] == public and only["note"]["text"] == "Open note"
        # ... and not on resync either.
        await cps.send_json_to({"type": "resync", "since": 0})
        replay = await _until(cps, "note.added")
        assert replay["client_id"] == public
        assert (await _until(cps, "resync.done"))["last_seq"] == only["seq"]
        for ws in (police, cps, advocacy):
            await ws.disconnect()

    run_scenario(scenario)


def test_notes_from_several_writers_arrive_in_sequence_order(acknowledged, demo):
    """Sends leave the database thread through one ordered sender per event loop: a reader
    never sees note n+1 before note n (which would make its page ask for a resync)."""

    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        advocacy, _ = await _connect(acknowledged, _ticket(demo, "advocacy.caseworker"))
        cps, _ = await _connect(acknowledged, _ticket(demo, "cps.caseworker"))
        for n in range(10):
            await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                       "text": f"Police {n}"})
            await advocacy.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                         "text": f"Advocacy {n}", "visible_to": ["cps"]})
        seqs = [(await _until(cps, "note.added"))["seq"] for _ in range(20)]
        assert seqs == sorted(seqs) and len(set(seqs)) == 20
        for ws in (police, advocacy, cps):
            await ws.disconnect()

    run_scenario(scenario)


def test_a_note_posted_over_http_reaches_the_sockets(acknowledged, demo, as_user):
    """The HTTP fallback sends from a plain worker thread (no event loop, as under WSGI) through
    the same pub/sub layer as the sockets do."""
    import threading

    cps = as_user("cps.caseworker")
    client_id = str(uuid.uuid4())
    posted = {}

    def post():
        from django.db import connections

        try:
            posted["status"] = cps.post(
                f"/api/v1/conferences/{acknowledged.pk}/notes/",
                {"client_id": client_id, "text": "Posted while my socket was down"},
                format="json",
            ).status_code
        finally:
            connections.close_all()  # this thread's own connection

    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        worker = threading.Thread(target=post)
        worker.start()
        await asyncio.to_thread(worker.join)
        note = await _until(police, "note.added")
        assert (note["client_id"], note["note"]["agency"]) == (client_id, "cps")
        await police.disconnect()

    run_scenario(scenario)
    assert posted["status"] == 201


def test_duplicate_client_id_stores_one_note(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        client_id = str(uuid.uuid4())
        for _ in range(3):
            await police.send_json_to({"type": "note.add", "client_id": client_id, "text": "x"})
        seqs = {(await _until(police, "note.added"))["seq"] for _ in range(3)}
        assert len(seqs) == 1
        await police.disconnect()

    run_scenario(scenario)
    assert Note.objects.count() == 1


def test_resync_after_disconnect_replays_exactly_the_missed_notes(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        cps, _ = await _connect(acknowledged, _ticket(demo, "cps.caseworker"))
        await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()), "text": "1"})
        seen = (await _until(cps, "note.added"))["seq"]
        await cps.disconnect()
        for n in range(2, 6):
            await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                       "text": str(n)})
            await _until(police, "note.added")
        cps, _ = await _connect(acknowledged, _ticket(demo, "cps.caseworker"))
        await cps.send_json_to({"type": "resync", "since": seen})
        replayed = []
        while True:
            message = await cps.receive_json_from(timeout=5)
            if message["type"] == "resync.done":
                break
            if message["type"] == "note.added":
                replayed.append(message["note"]["text"])
        assert replayed == ["2", "3", "4", "5"]
        await police.disconnect()
        await cps.disconnect()

    run_scenario(scenario)


def test_stale_edit_gets_a_conflict(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()), "text": "a"})
        note = (await _until(police, "note.added"))["note"]
        await police.send_json_to({"type": "note.edit", "note": note["id"], "version": 1,
                                   "text": "b"})
        edited = await _until(police, "note.edited")
        assert edited["note"]["version"] == 2
        await police.send_json_to({"type": "note.edit", "note": note["id"], "version": 1,
                                   "text": "c"})
        error = await _until(police, "error")
        assert error["code"] == "version_conflict"
        await police.disconnect()

    run_scenario(scenario)


def test_bad_messages_get_errors_not_disconnects(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        await police.send_to(text_data="{not json")
        assert (await _until(police, "error"))["code"] == "bad_message"
        await police.send_to(text_data="x" * 30_000)
        assert (await _until(police, "error"))["code"] == "too_large"
        await police.send_json_to({"type": "note.add", "client_id": "nope", "text": "t"})
        assert "client_id" in (await _until(police, "error"))["fields"]
        await police.send_json_to({"type": "teleport"})
        assert (await _until(police, "error"))["code"] == "unknown_type"
        await police.send_json_to({"type": "resync", "since": -1})
        assert "since" in (await _until(police, "error"))["fields"]
        await police.send_json_to({"type": "ping"})
        assert (await _until(police, "pong"))["type"] == "pong"
        await police.disconnect()

    run_scenario(scenario)


@pytest.mark.parametrize("fields", [
    {"agenda_item": "first"},
    {"agenda_item": [1]},
    {"addendum_to": "the last one"},
    {"text": "Victim\x00 reports texts"},
    {"visible_to": ["cps\x00"]},
], ids=["agenda_item_word", "agenda_item_list", "addendum_to_word", "nul_in_text",
        "nul_in_visible_to"])
def test_bad_note_fields_get_errors_not_disconnects(acknowledged, demo, fields):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                   "text": "Victim reports texts", **fields})
        error = await _until(police, "error")
        assert set(error["fields"]) == set(fields)
        await police.send_json_to({"type": "ping"})
        assert (await _until(police, "pong"))["type"] == "pong"
        await police.disconnect()

    run_scenario(scenario)
    assert not Note.objects.exists()


@pytest.mark.parametrize("edit", [
    {"note": "first"}, {"note": None}, {"version": "one"}, {"version": [1]},
    {"text": "Corrected\x00"},
], ids=["note_word", "note_null", "version_word", "version_list", "nul_in_text"])
def test_bad_edits_get_errors_not_disconnects(acknowledged, demo, edit):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                   "text": "Victim reports texts"})
        note = (await _until(police, "note.added"))["note"]
        await police.send_json_to({"type": "note.edit", "note": note["id"], "version": 1,
                                   "text": "Corrected", **edit})
        assert set((await _until(police, "error"))["fields"]) == {next(iter(edit))}
        await police.send_json_to({"type": "ping"})
        assert (await _until(police, "pong"))["type"] == "pong"
        await police.disconnect()
        return note

    note = run_scenario(scenario)
    assert Note.objects.get(pk=note["id"]).text == "Victim reports texts"


def test_rate_limit(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        for _ in range(80):
            await police.send_json_to({"type": "ping"})
        kinds = []
        for _ in range(80):
            kinds.append((await police.receive_json_from(timeout=5))["type"])
        assert "error" in kinds and kinds.count("pong") < 80
        await police.disconnect()

    run_scenario(scenario)


def test_withdrawing_an_agency_closes_its_sockets(acknowledged, demo):
    from channels.db import database_sync_to_async

    from conferences.services import conference_uninvite

    async def scenario():
        cps, _ = await _connect(acknowledged, _ticket(demo, "cps.caseworker"))
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        await database_sync_to_async(conference_uninvite)(
            actor=demo["hub.chair"].user, conference=acknowledged,
            agency=demo["cps.caseworker"].agency)
        assert (await _close_code(cps))["code"] == 4403
        await police.send_json_to({"type": "ping"})
        assert (await _until(police, "pong"))["type"] == "pong"
        await police.disconnect()

    run_scenario(scenario)


def test_presence_and_current_item_are_broadcast(acknowledged, demo):
    from channels.db import database_sync_to_async

    from conferences.services import conference_start

    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        cps, _ = await _connect(acknowledged, _ticket(demo, "cps.caseworker"))
        state = await _until(police, "meeting.state")
        while len(state["presence"]) < 2:
            state = await _until(police, "meeting.state")
        assert ["Cps Caseworker", "Crown Prosecution Service"] in state["presence"]
        await database_sync_to_async(conference_start)(actor=demo["hub.chair"].user,
                                                       conference=acknowledged)
        state = await _until(cps, "meeting.state")
        while state["status"] != "in_session":
            state = await _until(cps, "meeting.state")
        assert state["current_item"] == state["agenda"][0]["id"]
        await police.disconnect()
        await cps.disconnect()
        await asyncio.sleep(0)

    run_scenario(scenario)


def test_a_writers_socket_hears_the_room_while_its_note_waits(acknowledged, demo):
    """A socket's own note is stored beside its deliveries, not before them: while the note
    waits (here on a lock held by another connection), the room still reaches the writer."""
    import threading

    from django.db import connections, transaction

    from conferences.services import broadcast

    locked, release = threading.Event(), threading.Event()

    def hold_the_meeting():
        try:
            with transaction.atomic():
                Conference.objects.select_for_update().get(pk=acknowledged.pk)
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    def announce():
        try:
            broadcast.meeting_state_now(acknowledged.pk)  # from a thread with no event loop
        finally:
            connections.close_all()

    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        await _quiet(police)  # the state its own arrival sent the room
        holder = threading.Thread(target=hold_the_meeting)
        holder.start()
        await asyncio.to_thread(locked.wait, 10)
        await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                   "text": "Waits for the lock"})
        await asyncio.sleep(0.5)  # the note is on its way to the lock
        await asyncio.to_thread(announce)
        try:
            heard = await _until(police, "meeting.state")
        finally:
            release.set()
            await asyncio.to_thread(holder.join)
        stored = await _until(police, "note.added")
        await police.disconnect()
        return heard, stored

    heard, stored = run_scenario(scenario)
    assert heard["status"] == acknowledged.status
    assert stored["note"]["text"] == "Waits for the lock"


def test_what_a_socket_sent_before_leaving_is_stored(acknowledged, demo):
    async def scenario():
        police, _ = await _connect(acknowledged, _ticket(demo, "police.caseworker"))
        for n in range(5):
            await police.send_json_to({"type": "note.add", "client_id": str(uuid.uuid4()),
                                       "text": f"Sent on the way out {n}"})
        await police.disconnect()

    run_scenario(scenario)
    assert sorted(Note.objects.values_list("text", flat=True)) == [
        f"Sent on the way out {n}" for n in range(5)
    ]


def test_a_ticket_a_browser_session_asked_for_ends_with_the_session(acknowledged, demo, client):
    client.force_login(demo["police.caseworker"].user)
    response = client.post("/api/v1/auth/ws-ticket/")
    assert response.status_code == 200, response.content
    ticket = response.json()["ticket"]

    async def scenario():
        ws, state = await _connect(acknowledged, ticket)
        assert state["type"] == "meeting.state"
        await sync_to_async(client.logout)()
        await ws.send_json_to({"type": "ping"})
        assert (await _close_code(ws))["code"] == 4401

    run_scenario(scenario)
