"""Django's PostgreSQL backend, with a health check that costs no round trip.

Django checks a kept connection before a request's first query by running `SELECT 1` on it
(`CONN_HEALTH_CHECKS`): one more round trip on every request, a third of those a two-query
inbox makes. A connection the server has closed (a restart, `pg_terminate_backend`, an idle
timeout) has something to read at once: the server's FATAL message, then the end of the stream.
An idle connection in good health has nothing, as Concord never LISTENs. So the check asks the
socket, without waiting, and a connection with anything waiting on it is closed and made again.
Anything else the server might send unasked (a parameter's new value after a reload) costs a
reconnect, never an error.

Only an idle connection is judged by its socket. One inside a transaction (Django does not
check there, but a caller might) is asked with `SELECT 1`, as Django asks it: closing it would
lose the transaction. After a failed query Django asks with `SELECT 1` too (`is_usable`), as
before: there the connection itself may be broken in ways its socket does not show.
"""

import select

from django.db.backends.postgresql import base
from psycopg2 import extensions


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.passes_health_check():
            self.close()
        self.health_check_done = True

    def passes_health_check(self) -> bool:
        raw = self.connection
        if raw.closed:
            return False
        if raw.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE:
            return self.is_usable()
        return not self.has_anything_waiting()

    def has_anything_waiting(self) -> bool:
        """True if the server has closed this connection or sent something unasked."""
        try:
            waiting, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(waiting)
