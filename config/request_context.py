"""The current request's id, for log records and audit events (no Django imports here)."""

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdLogFilter(logging.Filter):
    """Stamps every log record with the id of the request that produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactPathFilter(logging.Filter):
    """Replaces request paths in Django's request logs by the route they matched.

    A path can carry personal data (a name typed into a URL, a search); the route pattern
    (`api/v1/referrals/<int:referral_id>/`) says as much as operations need.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                route_of(a) if isinstance(a, str) and a.startswith("/") else a for a in record.args
            )
        return True


def route_of(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return "<unmatched path>"
    return "/" + (match.route or "")
