"""Sending to a meeting's sockets, after the transaction commits (the database is the record).

Sockets join one group per (meeting, agency); a note goes only to the groups of the agencies
that may see it, so a restricted note never reaches another agency's socket.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def agency_group(conference_id: int, agency_slug: str) -> str:
    return f"conference.{conference_id}.agency.{agency_slug}"


def room_group(conference_id: int) -> str:
    return f"conference.{conference_id}"


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(layer.group_send)(group, message)
        return
    # Synchronous code called from a thread that runs an event loop cannot block on it:
    # send from a helper thread with its own loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(layer.group_send), group, message).result()


def note_added(*, conference_id: int, agencies: list[str], payload: dict) -> None:
    """Deliver a stored note to the sockets of the agencies that may see it."""

    def send():
        for slug in agencies:
            _send(agency_group(conference_id, slug), {"type": "note.deliver", "payload": payload})

    transaction.on_commit(send)


def meeting_state(conference_id: int) -> None:
    """Tell every socket in the meeting to refresh its view of the agenda and current item."""
    transaction.on_commit(lambda: _send(room_group(conference_id), {"type": "meeting.changed"}))


def agency_revoked(conference_id: int, agency_slug: str) -> None:
    transaction.on_commit(
        lambda: _send(agency_group(conference_id, agency_slug), {"type": "access.revoked"})
    )


def meeting_state_now(conference_id: int) -> None:
    """The same as `meeting_state`, outside any transaction (presence changes)."""
    _send(room_group(conference_id), {"type": "meeting.changed"})
