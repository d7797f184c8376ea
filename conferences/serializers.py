"""Input and output shapes of the conference API that the OpenAPI document describes. No state
changes here."""

from rest_framework import serializers

from config.rest import StrictCharField, StrictSerializer

from .models import AgendaItem, Conference, ConferenceAction

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
    user = serializers.CharField(help_text="The attendee's username.")
    name = serializers.CharField(help_text="The attendee's name.")
    agency = serializers.SlugField()
    agency_name = serializers.CharField()
    acknowledged_at = serializers.DateTimeField()


class MinutesDecision(serializers.Serializer):
    text = serializers.CharField()
    reason = serializers.CharField()


class MinutesDecisionMade(MinutesDecision):
    decided_by = serializers.CharField(help_text="The chair's name.")


class MinutesAction(serializers.Serializer):
    agency = serializers.SlugField()
    agency_name = serializers.CharField()
    description = serializers.CharField()
    due = serializers.DateField()
    outcome = serializers.CharField(allow_null=True)


class MinutesNote(serializers.Serializer):
    seq = serializers.IntegerField()
    author = serializers.CharField(help_text="The author's username.")
    author_name = serializers.CharField()
    agency = serializers.SlugField()
    agency_name = serializers.CharField()
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
    is_addendum = serializers.BooleanField(help_text="Added after the minutes were signed.")


class MinutesItem(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    reference = serializers.CharField()
    position = serializers.IntegerField()
    status = serializers.CharField()
    is_repeat = serializers.BooleanField()
    decisions = MinutesDecisionMade(many=True)
    actions = MinutesAction(many=True)
    notes = MinutesNote(many=True)


class MinutesOutput(serializers.Serializer):
    """Signed minutes read as at `signed_at` (addenda aside): see `selectors.minutes`."""

    conference = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(help_text="When it was scheduled to start.")
    started_at = serializers.DateTimeField(allow_null=True, help_text="When it was opened.")
    closed_at = serializers.DateTimeField(allow_null=True, help_text="When it was closed.")
    status = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    for_agency = serializers.SlugField()
    confidentiality_statement = serializers.CharField()
    attendance = MinutesAttendance(many=True)
    items = MinutesItem(many=True)
    general_notes = MinutesNote(many=True)


# --- The meeting, its agenda and its notes, as the API answers them --------------------------


class ConferenceSummaryOutput(serializers.Serializer):
    """A meeting as the list shows it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Conference.Status.choices)
    coordinator = serializers.SlugField()


class AgendaEntryOutput(serializers.Serializer):
    """An item of the agenda: which case, where on the agenda, and where it stands."""

    id = serializers.IntegerField()
    referral = serializers.IntegerField()
    position = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AgendaItem.Status.choices)
    is_repeat = serializers.BooleanField(help_text="The case was on an earlier meeting's agenda.")


class AgendaDecisionOutput(MinutesDecision):
    id = serializers.IntegerField()


class AgendaActionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.SlugField()
    description = serializers.CharField()
    due = serializers.DateField()
    outcome = serializers.ChoiceField(choices=ConferenceAction.Outcome.choices, allow_null=True)
    task = serializers.IntegerField(allow_null=True, help_text="The owning agency's `action` task.")


class AgendaItemOutput(AgendaEntryOutput):
    """An item of the meeting's agenda; its case material (`reference`, `decisions`, `actions`)
    only once the caller has accepted the confidentiality statement."""

    reference = serializers.CharField(required=False)
    decisions = AgendaDecisionOutput(many=True, required=False)
    actions = AgendaActionOutput(many=True, required=False)


class OutstandingActionOutput(serializers.Serializer):
    """An action still open on one of the agenda's cases, from this meeting or an earlier one."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    agency = serializers.SlugField()
    agency_name = serializers.CharField()
    description = serializers.CharField()
    due = serializers.DateField()
    outcome = serializers.ChoiceField(choices=ConferenceAction.Outcome.choices, allow_null=True)
    conference = serializers.IntegerField()


class ConferenceOutput(serializers.Serializer):
    """A meeting with its agenda; the agenda's case material and the outstanding actions only
    once the caller has accepted its confidentiality statement (`acknowledged`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Conference.Status.choices)
    chair = serializers.CharField(help_text="The chair's username.")
    coordinator = serializers.SlugField()
    invited_agencies = serializers.ListField(child=serializers.SlugField())
    confidentiality_statement = serializers.CharField()
    acknowledged = serializers.BooleanField()
    current_item = serializers.IntegerField(allow_null=True, help_text="The item being heard.")
    last_seq = serializers.IntegerField(help_text="The last note's sequence number.")
    agenda = AgendaItemOutput(many=True)
    outstanding_actions = OutstandingActionOutput(many=True, required=False)


class AgendaItemStatusOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AgendaItem.Status.choices)


class NoteOutput(serializers.Serializer):
    """A live note, as the socket and the API send it."""

    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    client_id = serializers.UUIDField()
    agenda_item = serializers.IntegerField(allow_null=True)
    author = serializers.CharField(help_text="The author's username.")
    author_name = serializers.CharField()
    agency = serializers.SlugField()
    agency_name = serializers.CharField()
    text = serializers.CharField()
    visible_to = serializers.ListField(
        child=serializers.SlugField(), allow_null=True,
        help_text="The agencies (slugs) this note is restricted to; null for everyone present.",
    )
    version = serializers.IntegerField()
    addendum_to = serializers.IntegerField(
        allow_null=True, help_text="The note this one corrects (an addendum)."
    )
    is_addendum = serializers.BooleanField(help_text="Added after the minutes were signed.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


class NoteListOutput(serializers.Serializer):
    """The notes the caller may see after `since`, oldest first."""

    results = NoteOutput(many=True)
    last_seq = serializers.IntegerField(help_text="Ask for `since` this next time.")
