"""Error pages: JSON in the API's shape under /api/, HTML elsewhere."""

from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt

from .middleware import json_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # it changes nothing; a refused token would answer HTML instead of this 404
def api_not_found(request, rest=""):
    return json_error(404, "not_found", "Not found.")


def bad_request(request, exception=None):
    if _is_api(request):
        return json_error(400, "bad_request", "The request could not be understood.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_error(403, "forbidden", "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return json_error(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_error(500, "server_error", "Something went wrong on our side.")
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the API's error shape under /api/, the 403_csrf.html page elsewhere."""
    if _is_api(request):
        return json_error(403, "csrf_failed", "CSRF verification failed.")
    return csrf.csrf_failure(request, reason=reason)
