"""The API's edges: OPTIONS on every path, and unmatched /api/ paths, answer in the API's shape."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_paths() -> list[str]:
    """Every /api/v1/ route of the URL conf, its converters filled with an id (a report's key
    with a report)."""
    paths = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("api/v1/"):
                route = re.sub(r"<slug:key>", "justice", route)
                paths.append("/" + re.sub(r"<int:\w+>", "1", route))

    walk(get_resolver().url_patterns)
    return paths


API_PATHS = _api_paths()


def _json_error(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_the_url_conf_walk_finds_the_api():
    assert "/api/v1/referrals/" in API_PATHS and "/api/v1/conferences/1/agenda/1/" in API_PATHS
    assert len(API_PATHS) > 30


@pytest.mark.parametrize("path", API_PATHS)
def test_options_answers_every_api_path(demo, as_user, api, path):
    response = as_user("hub.chair").options(path)
    assert response.status_code in (200, 403), (path, response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 200:
        assert response["Allow"] and "OPTIONS" in response["Allow"]
        assert response.json()["renders"] == ["application/json"]
    anonymous = api().options(path)
    assert anonymous.status_code in (200, 401), (path, anonymous.status_code)
    assert anonymous["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unmatched_api_path_answers_json_signed_in_or_not(demo, method):
    anonymous = Client(enforce_csrf_checks=True)
    session = Client(enforce_csrf_checks=True)
    session.force_login(demo["police.caseworker"].user)
    for client in (anonymous, session):
        for path in ("/api/v1/nothing-here/", "/api/nothing", "/api/v2/referrals/"):
            if method == "get":
                response = client.get(path)
            else:
                response = getattr(client, method)(path, "{}", content_type="application/json")
            _json_error(response, 404)


def test_a_refused_csrf_token_on_the_api_answers_json(demo):
    session = Client(enforce_csrf_checks=True)
    session.force_login(demo["police.caseworker"].user)
    # DRF's session authentication checks the token itself: its refusal is the API's 403.
    response = session.post("/api/v1/referrals/", data="{}", content_type="application/json")
    _json_error(response, 403)
