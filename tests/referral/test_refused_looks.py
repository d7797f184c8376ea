"""A look at a case id the member may not see: the same answer, the same event and the same
statements whether a hidden case has that id or none does, so existence cannot be timed."""

import re
import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from referral.models import Referral

pytestmark = pytest.mark.django_db

SURFACES = ["/api/v1/referrals/{}/", "/api/v1/referrals/{}/timeline/", "/workspace/referrals/{}/"]


@pytest.fixture
def hidden_and_missing(submit, demo):
    """A police case probation may not see, and an id no case has."""
    hidden = submit()["id"]
    missing = Referral.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    client = Client()
    client.force_login(demo["probation.caseworker"].user)
    return client, hidden, missing


def _statements(client, url: str, referral_id: int) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url.format(referral_id))
    # The id asked for, the clock, the request's own id and savepoint names differ each time.
    shapes = []
    for query in captured.captured_queries:
        sql = re.sub(rf"\b{referral_id}\b", "<id>", query["sql"])
        sql = re.sub(r"'[^']*'", "'<literal>'", sql)
        sql = re.sub(r'"s\d+_x\d+"', '"<savepoint>"', sql)
        shapes.append(sql)
    return response.status_code, shapes


@pytest.mark.parametrize("url", SURFACES)
def test_a_hidden_case_and_a_missing_one_run_the_same_statements(hidden_and_missing, url):
    client, hidden, missing = hidden_and_missing
    client.get(url.format(missing + 1))  # the session's first-request writes, on neither side
    status_hidden, hidden_sql = _statements(client, url, hidden)
    status_missing, missing_sql = _statements(client, url, missing)
    assert status_hidden == status_missing == 404
    assert hidden_sql == missing_sql


def test_each_refused_look_is_one_event_that_does_not_tell_whether_the_case_exists(
    hidden_and_missing,
):
    client, hidden, missing = hidden_and_missing
    before = Event.objects.filter(verb="access.refused").count()
    for referral_id in (hidden, missing):
        assert client.get(f"/api/v1/referrals/{referral_id}/").status_code == 404
    refused = list(
        Event.objects.filter(verb="access.refused").order_by("-id")
        .values("actor_username", "agency_slug", "object_type", "object_id", "referral_id",
                "changes")[:2]
    )
    assert Event.objects.filter(verb="access.refused").count() == before + 2
    missing_event, hidden_event = refused
    assert missing_event["referral_id"] == missing and hidden_event["referral_id"] == hidden

    def without_the_id(event):
        return {k: str(v).replace(str(event["referral_id"]), "<id>") for k, v in event.items()}

    assert without_the_id(hidden_event) == without_the_id(missing_event)


@pytest.mark.slow
def test_report_the_mean_time_of_a_hidden_and_a_missing_case(hidden_and_missing, capsys):
    """Measured, not asserted (wall time would flake on a busy machine): 200 requests each.
    A benchmark, in `make test-slow`; that both answer and log alike is asserted above."""
    client, hidden, missing = hidden_and_missing
    times = {"hidden": [], "missing": []}
    for _ in range(200):
        for name, referral_id in (("hidden", hidden), ("missing", missing)):
            started = time.perf_counter()
            client.get(f"/api/v1/referrals/{referral_id}/")
            times[name].append(time.perf_counter() - started)
    with capsys.disabled():
        print(
            "\nrefused look, mean of 200: hidden {:.2f} ms, missing {:.2f} ms".format(
                statistics.mean(times["hidden"]) * 1000, statistics.mean(times["missing"]) * 1000
            )
        )
