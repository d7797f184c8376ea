"""Password-reset requests are throttled per email address and per client address."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from agencies.password_reset import counter_key

pytestmark = pytest.mark.django_db

EMAIL = "police.caseworker@example.org"
CLIENTS = [f"203.0.113.{n}" for n in range(1, 30)]
OTHER_EMAILS = [f"nobody{n}@example.org" for n in range(30)]


@pytest.fixture(autouse=True)
def fresh_counters():
    """The counters live in the shared cache; start each test from zero."""
    keys = [counter_key("email", e) for e in [EMAIL, *OTHER_EMAILS]]
    keys += [counter_key("client", c) for c in CLIENTS]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def _ask(email, client_address):
    return Client(REMOTE_ADDR=client_address).post(
        "/accounts/password_reset/", {"email": email}
    )


def test_one_address_gets_three_reset_mails_an_hour_from_anywhere(demo):
    for n in range(3):
        assert _ask(EMAIL, CLIENTS[n]).status_code == 302
    assert len(mail.outbox) == 3
    refused = _ask(EMAIL, CLIENTS[3])
    assert refused.status_code == 429
    assert b"No email was sent" in refused.content
    assert len(mail.outbox) == 3


def test_one_client_may_ask_ten_times_an_hour_whichever_address(demo):
    for n in range(10):
        assert _ask(OTHER_EMAILS[n], CLIENTS[0]).status_code == 302
    assert _ask(EMAIL, CLIENTS[0]).status_code == 429
    assert mail.outbox == []
    # Another client, and the account's own address, are not held up by it.
    assert _ask(EMAIL, CLIENTS[1]).status_code == 302
    assert len(mail.outbox) == 1


def test_an_unknown_address_is_throttled_like_a_known_one(demo):
    for n in range(3):
        assert _ask(OTHER_EMAILS[0], CLIENTS[n]).status_code == 302
    assert _ask(OTHER_EMAILS[0], CLIENTS[3]).status_code == 429
