"""Simultaneous claims against PostgreSQL: exactly one wins, every time."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from agencies.models import Role
from agencies.services import member_create
from tests.seed import seeded_demo
from tests.tokens import token_for
from workflows.models import AgencyTask

pytestmark = [pytest.mark.django_db(transaction=True)]

CLAIMERS = 4
# Each round starts its threads together at a barrier: a few rounds meet the race in
# `make test-transactional`; `make test-slow` repeats it many more times.
CLAIM_ROUNDS = [12, pytest.param(50, marks=pytest.mark.slow)]
RESEARCH_ROUNDS = [3, pytest.param(10, marks=pytest.mark.slow)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.parametrize("rounds", CLAIM_ROUNDS)
def test_simultaneous_claims_one_winner_every_round(refer_for_threads, rounds):
    tokens = refer_for_threads["tokens"]
    for round_no in range(rounds):
        task_id = refer_for_threads["new_task"](round_no)
        barrier = threading.Barrier(CLAIMERS)
        statuses = []

        def claim(token):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait()
            try:
                statuses.append(client.post(f"/api/v1/tasks/{task_id}/claim/").status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=claim, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200] + [409] * (CLAIMERS - 1), (round_no, statuses)
        task = AgencyTask.objects.get(pk=task_id)
        assert task.owner_id is not None and task.status == "ASSIGNED"


@pytest.fixture
def refer_for_threads(transactional_db):
    from tests.referral.factories import answers, payload

    memberships = seeded_demo()
    hub = memberships["hub.caseworker"].agency
    claimers = [memberships["hub.caseworker"], memberships["hub.chair"]] + [
        member_create(agency=hub, username=f"hub.extra{i}", password=None, roles=[Role.CASEWORKER])
        for i in range(CLAIMERS - 2)
    ]
    tokens = [token_for(m.user) for m in claimers]
    police = APIClient()
    police.credentials(
        HTTP_AUTHORIZATION="Token " + token_for(memberships["police.caseworker"].user)
    )

    def new_task(n):
        letters = "".join(chr(97 + int(d)) for d in str(n))  # names ignore digits
        body = payload(
            victim={"name": f"Victim {letters}", "date_of_birth": "1990-01-01"},
            suspect={"name": f"Suspect {letters}", "date_of_birth": "1970-01-01"},
            screening={"instrument": "stalking-screen-v1", "answers": answers(1)},
        )
        response = police.post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return AgencyTask.objects.get(referral_id=response.json()["id"], task_type="triage").pk

    return {"tokens": tokens, "new_task": new_task}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.parametrize("rounds", RESEARCH_ROUNDS)
def test_parallel_research_completions_join_exactly_once(refer_for_threads, rounds):
    """Three agencies finishing research at the same moment leave one join and one next step."""
    from agencies.models import Membership

    def client_for(username):
        client = APIClient()
        user = Membership.objects.get(user__username=username).user
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    for round_no in range(rounds):
        triage_id = refer_for_threads["new_task"](1000 + round_no)
        referral_id = AgencyTask.objects.get(pk=triage_id).referral_id
        hub = client_for("hub.caseworker")
        hub.post(f"/api/v1/tasks/{triage_id}/claim/")
        assert (
            hub.post(
                f"/api/v1/tasks/{triage_id}/complete/",
                {"decision": "accept", "risk_level": "standard"},
                format="json",
            ).status_code
            == 200
        )
        workers = []
        for username in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
            client = client_for(username)
            task = AgencyTask.objects.get(
                referral_id=referral_id, task_type="research", agency__slug=username.split(".")[0]
            )
            assert client.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
            workers.append((client, task.pk))
        barrier = threading.Barrier(len(workers))
        statuses = []

        def complete(client, task_id):
            barrier.wait()
            try:
                statuses.append(
                    client.post(
                        f"/api/v1/tasks/{task_id}/complete/",
                        {"summary": "s", "withheld": False},
                        format="json",
                    ).status_code
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=complete, args=w) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # A lock timeout is a clean 409 the client retries; never a 500, never a stuck join.
        for (client, task_id), status in zip(workers, statuses, strict=False):
            assert status in (200, 409)
        for client, task_id in workers:
            if AgencyTask.objects.get(pk=task_id).is_open:
                assert (
                    client.post(
                        f"/api/v1/tasks/{task_id}/complete/",
                        {"summary": "s", "withheld": False},
                        format="json",
                    ).status_code
                    == 200
                )
        joins = AgencyTask.objects.filter(
            process__caseprocess__referral_id=referral_id, flow_task_type="JOIN"
        )
        assert joins.count() == 1 and joins.get().status == "DONE"
        assert (
            AgencyTask.objects.filter(
                referral_id=referral_id, task_type="plan", is_open=True
            ).count()
            == 1
        )
