"""Input and output shapes of the conference API that the OpenAPI document describes. No state
changes here."""

from rest_framework import serializers

from config.rest import StrictCharField, StrictSerializer

CLIENT_ID_HELP = (
    "Optional idempotency key (a UUID the client makes once per submission and reuses on a "
    "retry). A second request with the same key stores nothing new and is answered 200 with "
    "what the first stored; 409 `client_id_taken` if the key was used for something else."
)


class DecisionInput(StrictSerializer):
    text = StrictCharField(max_length=5000)
    reason = StrictCharField(max_length=5000)
    client_id = serializers.UUIDField(required=False, allow_null=True, help_text=CLIENT_ID_HELP)


class DecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    text = serializers.CharField()
    reason = serializers.CharField()
    decided_by = serializers.CharField()
    client_id = serializers.UUIDField(allow_null=True)


class ActionInput(StrictSerializer):
    agency = serializers.SlugField(max_length=60)
    description = StrictCharField(max_length=5000)
    due = serializers.DateField()
    client_id = serializers.UUIDField(required=False, allow_null=True, help_text=CLIENT_ID_HELP)


class ActionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    agency = serializers.SlugField()
    description = serializers.CharField()
    due = serializers.DateField()
    task = serializers.IntegerField(allow_null=True, help_text="The owning agency's `action` task.")
    client_id = serializers.UUIDField(allow_null=True)
