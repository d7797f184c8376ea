"""The justice API: a case's offences and what the police, CPS and the court did with them.
Thin views over `justice.selectors` and the workflow's orchestrators."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import policy
from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.exceptions import DomainError, NotAllowed, NotFound
from referral import services as referral_services
from workflows.services import justice as justice_flow

from . import selectors, serializers, services


def _offence(referral, offence_id):
    offence = selectors.offence_on_case(referral=referral, offence_id=offence_id)
    if offence is None:
        raise NotFound("No such offence on this case.")
    return offence


def _hearing(referral, hearing_id):
    hearing = selectors.hearing_on_case(referral=referral, hearing_id=hearing_id)
    if hearing is None:
        raise NotFound("No such hearing on this case.")
    return hearing


def _offence_response(referral, membership, offence_id, *, status_code=status.HTTP_201_CREATED):
    """The offence as the member may read it after a change."""
    rows = selectors.offence_rows(
        referral=referral,
        charging=policy.can_read(membership, "charging"),
        court=policy.can_read(membership, "court"),
    )
    row = next(r for r in rows if r["id"] == offence_id)
    return Response(serializers.offence_row(row), status=status_code)


class OffenceListView(APIView):
    """GET: the case's offences with what was done with each, as your agency may read them.
    POST: record an offence (the members who write the offences section)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: serializers.OffenceOutput(many=True)}, operation_id="offences_list"
    )
    def get(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_read(membership, "offences"):
            raise NotAllowed("Your agency may not read a case's offences.")
        charging = policy.can_read(membership, "charging")
        rows = selectors.offence_rows(
            referral=referral, charging=charging, court=policy.can_read(membership, "court")
        )
        if charging and any(row["charging_decisions"] for row in rows):
            referral_services.sensitive_reads_record(
                referral=referral, actor=request.user, sections={"charging"}
            )
        return Response([serializers.offence_row(row) for row in rows])

    @extend_schema(
        request=serializers.OffenceInput, responses={201: serializers.OffenceOutput},
        operation_id="offences_create",
    )
    def post(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_write(membership, "offences"):
            raise NotAllowed("Your agency may not record offences on a case.")
        payload = serializers.OffenceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        offence = services.offence_record(
            referral=referral, actor=request.user, membership=membership,
            draft=payload.draft(payload.validated_data),
        )
        return _offence_response(referral, membership, offence.pk)


class OffenceAmendView(APIView):
    """Amend an offence as recorded (kind, name, domestic-abuse flag, crime reference) with the
    reason: police and CPS. CPS changing the kind of a charged offence alters the charge (the
    victim is told by CPS's letter)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.OffenceAmendInput, responses={200: serializers.OffenceOutput},
        operation_id="offences_amend_create",
    )
    def post(self, request, referral_id: int, offence_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_amend_offence(membership):
            raise NotAllowed("Your agency may not amend an offence.")
        offence = _offence(referral, offence_id)
        payload = serializers.OffenceAmendInput(data=request.data)
        payload.is_valid(raise_exception=True)
        justice_flow.offence_amend_log(
            offence=offence, actor=request.user, membership=membership,
            amendment=payload.amendment(payload.validated_data),
        )
        return _offence_response(referral, membership, offence.pk, status_code=status.HTTP_200_OK)


class PoliceDecisionCreateView(APIView):
    """Record a police action or outcome on an offence (no further action needs its reason)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.PoliceDecisionInput, responses={201: serializers.OffenceOutput},
        operation_id="offences_police_decisions_create",
    )
    def post(self, request, referral_id: int, offence_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_write(membership, "offences"):
            raise NotAllowed("Your agency may not record police decisions on a case.")
        offence = _offence(referral, offence_id)
        payload = serializers.PoliceDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        justice_flow.police_decision_log(
            offence=offence, actor=request.user, membership=membership,
            draft=payload.draft(payload.validated_data),
        )
        return _offence_response(referral, membership, offence.pk)


class ChargingDecisionCreateView(APIView):
    """Record a CPS charging decision on an offence."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.ChargingDecisionInput, responses={201: serializers.OffenceOutput},
        operation_id="offences_charging_decisions_create",
    )
    def post(self, request, referral_id: int, offence_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_write(membership, "charging"):
            raise NotAllowed("Your agency may not record charging decisions.")
        offence = _offence(referral, offence_id)
        payload = serializers.ChargingDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        justice_flow.charging_decision_log(
            referral=referral, offence=offence, actor=request.user, membership=membership,
            draft=payload.draft(payload.validated_data),
        )
        return _offence_response(referral, membership, offence.pk)


class SentenceCreateView(APIView):
    """Record the sentence for a convicted offence, with its requirements and any restraining
    order made on conviction."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.SentenceInput, responses={201: serializers.OffenceOutput},
        operation_id="offences_sentence_create",
    )
    def post(self, request, referral_id: int, offence_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_write(membership, "court"):
            raise NotAllowed("Your agency may not record sentences.")
        offence = _offence(referral, offence_id)
        payload = serializers.SentenceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        hearing = _hearing(referral, data["hearing"]) if data["hearing"] else None
        justice_flow.sentence_log(
            offence=offence, actor=request.user, membership=membership,
            draft=payload.draft(data, hearing=hearing),
        )
        return _offence_response(referral, membership, offence.pk)


class HearingOutcomeCreateView(APIView):
    """Record what a held hearing decided (for one offence, or the whole case)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.HearingOutcomeInput, responses={201: serializers.HearingOutcomeOutput},
        operation_id="hearings_outcomes_create",
    )
    def post(self, request, referral_id: int, hearing_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_record_hearing(membership):
            raise NotAllowed("Your agency may not record hearing outcomes.")
        hearing = _hearing(referral, hearing_id)
        payload = serializers.HearingOutcomeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        offence = None
        if data["offence"] is not None:
            offence = selectors.offence_on_case(referral=referral, offence_id=data["offence"])
            if offence is None:
                raise DomainError(
                    "No such offence.", fields={"offence": ["No such offence on this case."]}
                )
        outcome = justice_flow.hearing_outcome_log(
            hearing=hearing, actor=request.user, membership=membership,
            draft=services.OutcomeDraft(
                result=data["result"], offence=offence, note=data["note"],
                bail_conditions=data["bail_conditions"], bail_expires=data["bail_expires"],
            ),
        )
        return Response(
            {
                "id": outcome.pk, "hearing": hearing.pk, "offence": outcome.offence_id,
                "result": outcome.result, "bail_conditions": outcome.bail_conditions_id,
                "note": outcome.note, "agency": membership.agency.slug,
            },
            status=status.HTTP_201_CREATED,
        )


class CourtView(APIView):
    """The case's hearings with their outcomes, and the sentences passed (readers of court)."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.CourtOutput}, operation_id="court_read")
    def get(self, request, referral_id: int):
        membership = membership_of(request.user)
        referral = referral_services.referral_look(membership=membership, referral_id=referral_id)
        if not policy.can_read(membership, "court"):
            raise NotAllowed("Your agency may not read a case's court outcomes.")
        return Response(serializers.court_row(selectors.court_rows(referral=referral)))
