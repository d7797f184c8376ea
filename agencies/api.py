"""Sign-in for API clients and who the caller is."""

from django.contrib.auth import authenticate
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.rest import IsMember, StrictSerializer

from . import policy
from .second_factor import check_second_factor
from .selectors import membership_of


class TokenRequest(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.CharField(max_length=64, required=False, allow_blank=True)


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequest,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """The caller's agency, roles, and what the access policy lets them read and do."""

    permission_classes = [IsMember]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Me",
                {
                    "username": serializers.CharField(),
                    "agency": serializers.CharField(),
                    "agency_kind": serializers.CharField(),
                    "roles": serializers.ListField(child=serializers.CharField()),
                    "readable_sections": serializers.ListField(child=serializers.CharField()),
                    "writable_sections": serializers.ListField(child=serializers.CharField()),
                    "capabilities": serializers.ListField(child=serializers.CharField()),
                },
            )
        }
    )
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
