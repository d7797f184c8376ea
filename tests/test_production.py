"""The production profile from a fresh clone: collectstatic, check --deploy, serve, sign in, a case.

The server is `manage.py serve` in a subprocess with `CONCORD_ENV=production`, reached over plain
HTTP on 127.0.0.1 with `X-Forwarded-Proto: https`, as the TLS proxy in front of it would send.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.agencies.factories import enrol_totp, totp_code
from tests.conferences.live import database_url
from tests.referral.factories import payload
from tests.seed import DEMO_PASSWORD, seeded_demo

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "x7!Kp2#vQ9@mZ4$wL8^nR3&tY6*bH1(cJ5)dF0_gS-eA+uI=oP~" + "kM"


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    """The documented production variables, on the test database and the test Redis."""
    hidden = ("CONCORD_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DEBUG")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(
        CONCORD_ENV="production",
        SECRET_KEY=SECRET_KEY,
        # The server reads what the test writes: the same keys as the test profile's.
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class _Forms(HTMLParser):
    """The hidden inputs of a page's forms (the CSRF token)."""

    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value") or ""


class ProxiedClient:
    """HTTP to the server as its TLS proxy forwards a browser's requests.

    Keeps cookies itself: the production cookies are `Secure`, which a client on plain HTTP
    would not send back.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        origin = f"https://{self.host}:{self.port}"
        all_headers = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if method != "GET":
            all_headers.update(Origin=origin, Referer=origin + path)
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for name, morsel in cookie.items():
                assert morsel["secure"], f"{name} is not a Secure cookie"
                self.cookies[name] = morsel.value
        conn.close()
        return response

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def submit(self, path: str, fields: dict[str, str]):
        """GET a form page, then POST `fields` with its CSRF token; returns the POST's answer."""

        page = self.get(path)
        assert page.status == 200, (page.status, page.text[:500])
        forms = _Forms()
        forms.feed(page.text)
        body = urlencode({**forms.hidden, **fields})
        return self.request(
            "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )


def sign_in(client: ProxiedClient, username: str, password: str, *, device) -> None:
    """Sign in through the login page, then the second factor's code page with the code the
    member's authenticator app (`device`) shows."""
    answer = client.submit("/accounts/login/", {"username": username, "password": password})
    assert answer.status == 302, (answer.status, answer.text[:500])
    half_signed_in = client.get("/")
    assert half_signed_in.status == 302
    assert half_signed_in.headers["Location"].startswith("/accounts/2fa/verify/")
    answer = client.submit("/accounts/2fa/verify/", {"code": totp_code(device)})
    assert answer.status == 302, (answer.status, answer.text[:500])
    assert "/accounts/" not in answer.headers["Location"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic under production settings, once for the module (the manifest it writes is
    what the production server then serves)."""
    root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--noinput", "-v", "1", env=production_env(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture
def production_server(static_root, transactional_db):
    port = _free_port()
    env = production_env(static_root)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the production server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.slow  # collectstatic under the production profile: a minute (make test-slow)
def test_production_collects_static_files_and_serves_a_case_after_two_factor_sign_in(
    production_server, settings
):
    from django.contrib.auth.hashers import make_password

    members = seeded_demo()
    # The suite hashes with MD5 for speed; the production server knows only the real hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    signer = members["police.caseworker"].user
    signer.password = make_password(DEMO_PASSWORD)
    signer.save(update_fields=["password"])
    author = APIClient()
    author.force_authenticate(members["police.caseworker"].user)
    created = author.post("/api/v1/referrals/", payload(), format="json")
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]

    client = ProxiedClient(production_server)
    assert client.get("/workspace/referrals/").status == 302  # to the login page
    # In production every account signs in with a second factor, demo accounts too.
    sign_in(client, "police.caseworker", DEMO_PASSWORD, device=enrol_totp(signer))

    case = client.get(f"/workspace/referrals/{case_id}/")
    assert case.status == 200, case.text[:1000]
    assert created.json()["reference"] in case.text
    # The page links the manifest's hashed names, which WhiteNoise serves for a year.
    stylesheet = re.search(r'href="(/static/viewflow/css/viewflow\.min\.\w{12}\.css)"', case.text)
    assert stylesheet, "the case page does not link a hashed stylesheet"
    asset = client.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert asset.status == 200
    assert "max-age=315360000" in asset.headers["Cache-Control"]
    assert asset.headers.get("Content-Encoding") == "gzip"

    missing = client.get("/no-such-page/")
    assert missing.status == 404
    assert 'data-testid="error-page"' in missing.text and "Page not found" in missing.text
    assert "URLconf" not in missing.text  # not Django's debug page


def test_production_passes_check_deploy(check_deploy):
    """The check reads the settings only (neither the static files nor the database): the run
    tests/test_settings.py reads too."""
    assert check_deploy.returncode == 0, check_deploy.stdout + check_deploy.stderr
    assert "System check identified no issues" in check_deploy.stdout
