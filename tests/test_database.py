"""Django's PostgreSQL backend with health checks: a kept connection the server closed is
replaced before a request's first query, and one inside a transaction is kept."""

import select
import time

import psycopg2
import pytest
from django.db import connection, transaction

from agencies.selectors import membership_of
from tests.agencies.factories import MemberFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    # The server closes the test's own connection: no test transaction can survive that.
    pytest.mark.django_db(transaction=True),
]


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


def test_the_stock_backend_checks_a_kept_connection():
    assert connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]


def test_a_connection_the_server_closed_is_replaced_before_the_next_query():
    _between_requests()
    old = _closed_by_the_server()
    assert _backend_pid() != old


def test_a_look_up_after_the_server_closed_the_connection_is_answered():
    user = MemberFactory().user

    def look_up():
        user.__dict__.pop("_concord_membership", None)  # asked again, not remembered
        return membership_of(user)

    for _ in range(3):
        assert look_up().user_id == user.pk
    _between_requests()
    _closed_by_the_server()
    assert look_up().user_id == user.pk


def test_a_connection_inside_a_transaction_is_asked_the_server_and_kept():
    _between_requests()
    with transaction.atomic():
        pid = _backend_pid()
        kept = connection.connection
        connection.health_check_done = False
        connection.close_if_health_check_failed()
        assert connection.connection is kept and connection.health_check_done
        assert _backend_pid() == pid


def test_the_connection_never_compiles_plans_with_jit():
    """The reports' aggregates would pay 100 to 200 ms of JIT compiling per query."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
