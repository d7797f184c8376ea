"""Each threaded WSGI server the benchmark measures starts on the settings it serves and answers
over one kept connection: the floor view, and the API with a token."""

import pytest
from django.conf import settings
from django.db import connection

from bench.measure import databases, servers
from bench.measure.http import Client
from tests.tokens import token_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.live,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the servers are separate processes on the test database"),
]


@pytest.mark.parametrize("kind", servers.THREADED)
def test_a_threaded_server_answers_the_floor_view_and_the_api(kind, demo):
    if not servers.available(kind):
        pytest.skip(f"{kind} is not installed (the `bench` extra)")
    token = token_for(demo["police.caseworker"].user)
    server = servers.Server(kind, databases.url_of(settings.DATABASES["default"]["NAME"]))
    try:
        client = Client(server.host, token)
        assert client.get("/bench/one-query/")[0] == 200
        status, body = client.get("/api/v1/me/")
        assert status == 200, body
        assert body["agency"] == "police"
        # The same kept connection serves the next request (the timed GETs depend on it).
        assert client.timed_get("/api/v1/me/") > 0
        assert server.peak_rss_mb() > 0
        client.close()
    finally:
        server.stop()
