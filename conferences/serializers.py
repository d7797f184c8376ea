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


class MinutesAttendance(serializers.Serializer):
    user = serializers.CharField()
    agency = serializers.SlugField()
    acknowledged_at = serializers.DateTimeField()


class MinutesDecision(serializers.Serializer):
    text = serializers.CharField()
    reason = serializers.CharField()


class MinutesAction(serializers.Serializer):
    agency = serializers.SlugField()
    description = serializers.CharField()
    due = serializers.DateField()
    outcome = serializers.CharField(allow_null=True)


class MinutesNote(serializers.Serializer):
    seq = serializers.IntegerField()
    author = serializers.CharField()
    agency = serializers.SlugField()
    text = serializers.CharField()
    visible_to = serializers.ListField(
        child=serializers.SlugField(), allow_null=True,
        help_text="The agencies (slugs) this note is restricted to; null for everyone present.",
    )
    visible_to_names = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="Those agencies' names."
    )
    addendum_to = serializers.IntegerField(
        allow_null=True, help_text="The note this one corrects (an addendum)."
    )


class MinutesItem(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    reference = serializers.CharField()
    position = serializers.IntegerField()
    status = serializers.CharField()
    is_repeat = serializers.BooleanField()
    decisions = MinutesDecision(many=True)
    actions = MinutesAction(many=True)
    notes = MinutesNote(many=True)


class MinutesOutput(serializers.Serializer):
    """Signed minutes read as at `signed_at` (addenda aside): see `selectors.minutes`."""

    conference = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    status = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    for_agency = serializers.SlugField()
    confidentiality_statement = serializers.CharField()
    attendance = MinutesAttendance(many=True)
    items = MinutesItem(many=True)
    general_notes = MinutesNote(many=True)
