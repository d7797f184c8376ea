"""What an order's breaches came to, counted from the records ("50 breaches, £80"), in the
API's orders and detail and on the case page; who may read them; the same queries for one
order as for many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from justice.models import Offence
from orders.models import Enforcement
from orders.selectors import order_breach_summary
from referral.models import Incident, ProtectiveOrder, Referral
from tests.justice.factories import offence_for
from tests.orders.factories import involve, order_body

pytestmark = pytest.mark.django_db


def _breaches(body, order_id, member, n):
    """`n` breaches of the order, each with its offence, as the service records them."""
    referral = Referral.objects.get(pk=body["id"])
    order = ProtectiveOrder.objects.get(pk=order_id)
    incidents = Incident.objects.bulk_create([
        Incident(referral=referral, occurred_at=timezone.now() - timedelta(days=i + 1),
                 behaviours=["texts"], description="Texted.", severity=1,
                 breach_of_order=order, reporting_agency=member.agency,
                 recorded_by=member.user)
        for i in range(n)
    ])
    return [
        offence_for(referral, member, kind="fla_s42a", breach_of_order=order, incident=incident)
        for incident in incidents
    ]


def test_fifty_breaches_and_an_80_pound_fine_are_numbers_the_system_shows(
    case, breach, demo, as_user, client
):
    police = demo["police.caseworker"]
    body = case({"kind": "non_molestation_order"})
    order_id = body["orders"][0]["id"]
    # One breach through the API (its offence and enforcement), 49 more from the records.
    assert breach(body, order_id).status_code == 201
    offences = [*Offence.objects.filter(referral_id=body["id"]), *_breaches(body, order_id,
                                                                             police, 49)]
    Enforcement.objects.filter(order_id=order_id).update(outcome="arrested", on_time=True,
                                                         acted_at=timezone.now())
    Offence.objects.filter(pk=offences[1].pk).update(status="charged")
    Offence.objects.filter(pk=offences[2].pk).update(status="convicted", disposal="fine",
                                                     fine_pence=8000)

    expected = {"breaches": 50, "offences": 50, "enforcements": 1, "enforced_in_time": 1,
                "arrests": 1, "charged": 2, "convicted": 1, "fines_pence": 8000}
    referral = Referral.objects.get(pk=body["id"])
    assert order_breach_summary(referral=referral) == [{"order": order_id, **expected}]

    listed = as_user("police.caseworker").get(f"/api/v1/referrals/{body['id']}/orders/")
    assert listed.status_code == 200
    assert listed.json()["orders"][0]["breach_summary"] == expected
    detail = as_user("police.caseworker").get(f"/api/v1/referrals/{body['id']}/").json()
    assert detail["orders"][0]["breach_summary"] == expected

    client.force_login(police.user)
    page = client.get(f"/workspace/referrals/{body['id']}/").content.decode()
    assert "Breaches: 50, 50 offences, 1 arrest, 2 charged, 1 convicted, fines \u00a380" in page


def test_orders_list_has_the_life_of_each_order_and_the_applications(case, as_user):
    body = case({"kind": "restraining_order", "made_by": "court_on_conviction",
                 "court": "York Crown Court", "requirements": "None."})
    police = as_user("police.caseworker")
    police.post(f"/api/v1/referrals/{body['id']}/order-applications/",
                {"applied_on": timezone.localdate().isoformat(), "court": "Leeds MC"},
                format="json")
    listed = police.get(f"/api/v1/referrals/{body['id']}/orders/").json()
    [order] = listed["orders"]
    assert order["status"] == "in_force" and order["made_by"] == "court_on_conviction"
    assert order["court"] == "York Crown Court" and order["ended_on"] is None
    assert order["notification"] is None and order["breach_summary"]["breaches"] == 0
    [application] = listed["applications"]
    assert application["status"] == "pending" and application["court"] == "Leeds MC"


def test_who_reads_the_orders(case, demo, as_user):
    body = case({"kind": "restraining_order"})
    url = f"/api/v1/referrals/{body['id']}/orders/"
    assert as_user("advocacy.caseworker").get(url).status_code == 404  # not involved
    involve(demo, body, "advocacy.caseworker")
    assert as_user("advocacy.caseworker").get(url).status_code == 200
    assert as_user("oversight.auditor").get(url).status_code == 404
    order_id = body["orders"][0]["id"]
    for suffix, data in (("changes/", {"kind": "discharged", "on": "2025-07-01"}),
                         ("service/", {"served_on": "2025-07-01"}),
                         ("notification/", {"complied": True})):
        refused = as_user("advocacy.caseworker").post(f"{url}{order_id}/{suffix}", data,
                                                      format="json")
        assert refused.status_code == 403, (suffix, refused.content)
        hidden = as_user("probation.caseworker").post(f"{url}{order_id}/{suffix}", data,
                                                      format="json")
        assert hidden.status_code == 404, suffix
    # An order of another case is not found through this one.
    other = case({"kind": "restraining_order"}, victim={"name": "Other Person",
                                                         "date_of_birth": "1980-01-01",
                                                         "enhanced_rights": False})
    crossed = as_user("police.caseworker").post(
        f"/api/v1/referrals/{other['id']}/orders/{order_id}/changes/",
        {"kind": "discharged", "on": "2025-07-01"}, format="json",
    )
    assert crossed.status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_the_orders_list_and_the_detail_read_one_order_as_many(case, breach, demo, as_user,
                                                                client):
    body = case({"kind": "stalking_protection_order"})
    police = as_user("police.caseworker")
    breach(body, body["orders"][0]["id"])
    police.post(f"/api/v1/referrals/{body['id']}/order-applications/",
                {"applied_on": timezone.localdate().isoformat()}, format="json")
    urls = [f"/api/v1/referrals/{body['id']}/orders/", f"/api/v1/referrals/{body['id']}/"]
    page = f"/workspace/referrals/{body['id']}/"
    one = [_queries(police, url) for url in urls]
    client.force_login(demo["police.caseworker"].user)
    client.get(page)  # warm the caches a first page fills (membership, session)
    one_page = _queries_page(client, page)
    for i in range(8):
        created = police.post(f"/api/v1/referrals/{body['id']}/orders/",
                              order_body("restraining_order", served_on="2025-07-01"),
                              format="json").json()
        breach(body, created["id"])
        police.post(f"/api/v1/referrals/{body['id']}/order-applications/",
                    {"applied_on": timezone.localdate().isoformat()}, format="json")
        police.post(f"/api/v1/referrals/{body['id']}/orders/{created['id']}/changes/",
                    {"kind": "varied", "on": timezone.localdate().isoformat(),
                     "conditions": f"Varied {i}."}, format="json")
    many = [_queries(police, url) for url in urls]
    assert one == many
    assert one_page == _queries_page(client, page)


def _queries_page(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)
