"""API tokens and socket tickets for tests: one way to make each, as the API issues them."""

from django.conf import settings

from agencies.models import ApiToken
from agencies.services import ws_ticket_issue
from agencies.token_cache import cached_live_token


def token_for(user) -> str:
    """A new API token for `user` (knox's, hashed at rest, expiring after API_TOKEN_TTL),
    already in the token cache as its first request would leave it, so that every request of
    a test's client reads the same (a test counting queries compares like with like).

    Made directly rather than by `token_issue`, which ends a member's oldest tokens beyond
    API_TOKENS_PER_USER: a test may hand out any number of clients for one member."""
    _, token = ApiToken.objects.create(user=user, expiry=settings.API_TOKEN_TTL)
    cached_live_token(token)
    return token


def ticket_for(user) -> str:
    """A one-time socket ticket for `user` (what `POST /api/v1/auth/ws-ticket/` answers)."""
    return ws_ticket_issue(user=user)
