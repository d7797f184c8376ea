"""API token authentication: django-rest-knox's, loading the member's agency with the token."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from .services import token_used
from .token_cache import cached_live_token


class ApiTokenAuthentication(TokenAuthentication):
    """knox's `Authorization: Token <token>` check, by `agencies.token_cache`: the same hash
    comparison and expiry, from the cache or in one query that also loads the membership
    (knox's own look-up reads every token of the user on every request to sweep expired ones;
    expired tokens are swept when their user signs in instead, and refused here either way)."""

    def authenticate_credentials(self, token: bytes):
        found = cached_live_token(token.decode("utf-8", errors="replace"))
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        token_used(token=found)
        return (found.user, found)


class ApiTokenScheme(KnoxTokenScheme):
    """The OpenAPI document's name and description of this authentication."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"
