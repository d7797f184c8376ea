"""A notification recorded on the case, from its page or the API, does the police's
`notification_check`: one service (`notification_log`) records it and finishes the task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from justice.models import Offence
from orders.models import NotificationDuty
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _served(case, as_user, days_ago):
    body = case({"kind": "stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    served = as_user("police.caseworker").post(
        f"/api/v1/referrals/{body['id']}/orders/{order_id}/service/",
        {"served_on": (TODAY() - timedelta(days=days_ago)).isoformat()}, format="json",
    )
    assert served.status_code == 201, served.content
    task = AgencyTask.objects.get(referral_id=body["id"], task_type="notification_check")
    assert task.is_open
    return body, order_id, task


def _page(body, order_id):
    return f"/workspace/referrals/{body['id']}/orders/{order_id}/notification/"


def test_a_notification_recorded_on_the_page_finishes_the_check_task(case, as_user, demo, client):
    body, order_id, task = _served(case, as_user, days_ago=2)
    client.force_login(demo["police.caseworker"].user)
    posted = client.post(_page(body, order_id),
                         {"complied": "yes", "notified_on": TODAY().isoformat()})
    assert posted.status_code == 302
    assert NotificationDuty.objects.get(order_id=order_id).status == "complied"
    task.refresh_from_db()
    assert not task.is_open and task.status == "DONE"
    assert task.owner == demo["police.caseworker"].user
    assert task.data["result"] == {"complied": True, "notified_on": TODAY().isoformat()}
    # The record is the decision (`order.notified`); the task adds no second one.
    verbs = list(Event.objects.filter(referral_id=body["id"]).values_list("verb", flat=True))
    assert verbs.count("order.notified") == 1
    assert "notification_check.complied" not in verbs
    assert "notification_check.completed" in verbs
    # Not in anyone's queue any more.
    queue = as_user("police.caseworker").get("/api/v1/tasks/?scope=queue&page_size=500").json()
    assert task.pk not in [t["id"] for t in queue["results"]]


def test_a_failure_recorded_on_the_page_finishes_a_claimed_check_and_opens_the_offence(
    case, as_user, demo, client
):
    body, order_id, task = _served(case, as_user, days_ago=5)
    # Another officer had claimed the check; the record on the case does it all the same.
    assert as_user("police.supervisor").post(f"/api/v1/tasks/{task.pk}/claim/").status_code \
        == 200
    client.force_login(demo["police.caseworker"].user)
    posted = client.post(_page(body, order_id), {"complied": "no", "reason": "Did not attend."})
    assert posted.status_code == 302
    task.refresh_from_db()
    assert task.status == "DONE" and task.owner == demo["police.caseworker"].user
    assert task.data["result"] == {"complied": False}
    assert Offence.objects.get(referral_id=body["id"]).kind == "spa_notification"
    assert AgencyTask.objects.filter(referral_id=body["id"], task_type="enforcement",
                                     is_open=True).exists()


def test_the_check_task_done_from_the_inbox_records_the_notification_once(case, as_user):
    body, order_id, task = _served(case, as_user, days_ago=1)
    police = as_user("police.caseworker")
    assert police.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    done = police.post(f"/api/v1/tasks/{task.pk}/complete/", {"complied": True}, format="json")
    assert done.status_code == 200, done.content
    assert NotificationDuty.objects.get(order_id=order_id).status == "complied"
    verbs = list(Event.objects.filter(referral_id=body["id"]).values_list("verb", flat=True))
    assert verbs.count("notification_check.complied") == 1
    assert "order.notified" not in verbs
