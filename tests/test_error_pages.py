"""Error pages look like the product and offer the way back; DEBUG is off unless asked for."""

import pytest
from django.test import Client, RequestFactory

from config import errors
from tests.processes import manage

pytestmark = pytest.mark.django_db


def _product_page(content: bytes, heading: bytes):
    assert b'data-testid="error-page"' in content
    assert heading in content
    assert b'href="/"' in content  # the way back
    assert b"viewflow.min" in content  # the application's stylesheet


def test_a_missing_page_is_the_products_404():
    response = Client().get("/workspace/no-such-page/")
    assert response.status_code == 404
    _product_page(response.content, b"Page not found")
    assert b"URLconf" not in response.content


def test_an_expired_form_is_the_products_403():
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    _product_page(response.content, b"This form has expired")


def test_a_server_error_is_the_products_500_without_a_request_context():
    response = errors.server_error(RequestFactory().get("/workspace/"))
    assert response.status_code == 500
    _product_page(response.content, b"Something went wrong on our side")


def test_debug_is_off_in_the_demo_unless_a_developer_asks(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG)"
    env = {"CONCORD_VAR_DIR": str(tmp_path), "DATABASE_URL": None, "REDIS_URL": None}
    default = manage("shell", "-v", "0", "-c", code, env_overrides={**env, "DEBUG": None})
    assert default.stdout.strip() == "False", default.stderr
    asked = manage("shell", "-v", "0", "-c", code, env_overrides={**env, "DEBUG": "true"})
    assert asked.stdout.strip() == "True", asked.stderr
