"""WebSocket sign-in: the session cookie (channels' AuthMiddleware) or `?token=` for API clients."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware


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


def WebsocketAuthStack(inner):  # noqa: N802 - named like channels' AuthMiddlewareStack
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))


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
