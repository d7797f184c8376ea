"""A member's first sign-in enrols a second factor; later sign-ins ask for it."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from audit.models import Event
from tests.agencies.factories import MemberFactory, totp_code

pytestmark = [pytest.mark.browser]

PASSWORD = "a-long-test-password"


@pytest.fixture
def member(transactional_db):
    return MemberFactory(password=PASSWORD)


def _password_step(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _code_from_secret(secret: str) -> str:
    """What an authenticator app given this key shows now."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_new_member_enrols_an_app_then_signs_in_with_its_code(member, page, live_server):
    username = member.user.username
    _password_step(page, live_server, username)
    page.wait_for_url(re.compile(r"/accounts/2fa/enrol/"))
    expect(page).to_have_title(re.compile("Set up your second factor"))
    expect(page.locator("h1")).to_have_text("Set up your second factor")
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    # Nothing else is reachable before enrolling.
    page.goto(f"{live_server.url}/workspace/")
    page.wait_for_url(re.compile(r"/accounts/2fa/enrol/"))

    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(_code_from_secret(secret))
    page.get_by_role("button", name="Confirm the app").click()
    expect(page.locator("h1")).to_have_text("Recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("second-factor-continue").click()
    expect(page.get_by_test_id("home-agency")).to_contain_text(member.agency.name)

    # A later sign-in: password, then a code (a wrong one is listed at the top first).
    page.context.clear_cookies()
    _password_step(page, live_server, username)
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    expect(page).to_have_title(re.compile("Second factor"))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not valid")
    page.wait_for_timeout(1100)  # django-otp throttles the device a second after a failure
    device = TOTPDevice.objects.get(user=member.user, confirmed=True)
    page.get_by_label("Code").fill(totp_code(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("home-agency")).to_contain_text(member.agency.name)


def test_a_member_enrols_a_passkey_and_signs_in_with_it(member, page, live_server):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    username = member.user.username
    _password_step(page, live_server, username)
    page.wait_for_url(re.compile(r"/accounts/2fa/enrol/"))
    page.get_by_role("button", name="Register a passkey or security key").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert WebAuthnCredential.objects.filter(user=member.user, confirmed=True).exists()
    assert Event.objects.filter(verb="second_factor.enrolled", changes__method="webauthn",
                                actor=member.user).exists()
    page.get_by_role("button", name="Make new recovery codes").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("second-factor-continue").click()
    expect(page.get_by_test_id("home-agency")).to_contain_text(member.agency.name)

    page.context.clear_cookies()
    _password_step(page, live_server, username)
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page.get_by_test_id("home-agency")).to_contain_text(member.agency.name)
