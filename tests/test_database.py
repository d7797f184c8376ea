"""`config.postgresql`: a kept connection is checked before a request's first query without a
round trip, and one the server closed is replaced, prepared statements included."""

import select
import time
from contextlib import contextmanager

import psycopg2
import pytest
from django.db import connection, connections, transaction
from django.db.backends.postgresql import base as stock

from agencies.selectors import membership_of
from tests.agencies.factories import MemberFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    # The server closes the test's own connection: no test transaction can survive that.
    pytest.mark.django_db(transaction=True),
]


class _CountingCursors:
    """The driver's connection, counting the cursors opened on it (each a statement sent)."""

    def __init__(self, raw):
        self._raw, self.cursors = raw, 0

    def cursor(self, *args, **kwargs):
        self.cursors += 1
        return self._raw.cursor(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._raw, name)


@contextmanager
def _counting_cursors():
    """This connection's driver connection, counting the statements sent on it meanwhile."""
    counting = connection.connection = _CountingCursors(connection.connection)
    try:
        yield counting
    finally:
        connection.connection = counting._raw


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _between_requests():
    """What Django does when a request ends on a server that keeps connections (CONN_MAX_AGE):
    the next request's first query checks the connection."""
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None and not connection.health_check_done


def _closed_by_the_server():
    """Ends this connection's session from another one, and waits until its socket says so."""
    pid = connection.connection.get_backend_pid()
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None,
                             port=db["PORT"] or None, password=db["PASSWORD"] or None)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while not select.select([connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server did not close the connection"
    return pid


def test_the_health_check_of_a_kept_connection_sends_no_statement():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    _between_requests()
    with _counting_cursors() as counting:
        connection.close_if_health_check_failed()
        assert counting.cursors == 0
        assert connection.health_check_done and connection.connection is counting
        # Django's own check sends `SELECT 1` at the same point.
        connection.health_check_done = False
        stock.DatabaseWrapper.close_if_health_check_failed(connections["default"])
        assert counting.cursors == 1


def test_a_connection_the_server_closed_is_replaced_before_the_next_query():
    _between_requests()
    old = _closed_by_the_server()
    assert _backend_pid() != old


def test_a_prepared_look_up_after_the_server_closed_the_connection_prepares_again():
    user = MemberFactory().user

    def look_up():
        user.__dict__.pop("_concord_membership", None)  # asked again, not remembered
        return membership_of(user)

    for _ in range(3):  # prepared on this connection from its second use
        assert look_up().user_id == user.pk
    _between_requests()
    _closed_by_the_server()
    assert look_up().user_id == user.pk


def test_a_connection_inside_a_transaction_is_asked_the_server_and_kept():
    _between_requests()
    with transaction.atomic():
        pid = _backend_pid()
        connection.health_check_done = False
        with _counting_cursors() as counting:
            connection.close_if_health_check_failed()
            assert counting.cursors == 1  # SELECT 1, as Django's own check
            assert connection.connection is counting
        assert _backend_pid() == pid
