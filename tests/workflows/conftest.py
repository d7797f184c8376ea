import pytest

from tests.referral.factories import answers, payload


@pytest.fixture
def refer(as_user):
    """refer(yes=2, username=..., **overrides) -> the referral body (its flow has started)."""

    def do(yes=2, username="police.caseworker", **overrides):
        body = payload(
            screening={"instrument": "stalking-screen-v1", "answers": answers(yes)}, **overrides
        )
        response = as_user(username).post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return do


@pytest.fixture
def work(as_user):
    """work(username, task_type, referral_id, data) -> claims and completes that task."""

    def task_of(client, task_type, referral_id):
        tasks = client.get("/api/v1/tasks/?scope=queue&page_size=500").json()["results"]
        found = [t for t in tasks if t["task_type"] == task_type and t["referral"] == referral_id]
        assert found, (task_type, referral_id, [(t["task_type"], t["referral"]) for t in tasks])
        return found[0]

    def do(username, task_type, referral_id, data):
        client = as_user(username)
        task = task_of(client, task_type, referral_id)
        claimed = client.post(f"/api/v1/tasks/{task['id']}/claim/")
        assert claimed.status_code == 200, claimed.content
        done = client.post(f"/api/v1/tasks/{task['id']}/complete/", data, format="json")
        assert done.status_code == 200, done.content
        return done.json()

    do.task_of = task_of
    return do
