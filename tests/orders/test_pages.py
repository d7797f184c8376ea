"""The case page's forms of an order's life: 404 for a case the agency may not see, 403 for a
member who may not record it, one round of checks, back to the case with one message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import NotificationDuty, OrderApplication
from referral.models import ProtectiveOrder
from tests.orders.factories import involve
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _login(client, demo, username):
    client.force_login(demo[username].user)
    return client


def _base(case_id):
    return f"/workspace/referrals/{case_id}/"


def test_police_apply_and_record_the_decision_from_the_page(case, demo, client):
    body = case()
    police = _login(client, demo, "police.caseworker")
    page = police.get(_base(body["id"])).content.decode()
    assert 'data-testid="section-order-applications"' in page
    assert f"{_base(body['id'])}order-applications/new/" in page

    form = police.get(f"{_base(body['id'])}order-applications/new/")
    assert form.status_code == 200
    assert "Apply for a stalking protection order" in form.content.decode()
    posted = police.post(f"{_base(body['id'])}order-applications/new/",
                         {"applied_on": TODAY().isoformat(), "court": "Leeds MC"})
    assert posted.status_code == 302
    application = OrderApplication.objects.get(referral_id=body["id"])

    url = f"{_base(body['id'])}order-applications/{application.pk}/decision/"
    assert url in police.get(_base(body["id"])).content.decode()
    missing = police.post(url, {"decision": "made", "on": TODAY().isoformat()})
    assert missing.status_code == 200
    assert "conditions" in missing.context["form"].errors
    short = police.post(url, {"decision": "made", "on": TODAY().isoformat(),
                              "conditions": "No contact.",
                              "expires": (TODAY() + timedelta(days=300)).isoformat()})
    assert short.status_code == 200 and "expires" in short.context["form"].errors
    made = police.post(url, {"decision": "made", "on": TODAY().isoformat(),
                             "conditions": "No contact."})
    assert made.status_code == 302
    spo = ProtectiveOrder.objects.get(referral_id=body["id"])
    assert spo.kind == "stalking_protection_order" and spo.expires is None
    card = police.get(_base(body["id"])).content.decode()
    assert "Order made" in card and "until further order" in card


def test_the_forms_answer_404_before_403(case, demo, client):
    body = case({"kind": "stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    paths = [
        "order-applications/new/",
        f"orders/{order_id}/change/",
        f"orders/{order_id}/service/",
        f"orders/{order_id}/notification/",
    ]
    advocacy = _login(client, demo, "advocacy.caseworker")
    for path in paths:
        assert advocacy.get(_base(body["id"]) + path).status_code == 404, path
    involve(demo, body, "advocacy.caseworker")
    for path in paths:
        assert advocacy.get(_base(body["id"]) + path).status_code == 403, path
    police = _login(client, demo, "police.caseworker")
    assert police.get(f"{_base(body['id'])}orders/999999/change/").status_code == 404
    assert police.get(f"{_base(body['id'])}order-applications/999999/decision/"
                      ).status_code == 404


def test_serve_then_record_a_failure_to_notify_from_the_page(case, demo, client):
    body = case({"kind": "stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    police = _login(client, demo, "police.caseworker")
    page = police.get(_base(body["id"])).content.decode()
    assert f"{_base(body['id'])}orders/{order_id}/service/" in page
    served = police.post(f"{_base(body['id'])}orders/{order_id}/service/",
                         {"served_on": (TODAY() - timedelta(days=4)).isoformat()})
    assert served.status_code == 302
    page = police.get(_base(body["id"])).content.decode()
    assert "Must notify the police by" in page
    url = f"{_base(body['id'])}orders/{order_id}/notification/"
    assert url in page
    failed = police.post(url, {"complied": "no", "reason": "Did not attend."})
    assert failed.status_code == 302
    assert NotificationDuty.objects.get(order_id=order_id).status == "failed"
    assert AgencyTask.objects.filter(referral_id=body["id"], task_type="enforcement").exists()
    assert "Failed to notify the police" in police.get(_base(body["id"])).content.decode()


def test_discharge_from_the_page_and_the_order_shows_it(case, demo, client):
    body = case({"kind": "restraining_order"})
    order_id = body["orders"][0]["id"]
    police = _login(client, demo, "police.caseworker")
    url = f"{_base(body['id'])}orders/{order_id}/change/"
    done = police.post(url, {"kind": "discharged", "on": TODAY().isoformat(),
                             "reason": "Victim asked."})
    assert done.status_code == 302
    page = police.get(_base(body["id"])).content.decode()
    assert 'data-testid="order-status">Discharged' in page
    assert url not in page  # no change to an order no longer in force
    again = police.post(url, {"kind": "discharged", "on": TODAY().isoformat()})
    assert again.status_code == 200 and again.context["form"].non_field_errors()
