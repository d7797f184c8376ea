"""Live notes: 50 sockets in one meeting on a live daphne over Redis, 5 writers at 10 notes/s.

Every note is meant for everyone in the room, so each of the 50 sockets must receive each note
exactly once. Latency is from the writer's send to each socket's receipt (one clock: the sockets
all live in this process). The floor: the same traffic through a bare channels-redis group, with
no server, no database, no consumer.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field

import websockets
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from agencies.models import Agency, ApiToken, Membership
from conferences.models import Attendance, Conference

from .http import Client

SOCKETS = 50
WRITERS = 5
RATE = 10.0  # notes per second per writer


@dataclass
class Delivery:
    sent: dict[str, float] = field(default_factory=dict)  # client_id -> send time
    received: dict[tuple[int, str], float] = field(default_factory=dict)
    duplicates: int = 0
    last_message: float = 0.0

    def latencies_ms(self) -> list[float]:
        return [(at - self.sent[cid]) * 1000 for (_, cid), at in self.received.items()
                if cid in self.sent]

    def lost(self, sockets: int) -> int:
        return len(self.sent) * sockets - sum(1 for k in self.received if k[1] in self.sent)


def meeting() -> tuple[Conference, list[str]]:
    """A meeting in session in the first region, with 50 acknowledged attendees' tokens."""
    hub = Agency.objects.filter(kind="coordinator").order_by("id").first()
    region = [a for a in Agency.objects.filter(region=hub.region)]
    region += list(Agency.objects.filter(kind="psychiatric").order_by("id")[:1])
    members = [m for m in Membership.objects.select_related("user", "agency")
               .filter(agency__in=region).order_by("agency_id", "user_id")
               if {"caseworker", "supervisor", "chair"} & set(m.roles)]
    chair = next(m for m in members if m.agency_id == hub.pk and "chair" in m.roles)
    now = timezone.now()
    conference = Conference.objects.create(
        title="Benchmark meeting", starts_at=now, chair=chair.user, coordinator=hub,
        status=Conference.Status.IN_SESSION, started_at=now,
    )
    conference.invited_agencies.set(region)
    by_agency: dict[int, list[Membership]] = {}
    for member in members:
        by_agency.setdefault(member.agency_id, []).append(member)
    chosen: list[Membership] = []
    while len(chosen) < SOCKETS:  # round-robin over the agencies: every agency in the room
        for group in by_agency.values():
            if group and len(chosen) < SOCKETS:
                chosen.append(group.pop(0))
    Attendance.objects.bulk_create([
        Attendance(conference=conference, user=m.user, agency=m.agency, acknowledged_at=now)
        for m in chosen
    ])
    return conference, [
        ApiToken.objects.create(user=m.user, expiry=settings.API_TOKEN_TTL)[1] for m in chosen
    ]


async def _reader(index: int, ws, delivery: Delivery, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            raw = await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            continue
        except websockets.ConnectionClosed:
            return
        now = delivery.last_message = time.perf_counter()
        message = json.loads(raw)
        if message.get("type") != "note.added":
            continue
        key = (index, message["client_id"])
        if key in delivery.received:
            delivery.duplicates += 1
        else:
            delivery.received[key] = now


async def _writer(ws, delivery: Delivery, seconds: float, n: int) -> None:
    start = time.perf_counter()
    for k in range(int(seconds * RATE)):
        await asyncio.sleep(max(0.0, start + k / RATE - time.perf_counter()))
        client_id = str(uuid.uuid4())
        delivery.sent[client_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "note.add", "client_id": client_id,
                                  "text": f"Writer {n}, note {k}: victim reports new texts."}))


async def _quiet(delivery: Delivery, *, gap: float = 1.0, limit: float = 60.0) -> None:
    """Wait until no socket has received anything for `gap` seconds."""
    deadline = time.perf_counter() + limit
    delivery.last_message = time.perf_counter()
    while time.perf_counter() < deadline and time.perf_counter() - delivery.last_message < gap:
        await asyncio.sleep(0.1)


async def _settle(delivery: Delivery, sockets: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and delivery.lost(sockets) > 0:
        await asyncio.sleep(0.2)


def through_server(ws_base: str, conference_id: int, tokens: list[str],
                   seconds: float) -> Delivery:
    async def scenario() -> Delivery:
        url = f"{ws_base}/ws/conferences/{conference_id}/?ticket="
        host, port = ws_base.removeprefix("ws://").rsplit(":", 1)
        sockets = []
        for token in tokens:
            # Each socket signs in as API clients do: a one-time ticket for the token.
            status, body = Client((host, int(port)), token).post("/api/v1/auth/ws-ticket/", {})
            if status != 200:
                raise RuntimeError(f"ws-ticket: {status} {body}")
            ws = await websockets.connect(url + body["ticket"], max_queue=None, open_timeout=30)
            sockets.append(ws)
        delivery, stop = Delivery(), asyncio.Event()
        readers = [asyncio.create_task(_reader(i, ws, delivery, stop))
                   for i, ws in enumerate(sockets)]
        await _quiet(delivery)  # every join refreshed every screen: let that storm pass first
        delivery.received.clear()
        writers = [_writer(sockets[i * (len(sockets) // WRITERS)], delivery, seconds, i)
                   for i in range(WRITERS)]
        await asyncio.gather(*writers)
        await _settle(delivery, len(sockets), timeout=15)
        stop.set()
        await asyncio.gather(*readers)
        for ws in sockets:
            await ws.close()
        return delivery

    return asyncio.run(scenario())


def through_bare_layer(seconds: float) -> Delivery:
    """The floor: group_send to 50 channels of the configured channels-redis layer (its own
    instance, same encryption), same rates."""
    layer_settings = settings.CHANNEL_LAYERS["default"]
    config = dict(layer_settings.get("CONFIG", {}))
    config["prefix"] = f"concord-bench-echo-{uuid.uuid4().hex[:8]}"

    async def scenario() -> Delivery:
        layer = import_string(layer_settings["BACKEND"])(**config)
        group = "echo"
        channels = [await layer.new_channel() for _ in range(SOCKETS)]
        for channel in channels:
            await layer.group_add(group, channel)
        delivery, stop = Delivery(), asyncio.Event()

        async def receive(index: int, channel: str) -> None:
            while not stop.is_set():
                try:
                    message = await asyncio.wait_for(layer.receive(channel), 0.5)
                except TimeoutError:
                    continue
                key = (index, message["client_id"])
                if key in delivery.received:
                    delivery.duplicates += 1
                else:
                    delivery.received[key] = time.perf_counter()

        async def write(n: int) -> None:
            start = time.perf_counter()
            for k in range(int(seconds * RATE)):
                await asyncio.sleep(max(0.0, start + k / RATE - time.perf_counter()))
                client_id = str(uuid.uuid4())
                delivery.sent[client_id] = time.perf_counter()
                await layer.group_send(group, {"type": "note.deliver", "client_id": client_id,
                                               "text": f"Writer {n}, note {k}"})

        readers = [asyncio.create_task(receive(i, c)) for i, c in enumerate(channels)]
        await asyncio.gather(*(write(n) for n in range(WRITERS)))
        await _settle(delivery, SOCKETS, timeout=10)
        stop.set()
        await asyncio.gather(*readers, return_exceptions=True)
        for channel in channels:
            await layer.group_discard(group, channel)
        await layer.flush()
        return delivery

    return asyncio.run(scenario())
