"""Sign-in for API clients and who the caller is."""

from django.contrib.auth import authenticate, logout
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.rest import StrictSerializer

from . import policy
from . import serializers as output
from .models import ApiToken
from .permissions import IsMember
from .second_factor import check_second_factor
from .selectors import agreement_get, agreements_for, membership_of, tokens_of
from .services import (
    sharing_agreement_create,
    sharing_agreement_update,
    token_issue,
    token_revoke,
    tokens_revoke_all,
    ws_ticket_issue,
)


class TokenRequest(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.CharField(max_length=64, required=False, allow_blank=True)


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`).

    Each sign-in issues a new token, valid for API_TOKEN_TTL_MINUTES; end it with
    `POST /api/v1/auth/logout/`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequest, responses={200: output.TokenOutput})
    def post(self, request):
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active or membership_of(user) is None:
            raise ValidationError(
                {"non_field_errors": ["Unable to sign in with that username and password."]}
            )
        check_second_factor(user=user, otp=data.validated_data.get("otp"))
        row, token = token_issue(user=user, client=request.headers.get("User-Agent", ""))
        return Response({"token": token, "expiry": row.expiry})


def _token_row(token: ApiToken, current: ApiToken | None) -> dict:
    return {
        "id": token.pk,
        "created": token.created,
        "expiry": token.expiry,
        "last_used": token.last_used,
        "client": token.client,
        "current": current is not None and token.pk == current.pk,
    }


def _current_token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class LogoutView(APIView):
    """End the API token this request was signed with (a browser session: end the session)."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        current = _current_token(request)
        if current is not None:
            token_revoke(user=request.user, token_id=current.pk, why="logout")
        else:
            logout(request._request)
        return Response(status=204)


class LogoutAllView(APIView):
    """End every API token of the caller."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens_revoke_all(user=request.user, actor=request.user)
        return Response(status=204)


class TokenListView(APIView):
    """The caller's live API tokens (never the tokens themselves), newest first."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.ApiTokenOutput(many=True)})
    def get(self, request):
        current = _current_token(request)
        return Response([_token_row(t, current) for t in tokens_of(request.user)])


class TokenDetailView(APIView):
    """End one of the caller's API tokens; any other id is a 404."""

    permission_classes = [IsMember]

    @extend_schema(responses={204: None})
    def delete(self, request, token_id: int):
        if not token_revoke(user=request.user, token_id=token_id):
            raise NotFound("No such token.")
        return Response(status=204)


class WebsocketTicketView(APIView):
    """A one-time ticket for `ws://HOST/ws/conferences/{id}/?ticket=...`, valid once within
    WS_TICKET_TTL seconds; the socket lives no longer than the API token (or the browser session)
    that asked for it."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={200: output.WebsocketTicketOutput})
    def post(self, request):
        token = _current_token(request)
        session_key = request.session.session_key if token is None else None
        return Response(
            {"ticket": ws_ticket_issue(user=request.user, token=token, session_key=session_key)}
        )


class MeView(APIView):
    """The caller's agency, roles, and what the access policy lets them read and do."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.MeOutput})
    def get(self, request):
        member = membership_of(request.user)
        return Response(
            {
                "username": request.user.get_username(),
                "agency": member.agency.slug,
                "agency_kind": member.agency.kind,
                "roles": member.roles,
                "readable_sections": sorted(policy.readable_sections(member)),
                "writable_sections": sorted(policy.writable_sections(member)),
                "capabilities": [c for c in policy.CAPABILITIES if policy.may(member, c)],
            }
        )


class AgreementListView(APIView):
    """Information-sharing agreements: those the caller's agency is party to (every one, for
    auditors and oversight), newest first; a supervisor or administrator records one its
    agency is party to."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.AgreementOutput(many=True)},
                   operation_id="sharing_agreements_list")
    def get(self, request):
        agreements = agreements_for(membership_of(request.user))
        return Response([output.agreement_output(a) for a in agreements])

    @extend_schema(request=output.AgreementInput, responses={201: output.AgreementOutput},
                   operation_id="sharing_agreements_create")
    def post(self, request):
        if not policy.may(membership_of(request.user), "manage_sharing_agreements"):
            raise PermissionDenied("Only a supervisor or administrator records agreements.")
        payload = output.AgreementInput(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = sharing_agreement_create(actor=request.user, **payload.validated_data)
        agreement = agreement_get(membership=membership_of(request.user),
                                  agreement_id=agreement.pk)
        return Response(output.agreement_output(agreement), status=201)


class AgreementDetailView(APIView):
    """One agreement the caller may read (404 for another); a supervisor or administrator of a
    party moves its review date or ends it."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.AgreementOutput},
                   operation_id="sharing_agreements_retrieve")
    def get(self, request, agreement_id: int):
        agreement = agreement_get(membership=membership_of(request.user),
                                  agreement_id=agreement_id)
        return Response(output.agreement_output(agreement))

    @extend_schema(request=output.AgreementUpdateInput, responses={200: output.AgreementOutput},
                   operation_id="sharing_agreements_partial_update")
    def patch(self, request, agreement_id: int):
        member = membership_of(request.user)
        agreement = agreement_get(membership=member, agreement_id=agreement_id)
        if not policy.may_manage_agreement(member, [a.pk for a in agreement.parties.all()]):
            raise PermissionDenied("Only a supervisor or administrator of a party changes it.")
        payload = output.AgreementUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        sharing_agreement_update(agreement=agreement, actor=request.user,
                                 **payload.validated_data)
        return Response(output.agreement_output(
            agreement_get(membership=member, agreement_id=agreement_id)
        ))


def lockout_response(request, *args, **kwargs):
    """django-axes' answer once a username and address have failed too often."""
    body = {
        "error": {
            "code": "locked_out",
            "message": "Too many failed sign-in attempts. Try again in 15 minutes.",
            "fields": {},
        }
    }
    if request.path.startswith("/api/"):
        return JsonResponse(body, status=429)
    from django.shortcuts import render

    return render(request, "registration/locked_out.html", status=429)
