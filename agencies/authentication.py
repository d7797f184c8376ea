"""Token authentication that loads the member's agency in the same query as the token."""

from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from config.compiled import CompiledQuery

# Every API request runs this; compiled once (config/compiled.py), it costs its SQL and little more.
_TOKEN_WITH_MEMBER = CompiledQuery(
    lambda key: Token.objects.select_related("user__membership__agency").filter(key=key),
    key=str,
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        found = _TOKEN_WITH_MEMBER.objects(key=key, limit=1)
        token = found[0] if found else None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = token.user
        user._concord_membership = getattr(user, "membership", None)
        return (user, token)
