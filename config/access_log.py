"""daphne's access log, with each path replaced by the route it matched (paths can carry names)."""

import datetime
import sys

from daphne.access import AccessLogGenerator

from .request_context import route_of


class RedactedAccessLog(AccessLogGenerator):
    def __call__(self, protocol, action, details):
        if "path" in details:
            details = {**details, "path": route_of(details["path"])}
        super().__call__(protocol, action, details)

    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        # Client addresses are personal data too: log only that one was there.
        super().write_entry(
            host="-", date=date or datetime.datetime.now(), request=request,
            status=status, length=length, ident=ident, user=user,
        )


def stdout_access_log() -> RedactedAccessLog:
    return RedactedAccessLog(sys.stdout)
