"""Output shapes of the decision trail's API, as the OpenAPI document describes them. No state
changes here."""

from rest_framework import serializers


class EventOutput(serializers.Serializer):
    """One event of the trail (`selectors.event_output`)."""

    seq = serializers.IntegerField(
        allow_null=True, help_text="Its place in the hash chain; null until it is sealed."
    )
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text="The username, if a person acted.")
    agency = serializers.CharField(allow_null=True, help_text="The actor's agency (slug).")
    verb = serializers.CharField()
    referral = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    changes = serializers.DictField(help_text="What changed, as the event's kind records it.")
    recipients = serializers.ListField(child=serializers.CharField())
    object_type = serializers.CharField(allow_blank=True)
    object_id = serializers.CharField(allow_blank=True)
    request_id = serializers.CharField(allow_blank=True)
    hash = serializers.CharField(allow_null=True, help_text="Its seal's hash; null until sealed.")


class AnchorOutput(serializers.Serializer):
    """The chain head last exported to the anchor file."""

    seq = serializers.IntegerField()
    hash = serializers.CharField()
    at = serializers.DateTimeField()
    database = serializers.CharField(required=False)


class VerificationOutput(serializers.Serializer):
    """The chain recomputed (`chain.Verification.as_dict`)."""

    ok = serializers.BooleanField()
    events = serializers.IntegerField(help_text="How many sealed events were checked.")
    first_bad = serializers.IntegerField(
        allow_null=True, help_text="The first event whose hash, link or number is wrong."
    )
    unsealed = serializers.IntegerField()
    orphaned = serializers.IntegerField(help_text="Events neither sealed nor queued for sealing.")
    erased = serializers.IntegerField(help_text="Events whose personal data was erased.")
    erased_unrecomputable = serializers.IntegerField(
        help_text="Erased events sealed before the digest form: their hash covered the erased "
        "values and cannot be recomputed, so only their links to the events either side were "
        "checked."
    )
    events_per_second = serializers.IntegerField()
    anchor = AnchorOutput(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class TrailEventOutput(EventOutput):
    """An event as the trail's pages list it (by cursor, never counted): the same fields as
    `EventOutput`, named apart so that the document describes the two kinds of page apart."""

