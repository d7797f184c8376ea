"""The state every test starts from: the data migrations' rows (the screening instrument, bank
holidays) and the demo agencies and accounts, made once when the test database is built.

A test that uses the database runs in a transaction rolled back to that state. A transactional
test (a live server, a socket, threads: what needs commits) ends by emptying every table; the
conftest puts the state back before the next test that uses the database.
"""

from agencies.models import Membership
from agencies.services import DEMO_AGENCIES, demo_seed
from tests.reference_data import load_reference_data

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERNAMES = [username for *_, accounts in DEMO_AGENCIES for username, _ in accounts]


def seed() -> None:
    """Make the starting state in an empty (or flushed) test database; a no-op where it is."""
    load_reference_data()
    demo_seed(password=DEMO_PASSWORD)


def seeded_demo() -> dict[str, Membership]:
    """{username: membership} of the demo accounts, in the order the demo defines them."""
    found = {
        m.user.username: m
        for m in Membership.objects.select_related("user", "agency").filter(
            user__username__in=DEMO_USERNAMES
        )
    }
    missing = [username for username in DEMO_USERNAMES if username not in found]
    assert not missing, f"the demo seed is missing {missing}: was the database emptied?"
    return {username: found[username] for username in DEMO_USERNAMES}


def unseed() -> None:
    """Empty the tables the seed wrote, in the current transaction (rolled back with it), for a
    test that needs a database without the demo: the benchmark's generator makes its own
    agencies, of the same names. PostgreSQL only (its TRUNCATE is the one way past the audit
    trail's append-only guards, and only in the test database)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from agencies.models import Agency
    from audit.models import ChainHead, Event, PendingSeal, Seal

    assert connection.vendor == "postgresql", "unseed() needs PostgreSQL"
    models = (Agency, Membership, get_user_model(), Group, Event, Seal, PendingSeal, ChainHead)
    tables = ", ".join(f'"{model._meta.db_table}"' for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    # The cascade also empties the tables that refer to users (the local policies' `set_by`):
    # the data migrations' rows among them are put back.
    load_reference_data()
