"""Token authentication that loads the member's agency in the same query as the token."""

from rest_framework import authentication, exceptions

from .selectors import active_token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = active_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return (token.user, token)
