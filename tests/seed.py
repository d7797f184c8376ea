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
