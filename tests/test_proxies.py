"""Forwarded headers: only the configured proxy hops are believed, for the lockout and the trail."""

import json
import urllib.error
import urllib.request

import pytest
from django.test import Client, override_settings

from audit.models import Event
from config.client_address import forwarded_client_address
from tests.seed import DEMO_PASSWORD

TOKEN = "/api/v1/auth/token/"
PROXY = "192.0.2.10"


def _sign_in(client: Client, username: str, password: str, **headers):
    return client.post(
        TOKEN,
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize(
    ("peer", "header", "hops", "client"),
    [
        ("192.0.2.10", "", 0, "192.0.2.10"),
        ("192.0.2.10", "203.0.113.7", 0, "192.0.2.10"),  # no proxy: the header is ignored
        ("192.0.2.10", "203.0.113.7", 1, "203.0.113.7"),
        ("192.0.2.10", "6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # the client's own entry
        ("192.0.2.10", "6.6.6.6, 203.0.113.7, 192.0.2.20", 2, "203.0.113.7"),
        ("192.0.2.10", "203.0.113.7", 2, "192.0.2.10"),  # shorter than the chain: not vouched
        ("192.0.2.10", "not-an-address", 1, "192.0.2.10"),
        ("192.0.2.10", "2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_added(peer, header, hops, client):
    assert forwarded_client_address(peer, header, hops) == client


@pytest.mark.django_db
def test_rotating_forwarded_addresses_without_a_trusted_proxy_are_locked_out_after_five(demo):
    client = Client(REMOTE_ADDR="198.51.100.1")
    statuses = [
        _sign_in(client, "cps.caseworker", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.{i}.1").status_code
        for i in range(50)
    ]
    assert statuses[:4] == [400] * 4  # the fifth failure locks
    assert set(statuses[4:]) == {429}
    right = _sign_in(client, "cps.caseworker", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert right.status_code == 429


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_rotating_client_entries_are_locked_out_after_five(demo):
    proxy = Client(REMOTE_ADDR=PROXY)
    statuses = [
        _sign_in(
            proxy, "cps.caseworker", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.{i}.1, 203.0.113.7"
        ).status_code
        for i in range(50)
    ]
    assert statuses[:4] == [400] * 4  # the fifth failure locks
    assert set(statuses[4:]) == {429}


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_two_clients_are_told_apart(demo):
    proxy = Client(REMOTE_ADDR=PROXY)
    for _ in range(6):
        _sign_in(proxy, "cps.caseworker", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7")
    locked = _sign_in(proxy, "cps.caseworker", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = _sign_in(proxy, "cps.caseworker", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 200, other.content


@pytest.mark.django_db
@pytest.mark.parametrize("trusted_hops", [0, 1])
def test_a_clients_request_id_never_reaches_an_audit_event(demo, trusted_hops):
    chosen = "chosen-by-the-client-0001"
    with override_settings(TRUSTED_PROXY_COUNT=trusted_hops):
        client = Client(REMOTE_ADDR=PROXY)
        client.force_login(demo["police.caseworker"].user)
        response = client.get(
            "/api/v1/referrals/999999/", HTTP_X_REQUEST_ID=chosen, HTTP_X_FORWARDED_FOR="1.2.3.4"
        )
        assert response.status_code == 404
        client.post(
            "/api/v1/referrals/", "{}", content_type="application/json", HTTP_X_REQUEST_ID=chosen
        )
    assert response["X-Request-ID"] != chosen
    assert len(response["X-Request-ID"]) == 32
    assert not Event.objects.filter(request_id=chosen).exists()


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_REQUEST_ID=True)
def test_a_trusted_proxys_request_id_is_kept(demo):
    response = Client(REMOTE_ADDR=PROXY).get("/api/v1/me/", HTTP_X_REQUEST_ID="proxy-id-00000001")
    assert response["X-Request-ID"] == "proxy-id-00000001"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_served_behind_one_proxy_rotating_entries_are_locked_out(demo):
    """`manage.py serve` as production runs it: daphne believes no forwarded header itself."""
    from tests.conferences.live import Server

    server = Server(TRUSTED_PROXY_COUNT="1")
    try:
        statuses = []
        for i in range(12):
            request = urllib.request.Request(  # noqa: S310 - our own live server
                server.url + TOKEN,
                data=json.dumps({"username": "cps.caseworker", "password": "wrong"}).encode(),
                headers={
                    "Content-Type": "application/json",
                    "X-Forwarded-For": f"10.0.{i}.1, 203.0.113.7",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    statuses.append(answer.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    finally:
        server.stop()
    assert statuses[:4] == [400] * 4  # the fifth failure locks
    assert set(statuses[4:]) == {429}
