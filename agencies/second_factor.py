"""The second factor: who needs one, enrolling it, checking its codes, recovery codes, resets.

django-otp keeps the devices (an authenticator app's TOTP secret, a set of single-use recovery
codes) and django-otp-webauthn the passkeys and security keys; this module decides who must
have one, and announces each enrolment and reset for the trail (`agencies.signals`). A session
passes the second factor once django-otp marks it verified (`request.user.is_verified()`); an
API client sends a code with its token request.

Only accounts made by `seed_demo` (`Membership.demo_account`) may go without one, and never
under production settings. Such an account that enrolled a device anyway must use it.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper as LibraryWebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from config.exceptions import DomainError, NotAllowed

from . import policy, signals
from .models import Membership
from .selectors import membership_of

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_APP = "Authenticator app"
RECOVERY_CODES = "Recovery codes"

# The session key that remembers, for the rest of a session, that its account may go without.
EXEMPT_SESSION_KEY = "concord_second_factor_exempt"


class SecondFactorRequired(NotAllowed):
    """The account has no second factor yet: it must enrol one on the website first."""

    code = "second_factor_required"


def is_exempt(user: AbstractBaseUser) -> bool:
    """Whether the account may sign in without a second factor: a demo account outside
    production that has not enrolled one."""
    if settings.PRODUCTION:
        return False
    membership = membership_of(user)
    return bool(membership is not None and membership.demo_account) and not has_second_factor(
        user
    )


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the account has a confirmed authenticator app or passkey (recovery codes alone
    are a way back in, not a factor to enrol with)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def session_passes(*, user: AbstractBaseUser, session) -> bool:
    """Whether a signed-in session may reach pages and the API: it passed the second factor
    (django-otp's `is_verified`, set by OTPMiddleware), or its account is exempt (remembered
    in the session once found, so exempt demo sessions cost no query per request)."""
    if _verified(user, session):
        return True
    if session.get(EXEMPT_SESSION_KEY):
        return True
    if is_exempt(user):
        session[EXEMPT_SESSION_KEY] = True
        return True
    return False


def _verified(user: AbstractBaseUser, session) -> bool:
    """django-otp's verdict: OTPMiddleware's on an HTTP request; read from the session where
    no middleware ran (a WebSocket's scope)."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None:
        return is_verified()
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk and device.confirmed


def check_second_factor(*, user: AbstractBaseUser, otp: str | None) -> None:
    """Check the second factor's code an API client sent with its password (a code of its
    authenticator app, or one of its recovery codes, which is then used up).

    Raises `SecondFactorRequired` (403, `second_factor_required`) for an account with no second
    factor that must have one, and a 400 naming `otp` (`otp_required`, `otp_invalid`) for a
    missing or wrong code. An exempt demo account passes without one.
    """
    if not has_second_factor(user):
        if is_exempt(user):
            return
        raise SecondFactorRequired(
            "This account has no second factor yet. Sign in on the website once to set one "
            "up, then send its code as `otp`.",
            fields={"otp": ["Set up a second factor on the website first."]},
        )
    otp = (otp or "").strip().replace(" ", "")
    if not otp:
        raise DomainError(
            "This account signs in with a second factor: send its code as `otp`.",
            fields={"otp": ["This field is required."]},
            code="otp_required",
        )
    if len(otp) > 64 or match_token(user, otp) is None:
        raise DomainError(
            "That code is not valid (or was already used). Try the next one.",
            fields={"otp": ["That code is not valid."]},
            code="otp_invalid",
        )


def verify_code(*, user: AbstractBaseUser, code: str):
    """The device that accepts this code (an authenticator app's or a recovery code, which is
    then used up), or None. django-otp throttles each device after failures."""
    code = (code or "").strip().replace(" ", "")
    if not code or len(code) > 64:
        return None
    return match_token(user, code)


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The account's authenticator-app device waiting to be confirmed, made if there is none:
    its secret is shown (as a QR code) until a code from the app confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_APP, confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: AbstractBaseUser, device: TOTPDevice, code: str) -> bool:
    """Confirm the pending authenticator app with a code it shows; whether the code fitted."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        return False
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    signals.second_factor_enrolled.send(sender=TOTPDevice, user=user, method="totp")
    return True


@transaction.atomic
def webauthn_registered(*, user: AbstractBaseUser) -> None:
    """Announce, for the trail, a passkey the library has just registered (called inside the
    registration's transaction)."""
    signals.second_factor_enrolled.send(sender=WebAuthnCredential, user=user, method="webauthn")


def has_recovery_codes(user: AbstractBaseUser) -> bool:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()


@transaction.atomic
def recovery_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """Replace the account's recovery codes with a fresh set, each usable once; the codes are
    returned to be shown once and are not shown again."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_CODES, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    signals.recovery_codes_issued.send(sender=StaticDevice, user=user)
    return codes


@transaction.atomic
def second_factor_reset(*, membership: Membership, actor: AbstractBaseUser, reason: str) -> int:
    """An agency administrator removes a member's second factor (a lost phone or key): every
    authenticator app, passkey and recovery code goes, and the member enrols again at the next
    sign-in. The member's other sessions keep no verified device and must enrol again too.
    Returns how many devices were removed."""
    if not policy.may_manage_member(membership_of(actor), membership):
        raise NotAllowed("Only an administrator of the member's agency may reset it.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give a reason.", fields={"reason": ["This field is required."]})
    user = membership.user
    removed = sum(1 for _ in devices_for_user(user, confirmed=None))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    signals.second_factor_reset.send(
        sender=Membership, membership=membership, actor=actor, reason=reason, devices=removed
    )
    return removed


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's set-up address as an inline SVG QR code (made here, no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, light="#fff", title="QR code of your authenticator app's secret"
    )


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def webauthn_rp_id(request: HttpRequest) -> str:
    """The WebAuthn relying party: WEBAUTHN_RP_ID, or the request's host name without its port."""
    return settings.WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0]


class WebAuthnHelper(LibraryWebAuthnHelper):
    """The library's helper, with the request's own origin when none is configured
    (development and tests; production sets WEBAUTHN_ALLOWED_ORIGINS, or CSRF_TRUSTED_ORIGINS)."""

    def get_allowed_origins(self) -> list[str]:
        configured = super().get_allowed_origins()
        if configured:
            return configured
        origin = f"{self.request.scheme}://{self.request.get_host()}"
        return [origin] if urlsplit(origin).hostname else []


def users_with_second_factor(user_ids: list[int]) -> set[int]:
    """Which of these accounts have a confirmed authenticator app or passkey."""
    return set(
        TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True)
        .values_list("user_id", flat=True)
    ) | set(
        WebAuthnCredential.objects.filter(user_id__in=user_ids, confirmed=True)
        .values_list("user_id", flat=True)
    )
