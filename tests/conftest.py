import os

import pytest
from rest_framework.test import APIClient

from agencies.services import demo_seed
from tests.reference_data import load_reference_data
from tests.tokens import token_for

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo(db):
    """The demo agencies and accounts; returns {username: membership}."""
    return {m.user.username: m for m in demo_seed(password=DEMO_PASSWORD)}


@pytest.fixture
def api():
    """api(user) -> an APIClient sending that user's token; api() -> an anonymous client."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return make


@pytest.fixture
def as_user(demo, api):
    """as_user("police.caseworker") -> an APIClient signed in as that demo account."""
    return lambda username: api(demo[username].user)


@pytest.fixture(autouse=True)
def reference_data(request):
    """Rows the data migrations load (the screening instrument, bank holidays).

    Transactional tests (live servers, threads) end by emptying every table, data migrations'
    rows included; put them back for whichever test comes next.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(
        (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & names
    )
    if not (marker or transactional or "db" in names):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    load_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the test database's between-test flushes empty the append-only audit table.

    PostgreSQL: its TRUNCATE guard yields to the `concord.audit_truncate` setting only in a
    database that has the table `concord_test_database`, made here and by no migration, so a
    database built by `migrate` never opens. SQLite, whose flush is a DELETE, drops its delete
    guard; the guard tests run on PostgreSQL.
    """
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            cursor.execute("CREATE TABLE IF NOT EXISTS concord_test_database (made_by text)")
            cursor.execute(f'ALTER DATABASE "{name}" SET concord.audit_truncate = \'on\'')
            cursor.execute("SET concord.audit_truncate = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    yield
    # A socket a test left open keeps its connection, and threads that ended (socket scenarios
    # run on their own) leave theirs: the test database can only be dropped once they are closed.
    from conferences.socket_db import close_kept_connection

    close_kept_connection()
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def background_sealer(settings):
    """Seal as servers do, in the sealer's thread; its kept connection closed afterwards."""
    from audit import chain

    settings.AUDIT_SEAL_IN_BACKGROUND = True
    yield
    chain._sealer.let_go()
