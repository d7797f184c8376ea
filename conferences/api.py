"""The conference API: meetings, the chair's controls, decisions, actions, minutes, notes."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from agencies.selectors import agencies_by_slug, membership_of
from config.rest import StrictCharField, StrictSerializer
from referral.services import referral_look
from workflows import services as workflow_services

from . import selectors, services
from . import serializers as output
from .models import Conference
from .serializers import (
    ActionInput,
    ActionOutput,
    DecisionInput,
    DecisionOutput,
    MinutesOutput,
)
from .services.notes import note_payload


def conference_output(conference: Conference, user) -> dict:
    acknowledged = selectors.has_acknowledged(user=user, conference=conference)
    items = selectors.agenda(conference=conference)
    data = {
        "id": conference.pk,
        "title": conference.title,
        "starts_at": conference.starts_at,
        "place": conference.place,
        "status": conference.status,
        "chair": conference.chair.get_username(),
        "coordinator": conference.coordinator.slug,
        "invited_agencies": selectors.invited_slugs(conference=conference),
        "confidentiality_statement": conference.confidentiality_statement,
        "acknowledged": acknowledged,
        "current_item": conference.current_item_id,
        "last_seq": conference.last_seq,
        "agenda": [
            {
                "id": i.pk,
                "referral": i.referral_id,
                "position": i.position,
                "status": i.status,
                "is_repeat": i.is_repeat,
            }
            for i in items
        ],
    }
    if acknowledged:
        for out, item in zip(data["agenda"], items, strict=True):
            out["reference"] = item.referral.reference
            out["decisions"] = [
                {"id": d.pk, "text": d.text, "reason": d.reason} for d in item.decisions.all()
            ]
            out["actions"] = [
                {
                    "id": a.pk,
                    "agency": a.agency.slug,
                    "description": a.description,
                    "due": a.due,
                    "outcome": a.outcome or None,
                    "task": a.task_id,
                }
                for a in item.actions.all()
            ]
        data["outstanding_actions"] = [
            {
                "id": a.pk,
                "reference": a.item.referral.reference,
                "agency": a.agency.slug,
                "agency_name": a.agency.name,
                "description": a.description,
                "due": a.due,
                "outcome": a.outcome or None,
                "conference": a.item.conference_id,
            }
            for a in selectors.outstanding_actions(
                conference=conference, membership=membership_of(user)
            )
        ]
    return data


class ConferenceInput(StrictSerializer):
    title = StrictCharField(max_length=200)
    starts_at = serializers.DateTimeField()
    place = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    invited_agencies = serializers.ListField(
        child=serializers.SlugField(max_length=60), min_length=1, max_length=60
    )


class ConferenceListView(GenericAPIView):
    """GET: meetings your agency is invited to. POST: schedule one (chairs)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: output.ConferenceSummaryOutput(many=True)},
        operation_id="conferences_list",
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.conference_list(user=request.user))
        return self.get_paginated_response(
            [
                {
                    "id": c.pk,
                    "title": c.title,
                    "starts_at": c.starts_at,
                    "status": c.status,
                    "coordinator": c.coordinator.slug,
                }
                for c in page
            ]
        )

    @extend_schema(request=ConferenceInput, responses={201: output.ConferenceOutput})
    def post(self, request):
        payload = ConferenceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        conference = services.conference_create(
            actor=request.user,
            title=payload.validated_data["title"],
            starts_at=payload.validated_data["starts_at"],
            place=payload.validated_data["place"],
            invited=_invited(payload.validated_data["invited_agencies"]),
        )
        return Response(conference_output(conference, request.user), status=status.HTTP_201_CREATED)


def _invited(slugs: list[str]) -> list:
    agencies = agencies_by_slug(slugs)
    unknown = sorted(set(slugs) - set(agencies))
    if unknown:
        raise ValidationError({"invited_agencies": [f"Unknown agencies: {', '.join(unknown)}."]})
    return list(agencies.values())


