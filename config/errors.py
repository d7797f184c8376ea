"""Error pages: JSON in the API's shape under /api/, HTML elsewhere."""

from django.views import defaults

from .middleware import json_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


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
