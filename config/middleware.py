"""Request-wide concerns: a request id for the logs, a cap on body size, session lifetimes."""

import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from evidence.uploads import too_large_message

from .client_address import forwarded_client_address
from .exceptions import NotFound
from .request_context import current_request_id, request_id_var
from .session_limits import session_expired, session_touch

__all__ = ["current_request_id"]


class ClientAddressMiddleware:
    """Puts the client's address in REMOTE_ADDR, trusting only TRUSTED_PROXY_COUNT proxy hops.

    Everything after it (django-axes' lockout, logs) reads REMOTE_ADDR; the socket's peer is
    kept in META["concord.peer_addr"].
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["concord.peer_addr"] = peer
        request.META["REMOTE_ADDR"] = forwarded_client_address(
            peer, request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXY_COUNT
        )
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives each request a fresh id and echoes it back.

    The id is written into audit events, so a client may not choose it: an incoming
    `X-Request-ID` is taken only when TRUSTED_PROXY_REQUEST_ID says a trusted proxy sets it
    (overwriting whatever the client sent) and TRUSTED_PROXY_COUNT says there is such a proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = ""
        if settings.TRUSTED_PROXY_REQUEST_ID and settings.TRUSTED_PROXY_COUNT > 0:
            incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _is_request_id(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def _is_request_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def json_error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    """The one error shape of the API, for errors raised outside DRF's views."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return JsonResponse(body, status=status)


class BodySizeLimitMiddleware:
    """Refuses a body larger than MAX_REQUEST_BYTES before anything reads it. An evidence upload
    (EVIDENCE_UPLOAD_PATHS) may be EVIDENCE_MAX_BYTES larger; one larger still is refused as
    bad input naming its `file` and the limit (the upload itself stops storing past the limit
    when no length is sent: `evidence.uploads`)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.upload_paths = [re.compile(p) for p in settings.EVIDENCE_UPLOAD_PATHS]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error(400, "bad_request", "Content-Length is not a number.")
        if length > settings.MAX_REQUEST_BYTES:
            if any(p.match(request.path) for p in self.upload_paths):
                if length <= settings.MAX_REQUEST_BYTES + settings.EVIDENCE_MAX_BYTES:
                    return self.get_response(request)
                return _file_too_large(request)
            return json_error(
                413,
                "request_too_large",
                f"The request body is larger than {settings.MAX_REQUEST_BYTES} bytes.",
            )
        return self.get_response(request)


def _file_too_large(request: HttpRequest) -> HttpResponse:
    """An upload whose body is past the limit, answered before it is read: the API's error
    shape, or a page saying so (rendered without the request: nothing has run for it yet)."""
    message = too_large_message()
    if request.path.startswith("/api/"):
        return json_error(400, "invalid", message, {"file": [message]})
    return HttpResponse(
        render_to_string("evidence/too_large.html", {"message": message}), status=400
    )


class SessionTimeoutMiddleware:
    """Ends a browser session after SESSION_IDLE_TIMEOUT idle seconds or SESSION_COOKIE_AGE in all
    (config.session_limits, which the meeting sockets apply too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and ("_auth_user_id" in session)
        ):
            now = int(time.time())
            if session_expired(session, now=now):
                logout(request)
                if request.path.startswith("/api/"):
                    return json_error(401, "session_expired", "Your session has expired.")
                return redirect_to_login(request.get_full_path())
            session_touch(session, now=now)
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Every page and API answer says `Cache-Control: no-store` (they carry case data, which no
    browser or proxy cache may keep), and a Permissions-Policy that turns off the browser
    features Concord never uses. Static files are answered before this, and keep their caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NotFoundMiddleware:
    """A page whose selector raised the domain's `NotFound` answers Django's 404 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
