"""A breach of an order: the offence it is, its enforcement by the right agency, due by the
region's local policy, and the outcome recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency
from audit.models import Event
from justice.models import Offence
from orders.models import Enforcement
from referral.models import LocalPolicy
from workflows import calendar
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


def _enforcement_task(referral_id) -> AgencyTask:
    return AgencyTask.objects.get(referral_id=referral_id, task_type="enforcement", is_open=True)


def _context(task: AgencyTask) -> dict:
    return task.process.coerced.data["context"]


def test_a_breach_of_an_spo_opens_an_spa_s8_offence_and_an_enforcement_task(case, breach):
    body = case({"kind": "stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    response = breach(body, order_id)
    assert response.status_code == 201, response.content
    incident_id = response.json()["id"]

    offence = Offence.objects.get(referral_id=body["id"])
    assert offence.kind == "spa_s8"
    assert offence.breach_of_order_id == order_id and offence.incident_id == incident_id
    assert Event.objects.filter(verb="offence.recorded", object_id=str(offence.pk)).exists()

    task = _enforcement_task(body["id"])
    assert task.agency.slug == "police"
    context = _context(task)
    assert context["offence"] == offence.pk
    assert context["incident"] == incident_id and context["order"] == order_id
    assert context["policy_version"] == 1

    enforcement = Enforcement.objects.get(incident_id=incident_id)
    assert enforcement.task_id == task.pk and enforcement.offence_id == offence.pk
    assert enforcement.order_id == order_id and enforcement.agency.slug == "police"
    assert enforcement.outcome == "pending" and enforcement.due == task.due
    assert enforcement.policy.key == "enforcement.deadline"


@pytest.mark.parametrize("kind, offence", [
    ("restraining_order", "pha_s5_5"),
    ("non_molestation_order", "fla_s42a"),
    ("interim_stalking_protection_order", "spa_s8"),
])
def test_each_order_kind_breached_is_its_own_offence(case, breach, kind, offence):
    body = case({"kind": kind})
    assert breach(body, body["orders"][0]["id"]).status_code == 201
    assert list(Offence.objects.filter(referral_id=body["id"]).values_list("kind", flat=True)) \
        == [offence]


def test_a_bail_breach_is_enforced_by_police_without_an_offence(case, breach):
    body = case({"kind": "bail_conditions"})
    assert breach(body, body["orders"][0]["id"]).status_code == 201
    assert not Offence.objects.filter(referral_id=body["id"]).exists()
    task = _enforcement_task(body["id"])
    assert task.agency.slug == "police" and _context(task)["offence"] is None
    assert Enforcement.objects.get(task=task).offence is None


def test_a_licence_breach_goes_to_probation_for_recall_without_an_offence(case, breach):
    body = case({"kind": "licence_conditions"})
    assert breach(body, body["orders"][0]["id"]).status_code == 201
    assert not Offence.objects.filter(referral_id=body["id"]).exists()
    task = _enforcement_task(body["id"])
    assert task.agency.slug == "probation"
    assert Enforcement.objects.get(task=task).agency.slug == "probation"


def _regional_policy(value: dict, version: int = 1) -> LocalPolicy:
    Agency.objects.filter(slug="police").update(region="Westshire")
    return LocalPolicy.objects.create(
        key="enforcement.deadline", region="Westshire", version=version, value=value,
        effective_from=timezone.now() - timedelta(hours=1), reason="Force's own rule",
    )


def test_the_deadline_follows_the_regions_own_policy_in_hours(case, breach):
    own = _regional_policy({"default": {"hours": 4}}, version=3)
    body = case({"kind": "restraining_order"})
    assert breach(body, body["orders"][0]["id"]).status_code == 201
    task = _enforcement_task(body["id"])
    hours = (task.due - timezone.now()).total_seconds() / 3600
    assert 3.9 < hours <= 4
    assert _context(task)["policy_version"] == 3
    assert "4 hours" in _context(task)["deadline"]
    assert Enforcement.objects.get(task=task).policy == own


def test_the_deadline_may_be_in_working_days_for_one_kind_of_order(case, breach):
    _regional_policy({"default": {"hours": 12}, "stalking_protection_order": {"working_days": 2}},
                     version=2)
    spo = case({"kind": "stalking_protection_order"})
    assert breach(spo, spo["orders"][0]["id"]).status_code == 201
    expected = calendar.end_of_day(calendar.add_working_days(timezone.localdate(), 2))
    assert _enforcement_task(spo["id"]).due == expected
    assert "2 working days" in _context(_enforcement_task(spo["id"]))["deadline"]

    ro = case({"kind": "restraining_order"}, victim={"name": "Other Victim",
                                                      "date_of_birth": "1991-01-01",
                                                      "enhanced_rights": False})
    assert breach(ro, ro["orders"][0]["id"]).status_code == 201
    hours = (_enforcement_task(ro["id"]).due - timezone.now()).total_seconds() / 3600
    assert 11.9 < hours <= 12


def test_without_a_regional_policy_the_seeded_default_gives_24_hours(case, breach):
    body = case({"kind": "non_molestation_order"})
    assert breach(body, body["orders"][0]["id"]).status_code == 201
    enforcement = Enforcement.objects.get(referral_id=body["id"])
    assert enforcement.policy.region == "" and enforcement.policy.version == 1
    hours = (enforcement.due - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24
    assert _context(enforcement.task)["deadline"] == "within 24 hours (local policy)"


def _complete(as_user, task, data, username="police.caseworker"):
    client = as_user(username)
    assert client.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    return client.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")


def test_an_arrest_records_the_outcome_in_time_and_tells_the_victim(case, breach, as_user):
    body = case({"kind": "stalking_protection_order"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    done = _complete(as_user, task, {"action_taken": "Arrested at home.", "arrested": True,
                                     "outcome": "arrested"})
    assert done.status_code == 200, done.content
    enforcement = Enforcement.objects.get(task=task)
    assert enforcement.outcome == "arrested" and enforcement.on_time is True
    assert enforcement.acted_at is not None
    assert Event.objects.filter(verb="enforcement.arrested", referral_id=body["id"]).count() == 1
    assert AgencyTask.objects.filter(referral_id=body["id"], task_type="victim_update").exists()


def test_the_old_yes_no_form_still_records_an_arrest(case, breach, as_user):
    body = case({"kind": "restraining_order"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    assert _complete(as_user, task, {"action_taken": "Arrested.", "arrested": True}).status_code \
        == 200
    assert Enforcement.objects.get(task=task).outcome == "arrested"
    event = Event.objects.get(verb="enforcement.arrested", referral_id=body["id"])
    assert event.changes["on_time"] is True and event.changes["policy_version"] == 1


def test_a_late_warning_is_recorded_late_with_its_reason(case, breach, as_user):
    body = case({"kind": "bail_conditions"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    Enforcement.objects.filter(task=task).update(due=timezone.now() - timedelta(hours=1))
    done = _complete(as_user, task, {"action_taken": "Words of advice.", "arrested": False,
                                     "outcome": "warned", "outcome_reason": "First breach."})
    assert done.status_code == 200, done.content
    enforcement = Enforcement.objects.get(task=task)
    assert enforcement.outcome == "warned" and enforcement.on_time is False
    assert enforcement.outcome_reason == "First breach."
    assert Event.objects.filter(verb="enforcement.warned", referral_id=body["id"]).exists()
    assert not AgencyTask.objects.filter(referral_id=body["id"], task_type="victim_update",
                                         process__data__context__reason="suspect arrested"
                                         ).exists()


def test_an_outcome_that_contradicts_the_arrest_answer_is_refused(case, breach, as_user):
    body = case({"kind": "restraining_order"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    refused = _complete(as_user, task, {"action_taken": "None.", "arrested": False,
                                        "outcome": "arrested"})
    assert refused.status_code == 400
    assert "outcome" in refused.json()["error"]["fields"]
    no_reason = as_user("police.caseworker").post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {"action_taken": "None.", "arrested": False, "outcome": "no_action"}, format="json",
    )
    assert "outcome_reason" in no_reason.json()["error"]["fields"]
    assert Enforcement.objects.get(task=task).acted_at is None


def test_the_enforcement_form_names_no_fixed_number_of_hours(as_user, case, breach):
    body = case({"kind": "restraining_order"})
    breach(body, body["orders"][0]["id"])
    task = _enforcement_task(body["id"])
    form = as_user("police.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()["form"]
    assert "24 hours" not in form["description"]
    assert form["required"] == ["action_taken", "arrested"]
    assert "outcome" in form["properties"] and "outcome_reason" in form["properties"]
