"""Keeps a signed-in session that has not passed its second factor to the sign-in pages."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from config.middleware import json_error

from .second_factor import session_passes

# What a session between its password and its second factor may reach: the code and
# enrolment pages, the passkey ceremonies, signing in again or out, and static files.
_OPEN_NAMES = ("second-factor-verify", "second-factor-enrol", "login", "logout")
_OPEN_PREFIXES = ("/accounts/2fa/webauthn/",)


class SecondFactorMiddleware:
    """After OTPMiddleware: a session whose account must have a second factor and has not
    used it this session answers 401 `second_factor_required` on /api/, and is sent to the
    code page (or to enrolment, for an account with none yet) anywhere else."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in _OPEN_NAMES)
        return (
            path in self._open_paths
            or path.startswith(_OPEN_PREFIXES)
            or path.startswith(settings.STATIC_URL)
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or self._is_open(request.path)
            or session_passes(user=user, session=request.session)
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return json_error(
                401,
                "second_factor_required",
                "Finish signing in with your second factor first.",
            )
        return redirect_to_login(
            request.get_full_path(), login_url=reverse("second-factor-verify")
        )
