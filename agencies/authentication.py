"""Token authentication that loads the member's agency in the same query as the token."""

from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = Token.objects.select_related("user__membership__agency").filter(key=key).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = token.user
        user._concord_membership = getattr(user, "membership", None)
        return (user, token)
