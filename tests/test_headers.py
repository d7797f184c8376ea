"""Response headers: CSP, Permissions-Policy, and no-store on every page and API answer."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _private(response):
    assert "no-store" in response["Cache-Control"], response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "http" not in response["Content-Security-Policy"]  # no third-party origin


def test_a_case_page_and_the_login_page_are_never_cached(demo):
    from rest_framework.test import APIClient

    from tests.referral.factories import payload

    author = APIClient()
    author.force_authenticate(demo["police.caseworker"].user)
    case_id = author.post("/api/v1/referrals/", payload(), format="json").json()["id"]
    client = Client()
    _private(client.get("/accounts/login/"))
    client.force_login(demo["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{case_id}/")
    assert page.status_code == 200
    _private(page)


def test_every_api_answer_is_never_cached(demo, as_user, api):
    _private(as_user("police.caseworker").get("/api/v1/referrals/"))
    _private(as_user("police.caseworker").get("/api/v1/me/"))
    _private(api().get("/api/v1/referrals/"))  # a 401
    _private(api().get("/api/v1/nothing/"))  # a 404 outside DRF


def test_static_files_keep_their_caching():
    response = Client().get("/static/conferences/minutes.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
