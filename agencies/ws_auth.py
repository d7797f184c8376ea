"""WebSocket sign-in: the session cookie (browsers) or `?token=` (API clients).

The user is read once, when the socket opens. channels' AuthMiddlewareStack would do the same for
the cookie, but it also wraps every frame the socket sends, to save a session when a consumer
changes it; these sockets never do, and in a busy meeting (every note is a frame to every socket)
that wrapper took about 8% of a saturated server loop's samples (bench/README.md).
"""

from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings


@database_sync_to_async
def _user_for_token(key: str):
    from .selectors import active_token

    token = active_token(key)
    return token.user if token is not None else None


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        key = (query.get("token") or [""])[0]
        if key:
            from django.contrib.auth.models import AnonymousUser

            scope = dict(scope, user=await _user_for_token(key) or AnonymousUser())
        return await super().__call__(scope, receive, send)


@database_sync_to_async
def _user_for_session(scope):
    """The session cookie's user, checked as Django checks it for a request (the session's
    auth hash, with the secret key's fallbacks, and whether the user may still sign in)."""
    from django.contrib.auth import get_user
    from django.contrib.auth.models import AnonymousUser
    from django.http.cookie import parse_cookie

    cookies = parse_cookie(dict(scope.get("headers", [])).get(b"cookie", b"").decode("latin1"))
    key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return AnonymousUser()
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return get_user(SimpleNamespace(session=session))


class SessionUserMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        if "user" not in scope:  # a token, when given, decides alone
            scope = dict(scope, user=await _user_for_session(scope))
        return await super().__call__(scope, receive, send)


def WebsocketAuthStack(inner):  # noqa: N802 - named like channels' AuthMiddlewareStack
    return TokenAuthMiddleware(SessionUserMiddleware(inner))


class OriginValidator:
    """Browsers (cookie sessions) must connect from this site's own pages; API clients that
    sign in with `?token=` send no Origin header and need none."""

    def __init__(self, application):
        from channels.security.websocket import AllowedHostsOriginValidator

        self.application = application
        self.checked = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        has_token = b"token=" in scope.get("query_string", b"")
        if has_token and b"origin" not in headers:
            return await self.application(scope, receive, send)
        return await self.checked(scope, receive, send)
