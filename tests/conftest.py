import os

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from tests.processes import PRODUCTION, manage
from tests.seed import seed, seeded_demo
from tests.tokens import token_for

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

@pytest.fixture
def demo(db):
    """The demo agencies and accounts, seeded once for the session; {username: membership}."""
    return seeded_demo()


@pytest.fixture(scope="module")
def document(django_db_blocker):
    """The OpenAPI document the API serves (/api/schema/), parsed."""
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.fixture(scope="session")
def check_deploy():
    """`manage.py check --deploy --fail-level WARNING` under the production profile: one run,
    read by tests/test_settings.py and tests/test_production.py."""
    return manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION)


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


class _Seed:
    """Whether the starting state may have been emptied, and the way to the database to put
    it back from a hook (no fixture runs there)."""

    blocker = None
    emptied = False


def _database_use(item) -> tuple[bool, bool]:
    """(uses the database, transactional), as pytest-django decides it for the test."""
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    transactional = bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & names
    )
    return transactional or marker is not None or "db" in names, transactional


def pytest_collection_modifyitems(items):
    """Transactional tests are marked `transactional` (each empties the database when it ends
    and the next test seeds it again): `make test` leaves them to `make test-transactional`."""
    for item in items:
        if _database_use(item)[1]:
            item.add_marker(pytest.mark.transactional)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a test's fixtures: the starting state back if a transactional test emptied the
    tables; and a transactional test will empty them when it ends."""
    uses, transactional = _database_use(item)
    if uses and _Seed.emptied and _Seed.blocker is not None:
        with _Seed.blocker.unblock():
            seed()
        _Seed.emptied = False
    if transactional:
        _Seed.emptied = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The starting state (tests/seed.py), made once; and the test database's between-test
    flushes allowed to empty the append-only audit table.

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
            cursor.execute("DROP TRIGGER IF EXISTS audit_erasure_no_delete")
    with django_db_blocker.unblock():
        seed()
    _Seed.blocker = django_db_blocker
    yield
    _Seed.blocker = None
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


@pytest.fixture
def evidence_storage(settings, tmp_path):
    """Evidence files stored on the filesystem in a directory of the test's own, scanned by
    nothing unless the test names a scanner; the directory."""
    root = tmp_path / "evidence"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST = ""
    return root


@pytest.fixture
def privacy_storage(settings, tmp_path):
    """Subject access bundles stored on the filesystem in a directory of the test's own; the
    directory."""
    root = tmp_path / "privacy"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "privacy": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root
