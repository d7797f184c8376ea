import pytest
from django.db import connection


@pytest.fixture
def empty_trail(db):
    """The trail emptied, for the tests that count its events and seals from the first (the
    demo seed the suite starts from wrote some). In the test's own transaction, so rolled back
    with it; a transactional test's end empties every table anyway.

    PostgreSQL only: the test database's TRUNCATE is the one way past the append-only guards
    (tests/conftest.py), and SQLite has no TRUNCATE.
    """
    if connection.vendor != "postgresql":
        pytest.skip("an empty trail needs PostgreSQL's TRUNCATE in the test database")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE audit_erasure, audit_seal, audit_pending_seal, audit_event, audit_chainhead"
        )
