"""Sending to a meeting's sockets, after the transaction commits (the database is the record).

Sockets join one group per (meeting, agency); a note goes only to the groups of the agencies
that may see it, so a restricted note never reaches another agency's socket.

A socket's own writes do not send from the database thread: the consumer collects what they
would send (`collecting`) and hands it to one sender per event loop (`send_in_order`), which
sends in the order the notes were numbered. The database thread, shared by every socket of the
process, then never waits for the event loop it is serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .. import selectors

logger = logging.getLogger(__name__)

Sends = list[tuple[str, dict]]

_collector = threading.local()
_senders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop -> its queue


def agency_group(conference_id: int, agency_slug: str) -> str:
    return f"conference.{conference_id}.agency.{agency_slug}"


def room_group(conference_id: int) -> str:
    return f"conference.{conference_id}"


def _encoded(frame: dict) -> str:
    """A socket frame as the text every socket sends on: encoded once here, not once per socket
    (a note in a 50-socket meeting is 50 frames, and the server's loop is the bottleneck)."""
    return json.dumps(frame)


def _send(group: str, message: dict) -> None:
    _send_all([(group, message)])


@contextmanager
def collecting() -> Iterator[Sends]:
    """Within this block (on this thread), sends are collected into the list it yields."""
    sends: Sends = []
    _collector.sends = sends
    try:
        yield sends
    finally:
        _collector.sends = None


def send_in_order(sends: Sends) -> None:
    """Queue collected sends for this event loop's sender; returns at once (call on the loop)."""
    if not sends:
        return
    loop = asyncio.get_running_loop()
    queue = _senders.get(loop)
    if queue is None:
        queue = _senders[loop] = asyncio.Queue()
        task = loop.create_task(_sender(queue))
        queue.task = task  # keep the sender alive as long as its queue
    queue.put_nowait(sends)


async def _group_send_all(sends: Sends) -> None:
    layer = get_channel_layer()
    await asyncio.gather(*(layer.group_send(group, message) for group, message in sends))


async def _sender(queue: asyncio.Queue) -> None:
    while True:
        sends = await queue.get()
        try:
            await _group_send_all(sends)
        except Exception:  # noqa: BLE001 - a lost broadcast is recovered by the clients' resync
            logger.exception("broadcast failed; clients will resync")


def _send_all(sends: Sends) -> None:
    """Send to several groups in one hop to the event loop (a note goes to every agency's)."""
    layer = get_channel_layer()
    if layer is None or not sends:
        return
    collected = getattr(_collector, "sends", None)
    if collected is not None:
        collected.extend(sends)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(_group_send_all)(sends)
        return
    # Synchronous code called from a thread that runs an event loop cannot block on it:
    # send from a helper thread with its own loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(_group_send_all), sends).result()


def note_added(*, conference_id: int, agencies: list[str] | None, payload: dict) -> None:
    """Deliver a stored note to the sockets of the agencies that may see it.

    `agencies=None`: every invited agency may; one send to the room reaches them all (the room's
    sockets are exactly those of the agency groups: each socket joins both when it is let in).
    """
    message = {"type": "note.deliver", "text": _encoded(payload)}
    groups = (
        [room_group(conference_id)]
        if agencies is None
        else [agency_group(conference_id, slug) for slug in agencies]
    )
    transaction.on_commit(lambda: _send_all([(group, message) for group in groups]))


def meeting_state(conference_id: int) -> None:
    """Send every socket in the meeting its new view of the agenda and current item."""
    transaction.on_commit(lambda: meeting_state_now(conference_id))


def agency_revoked(conference_id: int, agency_slug: str) -> None:
    transaction.on_commit(
        lambda: _send(agency_group(conference_id, agency_slug), {"type": "access.revoked"})
    )


def meeting_state_now(conference_id: int) -> None:
    """The same as `meeting_state`, outside any transaction (presence changes). The state is
    read once here for the whole room, not by each socket."""
    state = selectors.meeting_state(conference_id=conference_id)
    _send(room_group(conference_id), {"type": "meeting.changed", "text": _encoded(state)})