class ConferenceDetailView(APIView):
    """GET: a meeting with its agenda. PATCH: the chair changes a scheduled meeting's title,
    time, place or invited agencies (those left out keep their values)."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.ConferenceOutput})
    def get(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        return Response(conference_output(conference, request.user))

    @extend_schema(request=ConferenceInput(partial=True), responses={200: output.ConferenceOutput})
    def patch(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = ConferenceInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        invited = (
            _invited(data["invited_agencies"]) if "invited_agencies" in data
            else list(conference.invited_agencies.all())
        )
        services.conference_update(
            actor=request.user,
            conference=conference,
            title=data.get("title", conference.title),
            starts_at=data.get("starts_at", conference.starts_at),
            place=data.get("place", conference.place),
            invited=invited,
        )
        conference = selectors.conference_get(user=request.user, conference_id=conference.pk)
        return Response(conference_output(conference, request.user))


class CancelInput(StrictSerializer):
    reason = StrictCharField(max_length=2000)


class ConferenceCancelView(APIView):
    """The chair cancels a scheduled meeting, with the reason (409 while cases are on its
    agenda)."""

    permission_classes = [IsMember]

    @extend_schema(request=CancelInput, responses={200: output.ConferenceOutput})
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = CancelInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.conference_cancel(
            actor=request.user, conference=conference, reason=payload.validated_data["reason"]
        )
        conference = selectors.conference_get(user=request.user, conference_id=conference.pk)
        return Response(conference_output(conference, request.user))


def _chair_action(name: str, service, doc: str):
    """A POST with no body that calls one chair's service on the meeting."""

    class View(APIView):
        permission_classes = [IsMember]

        @extend_schema(
            request=None,
            responses={200: output.ConferenceOutput},
            operation_id=f"conferences_{name}",
        )
        def post(self, request, conference_id: int):
            conference = selectors.conference_get(user=request.user, conference_id=conference_id)
            conference = service(actor=request.user, conference=conference)
            conference = selectors.conference_get(user=request.user, conference_id=conference.pk)
            return Response(conference_output(conference, request.user))

    View.__name__ = View.__qualname__ = f"Conference{name.title()}View"
    View.__doc__ = doc
    return View


ConferenceStartView = _chair_action("start", services.conference_start, "The chair opens it.")
ConferenceCloseView = _chair_action(
    "close", workflow_services.conference_finish, "The chair closes it."
)
MinutesSignView = _chair_action("sign", services.minutes_sign, "The chair signs the minutes.")


