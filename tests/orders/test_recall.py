"""A recall answers a breach of licence conditions only: offered on probation's enforcement form,
not on the police's, and a 400 through the API for any other enforcement."""

import re

import pytest
from django.test import Client

from audit.models import Event
from config.exceptions import DomainError
from orders.models import Enforcement
from orders.services import enforcement_outcome_record
from workflows import task_schemas
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


def _enforcement_task(referral_id) -> AgencyTask:
    return AgencyTask.objects.get(referral_id=referral_id, task_type="enforcement", is_open=True)


def _complete(as_user, task, data, username):
    client = as_user(username)
    assert client.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    return client.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")


def test_the_form_offers_recall_to_probation_alone():
    schema = task_schemas.schema_for("enforcement", agency_kind="probation")
    outcome = schema["properties"]["outcome"]
    assert "recalled" in outcome["enum"] and "recalled" in outcome[task_schemas.LABELS]
    police = task_schemas.schema_for("enforcement", agency_kind="police")["properties"]["outcome"]
    assert "recalled" not in police["enum"] and "recalled" not in police[task_schemas.LABELS]
    assert "arrested" in police["enum"]


def test_probation_recalls_on_a_licence_breach(case, breach, as_user):
    body = case({"kind": "licence_conditions"})
    assert breach(body, body["orders"][0]["id"]).status_code == 201
    task = _enforcement_task(body["id"])
    form = as_user("probation.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()["form"]
    assert "recalled" in form["properties"]["outcome"]["enum"]
    done = _complete(as_user, task, {"action_taken": "Recall requested.", "arrested": False,
                                     "outcome": "recalled"}, "probation.caseworker")
    assert done.status_code == 200, done.content
    assert Enforcement.objects.get(task=task).outcome == "recalled"
    assert Event.objects.filter(verb="enforcement.recalled", referral_id=body["id"]).exists()


@pytest.mark.parametrize("kind", ["restraining_order", "bail_conditions"])
def test_recall_is_400_for_any_other_enforcement(case, breach, as_user, kind):
    body = case({"kind": kind})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    form = as_user("police.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()["form"]
    assert "recalled" not in form["properties"]["outcome"]["enum"]
    refused = _complete(as_user, task, {"action_taken": "Recall.", "arrested": False,
                                        "outcome": "recalled"}, "police.caseworker")
    assert refused.status_code == 400
    [said] = refused.json()["error"]["fields"]["outcome"]
    assert said.startswith("Must be one of:") and "recalled" not in said
    enforcement = Enforcement.objects.get(task=task)
    assert enforcement.acted_at is None and enforcement.outcome == "pending"


def test_the_police_enforcement_page_offers_no_recall(case, breach, demo):
    body = case({"kind": "restraining_order"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    client = Client()
    client.force_login(demo["police.caseworker"].user)
    client.post(f"/workspace/tasks/{task.pk}/claim/")
    html = client.get(f"/workspace/tasks/{task.pk}/").content.decode()
    assert re.search(r'name="outcome" value="arrested"', html)
    assert 'value="recalled"' not in html and "Recalled to prison" not in html


def test_the_service_refuses_a_recall_of_another_order(case, breach, demo):
    """Whatever asks it, a recall is recorded only against licence conditions."""
    body = case({"kind": "restraining_order"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    with pytest.raises(DomainError):
        enforcement_outcome_record(task_id=task.pk, actor=demo["police.caseworker"].user,
                                   outcome="recalled")
