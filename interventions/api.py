"""The interventions API: thin views over `interventions.selectors` and `services`.

A case the caller's agency may not see is 404 (the look logged); a section it may not read or
write is 403. GET paths take only `{referral_id}`; nested ids are in POST paths only.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import IsMember
from referral import services as referral_services
from referral.api import case_for as _case
from workflows import services as workflow_services

from . import selectors, serializers, services

# What the endpoint answers for a case with no plan (the detail's key is null then).
NO_PLAN = {"plan": None, "assessments": [], "interventions": [], "treatment": []}


def _interventions(request, referral, *, status_code=status.HTTP_200_OK) -> Response:
    """The case's interventions; a read of them is logged once there are some."""
    data = selectors.interventions(referral=referral)
    if data:
        referral_services.sensitive_reads_record(
            referral=referral, actor=request.user, sections=["interventions"]
        )
    return Response(data or NO_PLAN, status=status_code)


class AssessmentsView(APIView):
    """The case's assessments for court: before each hearing (risk assessments, pre-sentence
    reports, each with whether it was done before the hearing) and psychiatric ones."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: serializers.AssessmentsOutput}, operation_id="referral_assessments"
    )
    def get(self, request, referral_id: int):
        _, referral = _case(request, referral_id, section="assessments")
        return Response(selectors.assessments(referral=referral))


class PsychiatricAssessmentView(APIView):
    """The next step of a psychiatric assessment for the court: `requested`, `done`,
    `before_court` in that order, or `not_ordered` with a `reason` (CPS or the psychiatric
    unit)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.PsychiatricStepInput,
        responses={200: serializers.AssessmentsOutput},
        operation_id="referral_psychiatric_assessment_step",
    )
    def post(self, request, referral_id: int, assessment_id: int):
        membership, referral = _case(request, referral_id, section="assessments", write=True)
        payload = serializers.PsychiatricStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.psychiatric_assessment_record(
            referral=referral, assessment_id=assessment_id, actor=request.user,
            membership=membership, **payload.validated_data,
        )
        return Response(selectors.assessments(referral=referral))


class InterventionsView(APIView):
    """GET: the perpetrator's intervention plan (`plan` null when none is open), its
    assessments, its interventions and, of them, the treatment. POST: record an intervention
    offered (the plan is opened if none)."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={200: serializers.InterventionsOutput},
        operation_id="referral_interventions",
    )
    def get(self, request, referral_id: int):
        _, referral = _case(request, referral_id, section="interventions")
        return _interventions(request, referral)

    @extend_schema(
        request=serializers.InterventionInput,
        responses={201: serializers.InterventionsOutput},
        operation_id="referral_intervention_record",
    )
    def post(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="interventions", write=True)
        payload = serializers.InterventionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow_services.intervention_log(
            referral=referral, actor=request.user, membership=membership, draft=payload.draft()
        )
        return _interventions(request, referral, status_code=status.HTTP_201_CREATED)


class InterventionStatusView(APIView):
    """An intervention moves on: `started`, `completed`, or `declined`/`stopped` with a
    `reason`."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.InterventionStatusInput,
        responses={200: serializers.InterventionsOutput},
        operation_id="referral_intervention_status",
    )
    def post(self, request, referral_id: int, intervention_id: int):
        membership, referral = _case(request, referral_id, section="interventions", write=True)
        payload = serializers.InterventionStatusInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.intervention_status_set(
            referral=referral, intervention_id=intervention_id, actor=request.user,
            membership=membership, **payload.validated_data,
        )
        return _interventions(request, referral)


class PerpetratorAssessmentsView(APIView):
    """Record an assessment of the perpetrator (SRP, SAM, SASH...) on the intervention plan
    (opened if none)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=serializers.PerpetratorAssessmentInput,
        responses={201: serializers.InterventionsOutput},
        operation_id="referral_perpetrator_assessment_record",
    )
    def post(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="interventions", write=True)
        payload = serializers.PerpetratorAssessmentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.perpetrator_assessment_record(
            referral=referral, actor=request.user, membership=membership, draft=payload.draft()
        )
        return _interventions(request, referral, status_code=status.HTTP_201_CREATED)
