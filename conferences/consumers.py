"""The live-notes socket of a meeting: /ws/conferences/{id}/.

Thin: every message is re-authorised, then handed to a service, in one database call on the
sockets' kept connection (`socket_db`). A note is stored before it is broadcast; the channel
layer may drop a broadcast (it delivers at most once), and the client's `resync` from the last
sequence number it saw is the recovery path.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from agencies.ws_auth import socket_credential_live
from config import shared_state
from config.exceptions import DomainError

from . import selectors
from .models import Conference, Presence
from .services import broadcast
from .services.notes import note_add, note_edit, note_payload, whole_number
from .socket_db import socket_closed, socket_db, socket_opened

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_SIGNED_OUT = 4401  # the session or token is expired, revoked or refused: sign in again
CLOSE_TOO_MANY = 4429  # the member already has WS_SOCKETS_PER_USER sockets open
CLOSE_ERROR = 1011  # the WebSocket code for a server error
MAX_MESSAGE_CHARS = 20_000
RATE_PER_SECOND = 20.0
RATE_BURST = 40

FORBIDDEN = "forbidden"  # what a handler returns when re-authorisation failed
SIGNED_OUT = "signed_out"  # ... and when the credential no longer stands


def _note_added(note: dict) -> dict:
    return {"type": "note.added", "seq": note["seq"], "client_id": note["client_id"], "note": note}


def _error(code: str, message: str) -> dict:
    return {"type": "error", "code": code, "message": message}


class ConferenceConsumer(AsyncJsonWebsocketConsumer):
    conference_id: int
    agency: str | None = None
    revoked = False
    inbox: asyncio.Queue | None = None  # the client's messages, handled in order; set once let in
    inbox_worker: asyncio.Task
    watcher: asyncio.Task

    async def connect(self):
        self.conference_id = int(self.scope["url_route"]["kwargs"]["conference_id"])
        self.user = self.scope.get("user")
        self.credential = self.scope.get("credential")
        self.tokens, self.refilled = float(RATE_BURST), time.monotonic()
        await self.accept()
        if self.credential is not None and self.credential["kind"] == "refused":
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        agency = await socket_db(self._authorise)()
        if agency is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not await socket_db(self._hold_place)():
            await self.send_json(_error(
                "too_many_sockets",
                f"At most {settings.WS_SOCKETS_PER_USER} open connections per member.",
            ))
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.agency = agency
        await socket_opened()
        self.watcher = asyncio.create_task(self._watch())
        self.inbox = asyncio.Queue()
        self.inbox_worker = asyncio.create_task(self._work_through_inbox())
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
        self.watcher.cancel()
        await socket_db(self._give_up_place)()
        # What the client sent before it went is still stored (no note is lost by leaving),
        # its replies dropped by the server: the socket is gone.
        if not self.inbox_worker.done():
            await self.inbox.join()
        self.inbox_worker.cancel()
        await self.channel_layer.group_discard(
            broadcast.agency_group(self.conference_id, self.agency), self.channel_name
        )
        await self.channel_layer.group_discard(
            broadcast.room_group(self.conference_id), self.channel_name
        )
        await self._presence(joined=False)
        await socket_closed()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.inbox is None or self.revoked:
            return  # not let in (being closed), or no longer
        if not self._take_token() or self.inbox.qsize() >= RATE_BURST:
            await self.send_json(_error("rate_limited", "Too many messages; slow down."))
            return
        self.inbox.put_nowait(text_data)

    async def _work_through_inbox(self) -> None:
        """This socket's own messages, one at a time in the order sent, beside its deliveries.

        channels handles a consumer's messages one after another. Handled inline, a writer's
        note would keep the room's notes from reaching the writer's own screen until it was
        stored, behind every other socket's database call on the one database thread.
        """
        while True:
            text_data = await self.inbox.get()
            try:
                await self._handle_text(text_data)
            except Exception:
                # The socket can no longer be trusted to be in step: close it and let the
                # client reconnect and resync (what channels does with an error in a handler).
                logger.exception("live-notes message failed; closing the socket")
                self.revoked = True
                await self.close(code=CLOSE_ERROR)
                return
            finally:
                self.inbox.task_done()

    async def _handle_text(self, text_data: str | None) -> None:
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_json(
                _error("too_large", f"Messages are at most {MAX_MESSAGE_CHARS} characters.")
            )
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.send_json(_error("bad_message", "Messages are JSON objects."))
            return
        try:
            replies, sends = await socket_db(self._handle_collecting)(content)
        except DomainError as exc:
            client_id = content.get("client_id") if isinstance(content, dict) else None
            await self.send_json(
                {**_error(exc.code, exc.message), "fields": exc.fields, "client_id": client_id}
            )
            return
        broadcast.send_in_order(sends)
        if replies in (FORBIDDEN, SIGNED_OUT):
            self.revoked = True
            await self.close(code=CLOSE_FORBIDDEN if replies == FORBIDDEN else CLOSE_SIGNED_OUT)
            return
        for reply in replies:
            await self.send_json(reply)

    async def dispatch(self, message):
        # channels runs close_old_connections on the shared sync thread before every handler:
        # one thread hop per message, and in a meeting every note is a message to every socket,
        # queued behind the writers' database work. Deliveries touch no database, and
        # `socket_db` tidies the connection around each call, so this dispatch skips it.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- Messages from the group ---------------------------------------------------------

    async def note_deliver(self, event):
        if self.revoked:
            return  # the room's notes may still be queued for a socket being closed
        await self.send(text_data=event["text"])

    async def meeting_changed(self, event):
        # The sender read the state once for the whole room (the same for every invited
        # agency): read by each socket, every join would cost a query per socket in the room.
        if not self.revoked:
            await self.send(text_data=event["text"])

    async def access_revoked(self, event):
        self.revoked = True
        await self.close(code=CLOSE_FORBIDDEN)

    # --- One database call per message: re-authorise, then act -----------------------------

    def _handle_collecting(self, content) -> tuple[list[dict] | str, broadcast.Sends]:
        if not socket_credential_live(user=self.user, credential=self.credential):
            return SIGNED_OUT, []
        with broadcast.collecting() as sends, self._authorised() as agency:
            if agency != self.agency:
                return FORBIDDEN, sends
            return self._handle(content), sends

    def _handle(self, content) -> list[dict]:
        if not isinstance(content, dict):
            return [_error("bad_message", "Expected a JSON object.")]
        kind = content.get("type")
        if kind == "note.add":
            return self._note_add(content)
        if kind == "note.edit":
            self._note_edit(content)
            return []
        if kind == "resync":
            return self._resync(content.get("since", 0))
        if kind == "ping":
            return [{"type": "pong"}]
        return [_error("unknown_type", f"Unknown message type {kind!r}.")]

    def _authorise(self) -> str | None:
        with self._authorised() as agency:
            return agency

    def _authorised(self):
        """The agency this user attends the meeting for now (None: not, or no longer); the
        services called within the block are given the same answer."""
        if hasattr(self.user, "_concord_membership"):
            del self.user._concord_membership  # re-read: roles or membership may have changed
        return selectors.attendance_answered(user=self.user, conference_id=self.conference_id)

    def _note_add(self, content) -> list[dict]:
        note, created = note_add(
            actor=self.user,
            conference=self.conference_id,
            client_id=content.get("client_id"),
            text=content.get("text"),
            agenda_item=content.get("agenda_item"),
            visible_to=content.get("visible_to"),
            addendum_to=content.get("addendum_to"),
        )
        # A new note reaches this socket through its group; a resend of one already stored is
        # acknowledged to this socket only.
        return [] if created else [_note_added(note_payload(note))]

    def _note_edit(self, content) -> None:
        note_edit(
            actor=self.user,
            conference=Conference.objects.get(pk=self.conference_id),
            note_id=content.get("note"),
            version=content.get("version"),
            text=content.get("text"),
        )

    def _resync(self, since) -> list[dict]:
        since = whole_number(since, "since")
        # Read the meeting's last number first: every note up to it is either sent below or not
        # for this agency, so the client may treat the range as complete.
        conference = Conference.objects.get(pk=self.conference_id)
        notes = selectors.notes_visible(conference=conference, agency_slug=self.agency, since=since)
        replies = [_note_added(note_payload(n)) for n in notes if n.seq <= conference.last_seq]
        replies.append({"type": "resync.done", "last_seq": max(conference.last_seq, since)})
        return replies

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.refilled) * RATE_PER_SECOND)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    # --- The credential and the member's count of sockets ----------------------------------

    async def _watch(self) -> None:
        """Every WS_RECHECK_SECONDS: close the socket once its session or token no longer
        stands (a socket that sends nothing is not kept open by that), and renew its place."""
        while True:
            await asyncio.sleep(settings.WS_RECHECK_SECONDS)
            if not await socket_db(self._recheck)():
                self.revoked = True
                await self.close(code=CLOSE_SIGNED_OUT)
                return

    def _recheck(self) -> bool:
        live = socket_credential_live(user=self.user, credential=self.credential, full=True)
        return live and self._hold_place()

    def _places(self) -> str:
        return f"ws-sockets:{self.user.pk}"

    def _hold_place(self) -> bool:
        """Take or renew this socket's place among the member's WS_SOCKETS_PER_USER, counted
        across server processes (config.shared_state); a place lapses unless renewed by the
        timer, so the sockets of a process that died stop counting after three rounds."""
        return shared_state.lease(
            self._places(), self.channel_name,
            limit=settings.WS_SOCKETS_PER_USER, ttl=3 * settings.WS_RECHECK_SECONDS,
        )

    def _give_up_place(self) -> None:
        shared_state.release(self._places(), self.channel_name)

    # --- Database ------------------------------------------------------------------------

    @socket_db
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

    @socket_db
    def _state(self) -> dict:
        return selectors.meeting_state(conference_id=self.conference_id)
