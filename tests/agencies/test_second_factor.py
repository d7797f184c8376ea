"""The second factor: token issue behind it, sign-in pages, recovery codes, the admin reset."""

import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import second_factor
from agencies.models import Role
from agencies.services import member_create
from audit.models import Event
from tests.agencies.factories import MemberFactory, enrol_totp, sign_in_verified, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def member(db):
    return MemberFactory(password=PASSWORD)


def _token(api, username, **extra):
    return api().post(TOKEN, {"username": username, "password": PASSWORD, **extra}, format="json")


def _error(response):
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


# --- The API's token issue -------------------------------------------------------------------


def test_an_enrolled_account_gets_no_token_without_its_code(api, member):
    enrol_totp(member.user)
    response = _token(api, member.user.username)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "otp_required" and "otp" in error["fields"]
    assert "token" not in response.json()


def test_an_enrolled_account_gets_no_token_with_a_wrong_code(api, member):
    device = enrol_totp(member.user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = _token(api, member.user.username, otp=wrong)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "otp_invalid" and "otp" in error["fields"]


def test_an_enrolled_account_gets_a_token_with_its_code(api, member):
    device = enrol_totp(member.user)
    response = _token(api, member.user.username, otp=totp_code(device))
    assert response.status_code == 200, response.content
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me/").json()["username"] == member.user.username


def test_a_code_is_not_taken_twice(api, member):
    device = enrol_totp(member.user)
    code = totp_code(device)
    assert _token(api, member.user.username, otp=code).status_code == 200
    assert _error(_token(api, member.user.username, otp=code))["code"] == "otp_invalid"


def test_a_wrong_password_says_nothing_of_the_second_factor(api, member):
    enrol_totp(member.user)
    response = api().post(
        TOKEN, {"username": member.user.username, "password": "not-it"}, format="json"
    )
    assert response.status_code == 400
    assert "otp" not in _error(response)["fields"]


def test_an_account_without_a_second_factor_must_enrol_before_a_token(api, member):
    response = _token(api, member.user.username, otp="123456")
    assert response.status_code == 403
    error = _error(response)
    assert error["code"] == "second_factor_required" and "otp" in error["fields"]
    enrol_totp(member.user)
    device = TOTPDevice.objects.get(user=member.user)
    assert _token(api, member.user.username, otp=totp_code(device)).status_code == 200


def test_demo_accounts_get_tokens_without_a_code(api, demo):
    response = api().post(
        TOKEN, {"username": "police.caseworker", "password": "demo-pass-2026"}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


def test_demo_accounts_need_a_code_under_production_settings(api, demo):
    with override_settings(PRODUCTION=True):
        response = api().post(
            TOKEN, {"username": "police.caseworker", "password": "demo-pass-2026"},
            format="json",
        )
    assert response.status_code == 403
    assert _error(response)["code"] == "second_factor_required"


def test_a_demo_account_that_enrolled_must_use_its_code(api, demo):
    enrol_totp(demo["police.caseworker"].user)
    response = api().post(
        TOKEN, {"username": "police.caseworker", "password": "demo-pass-2026"}, format="json"
    )
    assert _error(response)["code"] == "otp_required"


def test_only_seed_demo_marks_demo_accounts(demo, member):
    assert all(m.demo_account for m in demo.values())
    assert not member.demo_account


# --- Recovery codes --------------------------------------------------------------------------


def test_recovery_codes_are_single_use(api, member):
    enrol_totp(member.user)
    codes = second_factor.recovery_codes_issue(user=member.user)
    assert len(set(codes)) == second_factor.RECOVERY_CODE_COUNT
    assert _token(api, member.user.username, otp=codes[0]).status_code == 200
    assert _token(api, member.user.username, otp=codes[1]).status_code == 200
    assert _error(_token(api, member.user.username, otp=codes[0]))["code"] == "otp_invalid"
    assert StaticToken.objects.filter(device__user=member.user).count() == len(codes) - 2


def test_new_recovery_codes_replace_the_old(member):
    enrol_totp(member.user)
    old = second_factor.recovery_codes_issue(user=member.user)
    second_factor.recovery_codes_issue(user=member.user)
    assert second_factor.verify_code(user=member.user, code=old[0]) is None


def test_a_recovery_code_passes_the_code_page_once(client, member):
    enrol_totp(member.user)
    [code, *_] = second_factor.recovery_codes_issue(user=member.user)
    client.force_login(member.user)
    response = client.post("/accounts/2fa/verify/", {"code": code, "next": "/workspace/"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.get("/api/v1/me/").status_code == 200
    client.logout()
    client.force_login(member.user)
    assert client.post("/accounts/2fa/verify/", {"code": code}).status_code == 400


# --- The pages a half-signed-in session reaches ----------------------------------------------


def test_a_session_without_its_second_factor_reaches_no_page_or_api(client, member):
    enrol_totp(member.user)
    client.force_login(member.user)
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/?next=")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert _error(response)["code"] == "second_factor_required"
    assert client.get("/members/").status_code == 302
    assert client.get("/accounts/2fa/recovery-codes/").status_code == 302
    assert client.get("/accounts/2fa/verify/").status_code == 200
    # Enrolling another device does not get around the one the account has.
    assert client.get("/accounts/2fa/enrol/")["Location"].startswith("/accounts/2fa/verify/")
    assert client.post("/accounts/logout/").status_code == 302


def test_a_new_account_is_sent_to_enrol(client, member):
    client.force_login(member.user)
    response = client.get("/workspace/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/enrol/")
    html = response.content.decode()
    assert "<svg" in html and "<h1" in html
    assert '<label for="id_code">' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_enrolling_an_app_shows_recovery_codes_once_and_opens_the_site(client, member):
    client.force_login(member.user)
    client.get("/accounts/2fa/enrol/")
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    response = client.post("/accounts/2fa/enrol/", {"code": "000000", "next": "/workspace/"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    time.sleep(1.1)  # django-otp throttles a device for a second after a wrong code
    response = client.post(
        "/accounts/2fa/enrol/", {"code": totp_code(device), "next": "/workspace/"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li><code>([^<]+)</code></li>", response.content.decode())
    assert len(codes) == second_factor.RECOVERY_CODE_COUNT
    assert client.get("/api/v1/me/").status_code == 200
    assert not any(c in client.get("/accounts/2fa/recovery-codes/").content.decode()
                   for c in codes)
    assert Event.objects.filter(verb="second_factor.enrolled", actor=member.user,
                                changes__method="totp").exists()


def test_demo_sessions_skip_the_second_factor(client, demo):
    client.force_login(demo["hub.caseworker"].user)
    assert client.get("/workspace/home/").status_code == 200


# --- An administrator's reset ----------------------------------------------------------------


@pytest.fixture
def admin(member):
    return member_create(agency=member.agency, username="agency.admin", password=PASSWORD,
                         roles=[Role.ADMIN])


def test_an_admin_resets_a_members_second_factor_from_the_page(client, admin, member, api):
    device = enrol_totp(member.user)
    second_factor.recovery_codes_issue(user=member.user)
    sign_in_verified(client, admin.user)
    assert 'href="/members/"' in client.get("/workspace/home/").content.decode()
    page = client.get("/members/").content.decode()
    assert f'<label for="reason-{member.pk}">' in page and "<h1" in page
    url = f"/members/{member.pk}/second-factor/reset/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    response = client.post(url, {"reason": "Phone lost"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    assert not StaticToken.objects.filter(device__user=member.user).exists()
    event = Event.objects.get(verb="second_factor.reset")
    assert event.actor == admin.user and event.reason == "Phone lost"
    assert event.changes["username"] == member.user.username
    # The member enrols again at the next sign-in, and meanwhile gets no token.
    assert _error(_token(api, member.user.username, otp="123456"))["code"] == (
        "second_factor_required"
    )


def test_a_reset_ends_the_members_verified_sessions(client, admin, member):
    device = enrol_totp(member.user)
    sign_in_verified(client, member.user, device)
    assert client.get("/api/v1/me/").status_code == 200
    second_factor.second_factor_reset(membership=member, actor=admin.user, reason="Lost")
    assert client.get("/workspace/")["Location"].startswith("/accounts/2fa/verify/")


def test_only_an_admin_of_the_members_agency_may_reset(client, admin, member):
    enrol_totp(member.user)
    other_admin = member_create(agency=MemberFactory().agency, username="other.admin",
                                password=PASSWORD, roles=[Role.ADMIN])
    sign_in_verified(client, other_admin.user)
    assert client.post(f"/members/{member.pk}/second-factor/reset/",
                       {"reason": "x"}).status_code == 404
    sign_in_verified(client, member.user)
    assert client.get("/members/").status_code == 404
    with pytest.raises(second_factor.NotAllowed):
        second_factor.second_factor_reset(membership=member, actor=other_admin.user, reason="x")
    assert TOTPDevice.objects.filter(user=member.user).exists()
    assert not Event.objects.filter(verb="second_factor.reset").exists()


def test_a_sessions_verdict_is_read_without_the_middleware(client, member):
    """What a WebSocket's scope can ask: the session and its user, with no OTPMiddleware."""
    device = enrol_totp(member.user)
    client.force_login(member.user)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    half = store(session_key=client.session.session_key)
    assert not second_factor.session_passes(user=member.user, session=half)
    sign_in_verified(client, member.user, device)
    full = store(session_key=client.session.session_key)
    assert second_factor.session_passes(user=member.user, session=full)
    device.delete()
    assert not second_factor.session_passes(user=member.user, session=full)
