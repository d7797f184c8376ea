"""WebSocket sign-in: the session cookie (browsers) or a one-time `?ticket=` (API clients).

The user is read once, when the socket opens; the consumer re-checks the credential on every
message and on a timer (`socket_credential_live`). channels' AuthMiddlewareStack would read the
cookie too, but it also wraps every frame the socket sends, to save a session when a consumer
changes it; these sockets never do, and in a busy meeting every note is a frame to every socket.

What the consumer learns, in `scope["credential"]`:
- `{"kind": "session", "key": ..., "hash": ...}`: a live session's key and auth hash (from the
  cookie, or from a ticket a browser session asked for);
- `{"kind": "ticket", "token": id | None}`: a redeemed ticket, and the API token that asked;
- `{"kind": "refused", "reason": ...}`: a credential was offered and is not good (an expired
  session, a used or unknown ticket, a long-lived token in the URL): closed with 4401.
The API token itself is never accepted in the URL (URLs end up in logs and histories).
"""

import time
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from config.session_limits import session_expired, session_touch

from .second_factor import session_passes
from .selectors import token_is_live
from .services import ws_ticket_redeem


def _refused(scope, reason: str) -> dict:
    return dict(scope, user=AnonymousUser(), credential={"kind": "refused", "reason": reason})


@database_sync_to_async
def _user_for_ticket(ticket: str):
    """The ticket's user and the credential the socket then lives under (None: refused)."""
    claims = ws_ticket_redeem(ticket=ticket)
    if claims is None:
        return None, None
    if claims.get("session"):
        user, credential = _session_user(claims["session"])
        if credential is None or credential["kind"] != "session" or user.pk != claims["user"]:
            return None, None
        return user, credential
    user = get_user_model().objects.filter(pk=claims["user"], is_active=True).first()
    if user is None:
        return None, None
    if claims["token"] is not None and not token_is_live(token_id=claims["token"], user_id=user.pk):
        return None, None
    return user, {"kind": "ticket", "token": claims["token"]}


class TicketAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        if "token" in query:
            scope = _refused(scope, "token_in_url")
        elif "ticket" in query:
            user, credential = await _user_for_ticket(query["ticket"][0])
            if user is None:
                scope = _refused(scope, "bad_ticket")
            else:
                scope = dict(scope, user=user, credential=credential)
        return await super().__call__(scope, receive, send)


def _session(key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def _session_key(scope) -> str | None:
    cookies = parse_cookie(dict(scope.get("headers", [])).get(b"cookie", b"").decode("latin1"))
    return cookies.get(settings.SESSION_COOKIE_NAME) or None


@database_sync_to_async
def _user_for_session(scope):
    key = _session_key(scope)
    if not key:
        return AnonymousUser(), None
    return _session_user(key)


def _session_user(key: str):
    """The session's user, checked as Django checks it for a request (the session's auth hash,
    with the secret key's fallbacks, and whether the user may still sign in), and under the same
    idle and absolute limits as HTTP (config.session_limits); with the socket's credential."""
    session = _session(key)
    user = get_user(SimpleNamespace(session=session))
    if not user.is_authenticated:
        return user, None
    now = int(time.time())
    if session_expired(session, now=now):
        return AnonymousUser(), {"kind": "refused", "reason": "session_expired"}
    if not session_passes(user=user, session=session):
        return AnonymousUser(), {"kind": "refused", "reason": "second_factor_required"}
    if session_touch(session, now=now):
        session.save()
    return user, {"kind": "session", "key": key, "hash": session.get(HASH_SESSION_KEY)}


class SessionUserMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        if "credential" not in scope:  # a ticket, when given, decides alone
            user, credential = await _user_for_session(scope)
            scope = dict(scope, user=user, credential=credential)
        return await super().__call__(scope, receive, send)


def socket_credential_live(*, user, credential: dict | None, full: bool = False) -> bool:
    """Whether what opened the socket still stands (synchronous: run on the sockets' database
    thread). A session: still stored, for this user with the same auth hash, within both limits
    (its idle clock moved on by this use). A ticket: the API token that asked for it still
    unrevoked and unexpired. `full` also asks the database whether a session's user may still
    sign in and its password is unchanged (the timer's check; per message, the session store
    alone is asked)."""
    if credential is None:
        return False
    if credential["kind"] == "ticket":
        if credential["token"] is None:
            return not full or get_user_model().objects.filter(pk=user.pk, is_active=True).exists()
        return token_is_live(token_id=credential["token"], user_id=user.pk)
    if credential["kind"] != "session":
        return False
    session = _session(credential["key"])
    same = (session.get(SESSION_KEY), session.get(HASH_SESSION_KEY))
    if same != (str(user.pk), credential["hash"]):
        return False
    now = int(time.time())
    if session_expired(session, now=now):
        return False
    if full and not get_user(SimpleNamespace(session=session)).is_authenticated:
        return False
    if session_touch(session, now=now):
        session.save()
    return True


def WebsocketAuthStack(inner):  # noqa: N802 - named like channels' AuthMiddlewareStack
    return TicketAuthMiddleware(SessionUserMiddleware(inner))


class OriginValidator:
    """Browsers (cookie sessions) must connect from this site's own pages; API clients that
    sign in with `?ticket=` send no Origin header and need none (nor do those still sending
    `?token=`, so that they learn why they are refused: 4401)."""

    def __init__(self, application):
        from channels.security.websocket import AllowedHostsOriginValidator

        self.application = application
        self.checked = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        query = scope.get("query_string", b"")
        if (b"ticket=" in query or b"token=" in query) and b"origin" not in headers:
            return await self.application(scope, receive, send)
        return await self.checked(scope, receive, send)