class AcknowledgeView(APIView):
    """Accept the meeting's confidentiality statement (needed before case material or notes)."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={200: output.ConferenceOutput})
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        services.conference_acknowledge(actor=request.user, conference=conference)
        return Response(conference_output(conference, request.user))


class MoveInput(StrictSerializer):
    item = serializers.IntegerField(required=False, min_value=1)
    step = serializers.ChoiceField(choices=[-1, 1], required=False)

    def validate(self, data):
        if ("item" in data) == ("step" in data):
            raise ValidationError({"non_field_errors": ["Give either item or step (1 or -1)."]})
        return data


class MoveView(APIView):
    """The chair moves the meeting to an item, or to the next (1) or previous (-1) one."""

    permission_classes = [IsMember]

    @extend_schema(request=MoveInput, responses={200: output.ConferenceOutput})
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = MoveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        conference = services.conference_move(
            actor=request.user,
            conference=conference,
            item_id=payload.validated_data.get("item"),
            step=payload.validated_data.get("step", 0),
        )
        return Response(conference_output(conference, request.user))


class AgendaAddInput(StrictSerializer):
    referral = serializers.IntegerField(min_value=1)


class AgendaView(APIView):
    """The chair adds a case to the agenda."""

    permission_classes = [IsMember]

    @extend_schema(request=AgendaAddInput, responses={201: output.AgendaEntryOutput})
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = AgendaAddInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.check_chair(request.user, conference)
        referral = referral_look(
            membership=membership_of(request.user), referral_id=payload.validated_data["referral"]
        )
        item = services.agenda_add(
            referral=referral, conference_id=conference.pk, actor=request.user
        )
        return Response(
            {
                "id": item.pk,
                "referral": item.referral_id,
                "position": item.position,
                "status": item.status,
                "is_repeat": item.is_repeat,
            },
            status=status.HTTP_201_CREATED,
        )


class AgendaOrderInput(StrictSerializer):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=200)


class AgendaOrderView(APIView):
    permission_classes = [IsMember]

    @extend_schema(request=AgendaOrderInput, responses={200: output.ConferenceOutput})
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = AgendaOrderInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.agenda_reorder(
            actor=request.user, conference=conference, order=payload.validated_data["order"]
        )
        return Response(conference_output(conference, request.user))


class AgendaItemView(APIView):
    """DELETE: the chair takes a case off the agenda."""

    permission_classes = [IsMember]

    @extend_schema(responses={204: None})
    def delete(self, request, conference_id: int, item_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        item = selectors.agenda_item_get(conference=conference, item_id=item_id)
        services.agenda_remove(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgendaItemCloseView(APIView):
    """The chair closes an item: the case was heard, its flow moves on to review."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={200: output.AgendaItemStatusOutput})
    def post(self, request, conference_id: int, item_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        item = workflow_services.agenda_item_hear(
            actor=request.user,
            item=selectors.agenda_item_get(conference=conference, item_id=item_id),
        )
        return Response({"id": item.pk, "status": item.status})


def _recorded(created: bool) -> int:
    """201 for what a request stored, 200 for a resend answered with what it stored before."""
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


class DecisionView(APIView):
    """The chair records a decision with its reason (once per `client_id`, if given)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=DecisionInput,
        responses={201: DecisionOutput, 200: OpenApiResponse(
            DecisionOutput, description="A resend: the decision stored under this client_id."
        )},
    )
    def post(self, request, conference_id: int, item_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = DecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        decision, created = services.decision_record(
            actor=request.user, conference=conference, item_id=item_id, text=data["text"],
            reason=data["reason"], client_id=data.get("client_id"),
        )
        return Response(
            DecisionOutput(
                {
                    "id": decision.pk,
                    "item": decision.item_id,
                    "text": decision.text,
                    "reason": decision.reason,
                    "decided_by": decision.decided_by.get_username(),
                    "client_id": decision.client_id,
                }
            ).data,
            status=_recorded(created),
        )


class ActionView(APIView):
    """The chair records an action; it becomes an `action` task for that agency at once (once
    per `client_id`, if given)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=ActionInput,
        responses={201: ActionOutput, 200: OpenApiResponse(
            ActionOutput, description="A resend: the action stored under this client_id."
        )},
    )
    def post(self, request, conference_id: int, item_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = ActionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agency = agencies_by_slug([data["agency"]]).get(data["agency"])
        if agency is None:
            raise ValidationError({"agency": ["Unknown agency."]})
        action, created = workflow_services.action_assign(
            actor=request.user,
            conference=conference,
            item_id=item_id,
            agency=agency,
            description=data["description"],
            due=data["due"],
            client_id=data.get("client_id"),
        )
        return Response(
            ActionOutput(
                {
                    "id": action.pk,
                    "item": action.item_id,
                    "agency": action.agency.slug,
                    "description": action.description,
                    "due": action.due,
                    "task": action.task_id,
                    "client_id": action.client_id,
                }
            ).data,
            status=_recorded(created),
        )


class MinutesView(APIView):
    """The minutes as your agency may see them; once signed, as they stood at the signing."""

    permission_classes = [IsMember]

    @extend_schema(responses=MinutesOutput)
    def get(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        slug = selectors.require_attendee(user=request.user, conference=conference)
        return Response(
            MinutesOutput(selectors.minutes(conference=conference, agency_slug=slug)).data
        )


class NoteInput(StrictSerializer):
    client_id = serializers.UUIDField()
    text = StrictCharField(max_length=5000)
    agenda_item = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    visible_to = serializers.ListField(
        child=serializers.SlugField(), required=False, allow_null=True, max_length=60
    )
    addendum_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    addendum = serializers.BooleanField(
        required=False, default=False,
        help_text="An addendum to the signed minutes (the one kind of note they take); "
        "`addendum_to` names the note it corrects, if any.",
    )


class NotesView(APIView):
    """GET: notes you may see after `since`, oldest first. POST: add one (the socket's fallback)."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.NoteListOutput})
    def get(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        slug = selectors.require_attendee(user=request.user, conference=conference)
        try:
            since = int(request.query_params.get("since", 0))
        except ValueError:
            raise ValidationError({"since": ["A sequence number."]}) from None
        notes = selectors.notes_visible(conference=conference, agency_slug=slug, since=since)
        return Response(
            {
                "results": [note_payload(n) for n in notes],
                "last_seq": notes[-1].seq if notes else since,
            }
        )

    @extend_schema(
        request=NoteInput,
        responses={201: output.NoteOutput, 200: OpenApiResponse(
            output.NoteOutput, description="A resend: the note stored under this client_id."
        )},
    )
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = NoteInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        note, created = services.note_add(
            actor=request.user,
            conference=conference,
            client_id=data["client_id"],
            text=data["text"],
            agenda_item=data.get("agenda_item"),
            visible_to=data.get("visible_to"),
            addendum_to=data.get("addendum_to"),
            addendum=data["addendum"],
        )
        return Response(
            note_payload(note), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class NoteEditInput(StrictSerializer):
    version = serializers.IntegerField(min_value=1)
    text = StrictCharField(max_length=5000)


class NoteDetailView(APIView):
    """PATCH: edit your note, naming the version you edit (409 if it changed)."""

    permission_classes = [IsMember]

    @extend_schema(request=NoteEditInput, responses={200: output.NoteOutput})
    def patch(self, request, conference_id: int, note_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = NoteEditInput(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.note_edit(
            actor=request.user, conference=conference, note_id=note_id, **payload.validated_data
        )
        return Response(note_payload(note))


class UninviteInput(StrictSerializer):
    agency = serializers.SlugField(max_length=60)


class UninviteView(APIView):
    """The chair withdraws an agency: its access through the meeting ends, its sockets close."""

    permission_classes = [IsMember]

    @extend_schema(request=UninviteInput, responses={200: output.ConferenceOutput})
    def post(self, request, conference_id: int):
        conference = selectors.conference_get(user=request.user, conference_id=conference_id)
        payload = UninviteInput(data=request.data)
        payload.is_valid(raise_exception=True)
        agency = agencies_by_slug([payload.validated_data["agency"]]).get(
            payload.validated_data["agency"]
        )
        if agency is None:
            raise ValidationError({"agency": ["Unknown agency."]})
        services.conference_uninvite(actor=request.user, conference=conference, agency=agency)
        return Response(conference_output(conference, request.user))
