"""API token authentication: django-rest-knox's, loading the member's agency with the token."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from .selectors import live_token
from .services import token_used


class ApiTokenAuthentication(TokenAuthentication):
    """knox's `Authorization: Token <token>` check, by `agencies.selectors.live_token`: the
    same hash comparison and expiry, in one query that also loads the membership (knox's own
    look-up reads every token of the user on every request to sweep expired ones; expired
    tokens are swept when their user signs in instead, and refused here either way)."""

    def authenticate_credentials(self, token: bytes):
        found = live_token(token.decode("utf-8", errors="replace"))
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        token_used(token=found)
        return (found.user, found)


class ApiTokenScheme(KnoxTokenScheme):
    """The OpenAPI document's name and description of this authentication."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"
