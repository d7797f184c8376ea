"""The API's shared contract: token sign-in, deny by default, one error shape, never a 500."""

import json

import pytest
from django.test import override_settings
from django.urls import get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from agencies.api import TokenView
from config.rest import DenyAll
from tests.seed import DEMO_PASSWORD
from tests.tokens import token_for

pytestmark = pytest.mark.django_db


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_token_sign_in(demo, api):
    response = api().post(
        "/api/v1/auth/token/",
        {"username": "police.caseworker", "password": DEMO_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = api().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["agency"] == "police"
    assert me.json()["roles"] == ["caseworker"]
    assert "victim_contact" in me.json()["readable_sections"]


def test_wrong_credentials_are_a_clear_400(demo, api):
    response = api().post(
        "/api/v1/auth/token/", {"username": "police.caseworker", "password": "nope"}, format="json"
    )
    error = _error(response, 400)
    assert "Unable to sign in" in error["message"]


def test_repeated_failures_lock_the_account_out(demo, api):
    client = api()
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/", {"username": "cps.caseworker", "password": "x"}, format="json"
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "cps.caseworker", "password": DEMO_PASSWORD},
        format="json",
    )
    _error(response, 429, "locked_out")


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ('"a string"', "application/json"),
        ("username=a&password=b", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_400_or_415(demo, api, body, content_type):
    response = api().generic("POST", "/api/v1/auth/token/", body, content_type=content_type)
    assert response.status_code in (400, 415)
    _error(response, response.status_code)


def test_unknown_fields_are_named(demo, api):
    response = api().post(
        "/api/v1/auth/token/",
        {"username": "a", "password": "b", "remember_me": True},
        format="json",
    )
    error = _error(response, 400)
    assert error["fields"] == {"remember_me": ["Unknown field."]}


def test_missing_fields_are_named(demo, api):
    error = _error(api().post("/api/v1/auth/token/", {}, format="json"), 400)
    assert set(error["fields"]) == {"username", "password"}


@override_settings(MAX_REQUEST_BYTES=1024)
def test_oversized_bodies_are_refused(demo, api):
    body = json.dumps({"username": "x" * 5000, "password": "y"})
    _error(
        api().generic("POST", "/api/v1/auth/token/", body, content_type="application/json"),
        413,
        "request_too_large",
    )


def test_not_signed_in_is_401(api, db):
    _error(api().get("/api/v1/referrals/"), 401, "not_authenticated")
    _error(api().get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token"), 401)


def test_unknown_api_path_is_json_404(demo, as_user):
    _error(as_user("police.caseworker").get("/api/v1/nothing-here/"), 404, "not_found")
    _error(as_user("police.caseworker").get("/api/v1/referrals/abc/"), 404, "not_found")


def test_wrong_method_is_405(demo, as_user):
    _error(as_user("police.caseworker").delete("/api/v1/referrals/"), 405)


def test_a_member_without_an_agency_is_refused(api, django_user_model):
    user = django_user_model.objects.create_user("loner", password="x")
    _error(api(user).get("/api/v1/referrals/"), 403)


def test_pagination_shape_and_cap(demo, as_user):
    body = as_user("police.caseworker").get("/api/v1/referrals/?page_size=100000").json()
    assert set(body) >= {"results", "next", "count", "page_size"}
    assert body["page_size"] == 500


def test_a_view_that_names_no_permission_refuses_even_a_signed_in_member(demo):
    """DenyAll is the default: a view declaring no permission classes refuses a member who is
    signed in; the same view naming IsAuthenticated lets them through."""

    class Unnamed(APIView):
        def get(self, request):
            return Response({"ok": True})

    class Named(Unnamed):
        permission_classes = [IsAuthenticated]

    token = token_for(demo["police.caseworker"].user)

    def get(view):
        request = APIRequestFactory().get("/api/v1/probe/", HTTP_AUTHORIZATION=f"Token {token}")
        return view.as_view()(request)

    assert Unnamed.permission_classes == [DenyAll]
    refused = get(Unnamed)
    assert refused.status_code == 403 and refused.data["error"]["code"] == "permission_denied"
    assert get(Named).status_code == 200


def test_every_api_view_names_what_it_allows():
    """Each API view names its permission classes itself (none falls back on the framework's
    default), and only the token sign-in allows anyone."""
    resolver = get_resolver()
    views = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                cls = getattr(p.callback, "cls", None)
                if (
                    cls
                    and issubclass(cls, APIView)
                    and (prefix + str(p.pattern)).startswith("api/v1")
                ):
                    views.append(cls)

    walk(resolver.url_patterns)
    assert len(views) > 10
    for cls in views:
        named = [c for c in cls.__mro__ if "permission_classes" in vars(c)]
        assert named[0].__module__.split(".")[0] != "rest_framework", cls
        assert DenyAll not in cls.permission_classes, cls  # would refuse everything
    assert [cls for cls in views if AllowAny in cls.permission_classes] == [TokenView]


def test_openapi_schema_and_docs(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/referrals/" in schema.content
    assert client.get("/api/docs/").status_code == 200
