"""Output shapes of the sign-in and who-am-I API, as the OpenAPI document describes them. No
state changes here."""

from rest_framework import serializers

from . import policy
from .models import AgencyKind, Role


def _sections() -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=policy.SECTIONS))


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(allow_null=True)


class ApiTokenOutput(serializers.Serializer):
    """One of the caller's live API tokens (never the token itself)."""

    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    last_used = serializers.DateTimeField()
    client = serializers.CharField(help_text="The User-Agent that signed in.")
    current = serializers.BooleanField(help_text="The token this request was signed with.")


class WebsocketTicketOutput(serializers.Serializer):
    ticket = serializers.CharField()


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    agency = serializers.SlugField()
    agency_kind = serializers.ChoiceField(choices=AgencyKind.choices)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    readable_sections = _sections()
    writable_sections = _sections()
    capabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=list(policy.CAPABILITIES)),
        help_text="What the access policy lets the caller do.",
    )
