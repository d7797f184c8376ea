"""The victims API: thin views over `victims.selectors`, `victims.services` and the workflow's
orchestrators of the victim's tasks. A case the caller's agency may not see is 404 (a logged
refused look); a section it may not read or write is 403."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Membership
from agencies.permissions import IsMember
from config.exceptions import DomainError
from referral import services as referral_services
from referral.api import case_for as _case
from workflows.services import victims as workflow_victims

from . import selectors, serializers, services


def _voice(request, referral, membership) -> dict:
    voice = selectors.victim_voice(referral_id=referral.pk, agency_kind=membership.agency.kind)
    if voice:
        referral_services.sensitive_reads_record(
            referral=referral, actor=request.user, sections=["victim_voice"]
        )
    return voice


def _input(serializer_class, request):
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


class VictimVoiceView(APIView):
    """The victim's voice: entitlement, wishes, consent, advocate, safety plan, statement,
    reviews (what the victim gave under consent shown only within its scope)."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.VictimVoiceOutput},
                   operation_id="referrals_victim_voice_retrieve")
    def get(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="victim_voice")
        return Response(_voice(request, referral, membership))


class _VoicePartView(APIView):
    """POST one part of the victim's voice; answers with the whole voice."""

    permission_classes = [IsMember]
    input_class: type = serializers.WishesInput

    def post(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="victim_voice", write=True)
        data = _input(self.input_class, request)
        self.record(request=request, referral=referral, membership=membership, data=data)
        return Response(_voice(request, referral, membership), status=status.HTTP_201_CREATED)

    def record(self, *, request, referral, membership: Membership, data: dict) -> None:
        raise NotImplementedError


def _voice_schema(input_class, name: str):
    return extend_schema(request=input_class, responses={201: serializers.VictimVoiceOutput},
                         operation_id=f"referrals_victim_voice_{name}_create")


class WishesView(_VoicePartView):
    """Record the victim's wishes (supports a prosecution? what they want, how to contact)."""

    input_class = serializers.WishesInput

    @_voice_schema(serializers.WishesInput, "wishes")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        services.wishes_record(referral=referral, actor=request.user, membership=membership,
                               **data)


class ConsentView(_VoicePartView):
    """Record the victim's consent: which agency kinds may be told what."""

    input_class = serializers.ConsentInput

    @_voice_schema(serializers.ConsentInput, "consent")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        services.consent_scope_record(referral=referral, actor=request.user,
                                      membership=membership, **data)


class AdvocateView(_VoicePartView):
    """Name the victim's advocate (an advocacy member whose service is involved), or end."""

    input_class = serializers.AdvocateInput

    @_voice_schema(serializers.AdvocateInput, "advocate")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        if data["end"]:
            services.advocate_end(referral=referral, actor=request.user, membership=membership,
                                  reason=data["reason"])
            return
        advocate = Membership.objects.select_related("agency", "user").filter(
            user__username=data["advocate"], user__is_active=True
        ).first()
        if advocate is None:
            raise DomainError("Name an advocate by username.",
                              fields={"advocate": ["No active account has this username."]})
        services.advocate_name(referral=referral, actor=request.user, membership=membership,
                               advocate=advocate, role=data["role"],
                               started_on=data["started_on"])


class SafetyPlanView(_VoicePartView):
    """Agree a safety plan; its review falls to the advocate's service on the review day."""

    input_class = serializers.SafetyPlanInput

    @_voice_schema(serializers.SafetyPlanInput, "safety_plan")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        workflow_victims.safety_plan_make(referral=referral, actor=request.user,
                                          membership=membership, **data)


class StatementView(_VoicePartView):
    """A victim personal statement offered, made or declined."""

    input_class = serializers.StatementInput

    @_voice_schema(serializers.StatementInput, "statement")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        services.statement_offer_record(referral=referral, actor=request.user,
                                        membership=membership, **data)


class EntitlementView(_VoicePartView):
    """Set whether the victim has enhanced rights (an opt-out says why)."""

    input_class = serializers.EntitlementInput

    @_voice_schema(serializers.EntitlementInput, "entitlement")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        services.entitlement_set(referral=referral, actor=request.user, membership=membership,
                                 **data)


