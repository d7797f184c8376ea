"""Sign-in for API clients and who the caller is."""

from django.contrib.auth import authenticate, logout
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.rest import StrictSerializer

from . import policy
from . import serializers as output
from .models import ApiToken
from .permissions import IsMember
from .second_factor import check_second_factor
from .selectors import membership_of, tokens_of
from .services import token_issue, token_revoke, tokens_revoke_all, ws_ticket_issue


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
