"""Through live daphne servers on one Redis: delivery across processes, and no note lost."""

import asyncio
import json
import uuid

import pytest
import websockets
from django.conf import settings

from tests.conferences.live import Server
from tests.threads import run_scenario
from tests.tokens import ticket_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.live,
    pytest.mark.skipif(not settings.REDIS_URL, reason="two processes share a meeting via Redis"),
]


@pytest.fixture
def servers():
    started = [Server(), Server()]
    yield started
    for server in started:
        server.stop()


def _ticket(demo, username):
    return ticket_for(demo[username].user)


async def _open(server, meeting, ticket):
    ws = await websockets.connect(f"{server.ws_url}/ws/conferences/{meeting.pk}/?ticket={ticket}")
    await _until(ws, "meeting.state")
    return ws


async def _until(ws, kind, timeout=10):
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == kind:
            return message


def test_two_server_processes_deliver_to_each_others_sockets(servers, acknowledged, demo):
    one, two = servers

    async def scenario():
        police = await _open(one, acknowledged, _ticket(demo, "police.caseworker"))
        cps = await _open(two, acknowledged, _ticket(demo, "cps.caseworker"))
        await police.send(json.dumps({"type": "note.add", "client_id": str(uuid.uuid4()),
                                      "text": "From server one"}))
        received = await _until(cps, "note.added")
        assert received["note"]["text"] == "From server one"
        await cps.send(json.dumps({"type": "note.add", "client_id": str(uuid.uuid4()),
                                   "text": "From server two"}))
        assert (await _until(police, "note.added"))["note"]["text"] == "From server one"
        assert (await _until(police, "note.added"))["note"]["text"] == "From server two"
        await police.close()
        await cps.close()

    run_scenario(scenario)


def test_uninvited_is_closed_4403_by_a_live_server(servers, meeting, demo):
    async def scenario():
        ws = await websockets.connect(
            f"{servers[0].ws_url}/ws/conferences/{meeting.pk}/?ticket="
            + _ticket(demo, "probation.caseworker"))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd.code == 4403

    run_scenario(scenario)


def test_no_note_is_lost_when_a_reader_drops_and_comes_back(servers, acknowledged, demo):
    """A writer keeps writing on one server; a reader on the other drops twice mid-stream and
    resyncs from the last sequence number it saw. It ends up with every note exactly once."""
    one, two = servers
    total = 60

    async def writer(ws):
        for n in range(total):
            await ws.send(json.dumps({"type": "note.add", "client_id": str(uuid.uuid4()),
                                      "text": f"note {n}"}))
            await asyncio.sleep(0.06)  # under the per-socket rate limit

    async def reader():
        seen: dict[int, str] = {}
        last = 0
        for drop_after in (15, 15, None):
            ws = await _open(two, acknowledged, _ticket(demo, "cps.caseworker"))
            await ws.send(json.dumps({"type": "resync", "since": last}))
            got = 0
            while len(seen) < total:
                message = json.loads(await asyncio.wait_for(ws.recv(), 15))
                if message["type"] != "note.added":
                    continue
                assert message["seq"] not in seen or seen[message["seq"]] == message["note"]["text"]
                seen[message["seq"]] = message["note"]["text"]
                last = max(last, message["seq"])
                got += 1
                if drop_after is not None and got >= drop_after:
                    break
            await ws.close()
            if len(seen) == total:
                break
            await asyncio.sleep(0.2)  # away while notes keep coming
        return seen

    async def scenario():
        police = await _open(one, acknowledged, _ticket(demo, "police.caseworker"))
        seen, _ = await asyncio.gather(reader(), writer(police))
        await police.close()
        return seen

    seen = run_scenario(scenario)
    assert sorted(seen) == list(range(1, total + 1))
    assert sorted(seen.values(), key=lambda t: int(t.split()[1])) == [
        f"note {n}" for n in range(total)]
