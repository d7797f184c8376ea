"""config.shared_state: one-time values and bounded leases, in Redis and in process memory."""

import time
import uuid

import pytest
from django.conf import settings as django_settings

from config import shared_state


@pytest.fixture(params=["redis", "memory"])
def store(request, settings):
    if request.param == "redis":
        if not django_settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set")
    else:
        settings.REDIS_URL = ""
    return request.param


def test_a_value_is_taken_once(store):
    name = f"test:{uuid.uuid4()}"
    shared_state.put(name, "v", ttl=5)
    assert shared_state.take(name) == "v"
    assert shared_state.take(name) is None


def test_a_value_lapses(store):
    name = f"test:{uuid.uuid4()}"
    shared_state.put(name, "v", ttl=1)
    time.sleep(1.2)
    assert shared_state.take(name) is None


def test_a_lease_set_holds_at_most_its_limit_and_lapsed_places_free_up(store):
    name = f"test:{uuid.uuid4()}"
    assert shared_state.lease(name, "a", limit=2, ttl=1)
    assert shared_state.lease(name, "b", limit=2, ttl=30)
    assert not shared_state.lease(name, "c", limit=2, ttl=30)
    assert shared_state.lease(name, "b", limit=2, ttl=30)  # renewing a held place
    shared_state.release(name, "b")
    assert shared_state.lease(name, "c", limit=2, ttl=30)
    time.sleep(1.2)  # "a" was not renewed
    assert shared_state.lease(name, "d", limit=2, ttl=30)
    assert not shared_state.lease(name, "e", limit=2, ttl=30)
