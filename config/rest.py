"""The API's shared rules: deny by default, one error shape, one pagination."""

import logging
from collections import OrderedDict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Subquery, Window
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.metadata import BaseMetadata
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from .exceptions import DomainError

logger = logging.getLogger(__name__)


class DenyAll(BasePermission):
    """The default: an endpoint that does not name what it allows allows nothing."""

    def has_permission(self, request, view) -> bool:
        return False


class Metadata(BaseMetadata):
    """What an OPTIONS request answers (with the `Allow` header DRF adds): the endpoint's name
    and the media types it speaks. The request and response shapes are in the OpenAPI document;
    DRF's default would describe them from a `serializer_class`, which most views here do not
    have (they shape input and output with several serializers)."""

    def determine_metadata(self, request, view) -> dict:
        return {
            "name": view.get_view_name(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }


def count_apart(queryset, *, by: str) -> Subquery:
    """The rows of `queryset` counted in a scalar subquery, for a page to carry as its total
    (`CountingPaginator.TOTAL`): PostgreSQL runs it once, from the indexes on `by` (a column
    every row has the same value of), and the page beside it may stop after its rows, where
    `COUNT(*) OVER ()` must read the whole list first."""
    return Subquery(queryset.order_by().values(by).annotate(n=Count("*")).values("n"))


def attribute_row(instance, columns: tuple[str, ...]) -> dict:
    """`instance` as the row a `.values(*columns)` read gives of it, following `__` through
    related objects (None past a missing one): one shape for an object just written and the
    rows a list reads."""
    row = {}
    for path in columns:
        value = instance
        for name in path.split("__"):
            value = None if value is None else getattr(value, name)
        row[path] = value
    return row


class CountingPaginator(Paginator):
    """A page and the total number of rows in one query (`COUNT(*) OVER ()`), not two.

    Every list endpoint answers with its count, and a separate COUNT query would cost each
    request a second round trip and its planning. An empty first page counts nothing (an
    empty inbox or list takes the same queries as a full one). Falls back to Django's COUNT
    when a later page is empty (past the end, or not) or the query is DISTINCT or grouped,
    where a window would count the wrong rows. A queryset annotated with `TOTAL` brings its
    total itself (`count_apart`).
    """

    TOTAL = "_page_total"

    def page(self, number):
        counted = self._counted()
        if counted is None:
            return super().page(number)
        number = self._positive(number)
        bottom = (number - 1) * self.per_page
        rows = list(counted[bottom : bottom + self.per_page])
        if not rows and number == 1 and self.allow_empty_first_page:
            self.__dict__["count"] = 0  # the page read everything there is: nothing
            return self._get_page(rows, number, self)
        if not rows:
            return super().page(number)  # past the end, or not: only a count can tell
        first = rows[0]
        self.__dict__["count"] = first[self.TOTAL] if isinstance(first, dict) else getattr(
            first, self.TOTAL
        )
        return self._get_page(rows, number, self)

    def _counted(self):
        query = getattr(self.object_list, "query", None)
        if query is None or query.distinct or query.group_by is not None:
            return None
        if self.TOTAL in query.annotations:
            return self.object_list  # it counts its rows its own way
        return self.object_list.annotate(**{self.TOTAL: Window(Count("*"))})

    def _positive(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("page_size", self.get_page_size(self.request)),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer"},
                "page_size": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for v in detail for m in _flatten(v)]
    return [str(detail)]


def _fields(detail) -> dict:
    """DRF's nested error detail as plain JSON: {"field": ["msg"], "victim": {"name": [...]}}."""
    if isinstance(detail, dict):
        return {str(k): _fields(v) for k, v in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            return [str(v) for v in detail]
        return [_fields(v) for v in detail]
    return [str(detail)]


def exception_handler(exc, context):
    """Every error the API gives is {"error": {"code", "message", "fields"}}."""
    # Imported here: rest_framework.views reads these settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    code = _CODES.get(response.status_code, "error")
    fields: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _fields(detail)
            non_field = fields.pop("non_field_errors", None)
            message = "; ".join(non_field) if non_field else "Some fields are not valid."
            if non_field:
                fields["non_field_errors"] = non_field
        else:
            messages = _flatten(detail)
            message = "; ".join(messages) or "The request is not valid."
            fields = {"non_field_errors": messages}
    else:
        detail = getattr(exc, "detail", None)
        message = "; ".join(_flatten(detail)) if detail is not None else str(exc)
        exc_code = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(exc_code, str) and response.status_code not in (401, 404):
            code = exc_code
    if isinstance(exc, exceptions.ParseError):
        code = "malformed_request"
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


def _unknown(serializer, data) -> dict:
    if not isinstance(data, dict):
        return {}
    fields = serializer.fields
    errors: dict = {}
    for key, value in data.items():
        if key not in fields or fields[key].read_only:
            errors[key] = [getattr(serializer, "misplaced_fields", {}).get(key, "Unknown field.")]
            continue
        child = fields[key]
        if isinstance(child, serializers.Serializer):
            nested = _unknown(child, value)
            if nested:
                errors[key] = nested
        elif isinstance(child, serializers.ListSerializer) and isinstance(value, list):
            for item in value:
                nested = _unknown(child.child, item)
                if nested:
                    errors[key] = nested
                    break
    return errors


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses keys it does not declare. `misplaced_fields` names keys
    that belong elsewhere, with the message that says where."""

    misplaced_fields: dict[str, str] = {}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = _unknown(self, data)
        if unknown:
            raise exceptions.ValidationError(unknown)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, nothing else ("yes", 1 and "on" are refused)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")


class StrictCharField(serializers.CharField):
    """Text only: numbers, lists and objects are refused rather than turned into strings."""

    default_error_messages = {"invalid": "Must be text."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CountingPagination(Pagination):
    """`Pagination` reading the page and its count in one query (see `CountingPaginator`): a
    window over a queryset that sorts every matching row anyway (an inbox ordered by
    overdue-first and due date), or rows that count in a cheaper way of their own (the
    referral list counts the agency's permission rows in the page's query, so the page can still
    walk the date index and stop at its last row, which a window would defeat)."""

    django_paginator_class = CountingPaginator


class SequencePagination(CursorPagination):
    """Pages of a list that only grows (the trail), in its own order, each page the rows after
    or before the page it was reached from (DRF's cursor pagination): no page counts the rows,
    so a page costs the same at the millionth row as at the first. The order is `ordering`, or
    the view's `sequence_ordering` (a tuple) where the reader chose it."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request, queryset, view):
        return getattr(view, "sequence_ordering", None) or (self.ordering,)


# --- The OpenAPI document's error answers ---------------------------------------------------

# Every operation may answer these, in the one error shape: bad input or query (400), not
# signed in (401), visible but not allowed (403), not found or not visible (404), the sign-in
# lockout or a throttle (429). Operations that take a body may also answer a conflict with the
# state (409), a body over MAX_REQUEST_BYTES (413) or one that is not JSON (415).
ERROR_STATUSES = {
    "400": "The request is not valid (`fields` says which).",
    "401": "Not signed in, or the credentials are not valid.",
    "403": "Visible to the caller's agency, but not allowed to it.",
    "404": "Not found, or not visible to the caller's agency.",
    "429": "Too many requests, or too many failed sign-ins.",
}
BODY_ERROR_STATUSES = {
    "409": "The state changed, or the thing was already done.",
    "413": "The request body is too large.",
    "415": "The request body is not JSON.",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "description": "field name: its messages"},
            },
        }
    },
}


def declare_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: each operation declares the errors it may answer
    (ERROR_STATUSES; BODY_ERROR_STATUSES for writes), each as the `Error` shape, leaving any
    an operation declares itself as it is."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            statuses = dict(ERROR_STATUSES)
            if method != "get":
                statuses.update(BODY_ERROR_STATUSES)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": error})
    return result