class RightToReviewView(_VoicePartView):
    """The victim asks for a decision not to prosecute to be reviewed: the deciding agency
    gets the review, which the decider may not take."""

    input_class = serializers.RightToReviewInput

    @_voice_schema(serializers.RightToReviewInput, "right_to_review")
    def post(self, request, referral_id: int):
        return super().post(request, referral_id)

    def record(self, *, request, referral, membership, data):
        review = selectors.review_for(referral=referral, review_id=data["review"])
        if review is None:
            raise DomainError("Name a review offered on this case.",
                              fields={"review": ["No review with this id on this case."]})
        workflow_victims.right_to_review_ask(review=review, actor=request.user,
                                             membership=membership,
                                             requested_on=data["requested_on"])


class ContactListView(APIView):
    """GET: contact with the victim, latest first. POST: log a contact."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.ContactListOutput},
                   operation_id="referrals_contacts_list")
    def get(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="victim_contact")
        rows = selectors.contact_log(referral_id=referral.pk, limit=None)
        referral_services.sensitive_reads_record(
            referral=referral, actor=request.user, sections=["victim_contact"]
        )
        return Response({"results": rows})

    @extend_schema(request=serializers.ContactInput, responses={201: serializers.ContactOutput},
                   operation_id="referrals_contacts_create")
    def post(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="victim_contact", write=True)
        data = _input(serializers.ContactInput, request)
        entry = services.contact_record(
            referral=referral, actor=request.user, membership=membership,
            draft=services.ContactDraft(method=data["method"], reached=data["reached"],
                                        note=data["note"], at=data["at"]),
        )
        row = next(r for r in selectors.contact_log(referral_id=referral.pk, limit=None)
                   if r["id"] == entry.pk)
        return Response(row, status=status.HTTP_201_CREATED)


class OthersAtRiskView(APIView):
    """GET: others the suspect puts at risk. POST: record one."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.SafeguardingOutput},
                   operation_id="referrals_others_at_risk_list")
    def get(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="safeguarding")
        people = selectors.others_at_risk(referral_id=referral.pk)
        if people:
            referral_services.sensitive_reads_record(
                referral=referral, actor=request.user, sections=["safeguarding"]
            )
        return Response({"others_at_risk": people})

    @extend_schema(request=serializers.PersonAtRiskInput,
                   responses={201: serializers.PersonAtRiskOutput},
                   operation_id="referrals_others_at_risk_create")
    def post(self, request, referral_id: int):
        membership, referral = _case(request, referral_id, section="safeguarding", write=True)
        data = _input(serializers.PersonAtRiskInput, request)
        person = services.person_at_risk_record(referral=referral, actor=request.user,
                                                membership=membership, **data)
        return Response(_person(referral, person.pk), status=status.HTTP_201_CREATED)


def _person(referral, person_id) -> dict:
    return next(p for p in selectors.others_at_risk(referral_id=referral.pk)
                if p["id"] == person_id)


class SafeguardingReferralView(APIView):
    """Record a safeguarding referral made for someone at risk."""

    permission_classes = [IsMember]

    @extend_schema(request=serializers.SafeguardingInput,
                   responses={201: serializers.PersonAtRiskOutput},
                   operation_id="referrals_others_at_risk_safeguarding_create")
    def post(self, request, referral_id: int, person_id: int):
        membership, referral = _case(request, referral_id, section="safeguarding", write=True)
        data = _input(serializers.SafeguardingInput, request)
        person = selectors.person_for(referral=referral, person_id=person_id)
        if person is None:
            raise DomainError("Name a person at risk on this case.",
                              fields={"person_id": ["No such person on this case."]})
        services.safeguarding_referral_record(
            person=person, actor=request.user, membership=membership,
            referred_on=data["referred_on"], to=data["to"], outcome=data["outcome"],
        )
        return Response(_person(referral, person.pk), status=status.HTTP_201_CREATED)
