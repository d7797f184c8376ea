"""The live-notes socket of a meeting: /ws/conferences/{id}/.

Thin: every message is re-authorised, then handed to a service. A note is stored before it is
broadcast; the channel layer may drop a broadcast (it delivers at most once), and the client's
`resync` from the last sequence number it saw is the recovery path.
"""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from config.exceptions import DomainError

from . import selectors
from .models import Conference, Presence
from .services import broadcast
from .services.notes import note_add, note_edit, note_payload

CLOSE_FORBIDDEN = 4403
MAX_MESSAGE_CHARS = 20_000
RATE_PER_SECOND = 20.0
RATE_BURST = 40


class ConferenceConsumer(AsyncJsonWebsocketConsumer):
    conference_id: int
    agency: str | None = None

    async def connect(self):
        self.conference_id = int(self.scope["url_route"]["kwargs"]["conference_id"])
        self.user = self.scope.get("user")
        self.tokens, self.refilled = float(RATE_BURST), time.monotonic()
        await self.accept()
        self.agency = await self._authorise()
        if self.agency is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(
            broadcast.agency_group(self.conference_id, self.agency), self.channel_name
        )
        await self.channel_layer.group_add(
            broadcast.room_group(self.conference_id), self.channel_name
        )
        await self._presence(joined=True)
        await self.send_json(await self._state())

    async def disconnect(self, code):
        if self.agency is None:
            return
        await self.channel_layer.group_discard(
            broadcast.agency_group(self.conference_id, self.agency), self.channel_name
        )
        await self.channel_layer.group_discard(
            broadcast.room_group(self.conference_id), self.channel_name
        )
        await self._presence(joined=False)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_json(
                {
                    "type": "error",
                    "code": "too_large",
                    "message": f"Messages are at most {MAX_MESSAGE_CHARS} characters.",
                }
            )
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self._error("bad_message", "Messages are JSON objects.")
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not self._take_token():
            await self.send_json(
                {
                    "type": "error",
                    "code": "rate_limited",
                    "message": "Too many messages; slow down.",
                }
            )
            return
        if await self._authorise() != self.agency:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not isinstance(content, dict):
            await self._error("bad_message", "Expected a JSON object.")
            return
        kind = content.get("type")
        try:
            if kind == "note.add":
                await self._note_add(content)
            elif kind == "note.edit":
                await self._note_edit(content)
            elif kind == "resync":
                await self._resync(content.get("since", 0))
            elif kind == "ping":
                await self.send_json({"type": "pong"})
            else:
                await self._error("unknown_type", f"Unknown message type {kind!r}.")
        except DomainError as exc:
            await self.send_json(
                {
                    "type": "error",
                    "code": exc.code,
                    "message": exc.message,
                    "fields": exc.fields,
                    "client_id": content.get("client_id"),
                }
            )

    # --- Messages from the group ---------------------------------------------------------

    async def note_deliver(self, event):
        await self.send_json(event["payload"])

    async def meeting_changed(self, event):
        await self.send_json(await self._state())

    async def access_revoked(self, event):
        await self.close(code=CLOSE_FORBIDDEN)

    # --- Handlers ------------------------------------------------------------------------

    async def _note_add(self, content):
        note, created = await database_sync_to_async(self._store_note)(content)
        if not created:
            # A resend of a note already stored: acknowledge it to this socket only.
            await self.send_json(
                {
                    "type": "note.added",
                    "seq": note["seq"],
                    "client_id": note["client_id"],
                    "note": note,
                }
            )

    def _store_note(self, content):
        conference = Conference.objects.get(pk=self.conference_id)
        note, created = note_add(
            actor=self.user,
            conference=conference,
            client_id=content.get("client_id"),
            text=content.get("text"),
            agenda_item=content.get("agenda_item"),
            visible_to=content.get("visible_to"),
            addendum_to=content.get("addendum_to"),
        )
        return note_payload(note), created

    async def _note_edit(self, content):
        def edit():
            conference = Conference.objects.get(pk=self.conference_id)
            note_edit(
                actor=self.user,
                conference=conference,
                note_id=content.get("note"),
                version=content.get("version"),
                text=content.get("text"),
            )

        await database_sync_to_async(edit)()

    async def _resync(self, since):
        if not isinstance(since, int) or since < 0:
            await self._error("bad_message", "since must be a sequence number (0 or more).")
            return

        def load():
            # Read the meeting's last number first: every note up to it is either sent below
            # or not for this agency, so the client may treat the range as complete.
            conference = Conference.objects.get(pk=self.conference_id)
            notes = selectors.notes_visible(
                conference=conference, agency_slug=self.agency, since=since
            )
            return conference.last_seq, [
                note_payload(n) for n in notes if n.seq <= conference.last_seq
            ]

        last_seq, notes = await database_sync_to_async(load)()
        for note in notes:
            await self.send_json(
                {
                    "type": "note.added",
                    "seq": note["seq"],
                    "client_id": note["client_id"],
                    "note": note,
                }
            )
        await self.send_json({"type": "resync.done", "last_seq": max(last_seq, since)})

    async def _error(self, code: str, message: str):
        await self.send_json({"type": "error", "code": code, "message": message})

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.refilled) * RATE_PER_SECOND)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    # --- Database ------------------------------------------------------------------------

    @database_sync_to_async
    def _authorise(self) -> str | None:
        user = self.user
        if user is None or not user.is_authenticated:
            return None
        if hasattr(user, "_concord_membership"):
            del user._concord_membership  # re-read: roles or membership may have changed
        try:
            conference = selectors.conference_get(user=user, conference_id=self.conference_id)
        except Http404:
            return None
        return selectors.attendee_agency_slug(user=user, conference=conference)

    @database_sync_to_async
    def _presence(self, *, joined: bool) -> None:
        if joined:
            Presence.objects.update_or_create(
                channel_name=self.channel_name,
                defaults={
                    "conference_id": self.conference_id,
                    "user": self.user,
                    "agency_slug": self.agency,
                },
            )
        else:
            Presence.objects.filter(channel_name=self.channel_name).delete()
        broadcast.meeting_state_now(self.conference_id)

    @database_sync_to_async
    def _state(self) -> dict:
        conference = Conference.objects.select_related("current_item__referral").get(
            pk=self.conference_id
        )
        return meeting_state(conference)


def meeting_state(conference: Conference) -> dict:
    """What every screen in the room shows: status, agenda, current item, who is here."""
    return {
        "type": "meeting.state",
        "status": conference.status,
        "current_item": conference.current_item_id,
        "last_seq": conference.last_seq,
        "agenda": [
            {
                "id": i.pk,
                "referral": i.referral_id,
                "reference": i.referral.reference,
                "position": i.position,
                "status": i.status,
                "is_repeat": i.is_repeat,
            }
            for i in selectors.agenda(conference=conference)
        ],
        "presence": sorted(
            {
                (p.user.get_username(), p.agency_slug)
                for p in Presence.objects.filter(conference=conference).select_related("user")
            }
        ),
    }
