"""Who records which kind of order: police any kind; advocacy a non-molestation order, CPS a
restraining order, probation licence conditions; in the API and on the page."""

import pytest

from referral.models import ProtectiveOrder
from tests.orders.factories import involve, order_body

pytestmark = pytest.mark.django_db


order = order_body


@pytest.mark.parametrize("username, allowed, refused", [
    ("advocacy.caseworker", "non_molestation_order", "stalking_protection_order"),
    ("cps.caseworker", "restraining_order", "non_molestation_order"),
    ("probation.caseworker", "licence_conditions", "restraining_order"),
])
def test_each_agency_records_its_own_kind_of_order_only(
    case, demo, as_user, username, allowed, refused
):
    body = case()
    involve(demo, body, username)
    client = as_user(username)
    url = f"/api/v1/referrals/{body['id']}/orders/"
    created = client.post(url, order(allowed), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == allowed
    assert created.json()["agency"] == demo[username].agency.slug
    denied = client.post(url, order(refused), format="json")
    assert denied.status_code == 403
    assert not ProtectiveOrder.objects.filter(referral_id=body["id"], kind=refused).exists()


def test_police_record_any_kind_with_its_court_and_requirements(case, as_user):
    body = case()
    client = as_user("police.caseworker")
    for kind in ProtectiveOrder.Kind.values:
        response = client.post(
            f"/api/v1/referrals/{body['id']}/orders/",
            {**order(kind), "made_by": "court_on_application", "court": "Leeds MC",
             "requirements": "Attend a programme."},
            format="json",
        )
        assert response.status_code == 201, (kind, response.content)
        assert response.json()["court"] == "Leeds MC"
        assert response.json()["status"] == "in_force"


def test_psychiatric_records_no_order(case, demo, as_user):
    body = case()
    involve(demo, body, "ftac.caseworker")
    response = as_user("ftac.caseworker").post(
        f"/api/v1/referrals/{body['id']}/orders/", order("restraining_order"), format="json"
    )
    assert response.status_code == 403


def test_an_agency_that_cannot_see_the_case_gets_404(case, as_user):
    body = case()
    response = as_user("advocacy.caseworker").post(
        f"/api/v1/referrals/{body['id']}/orders/", order("non_molestation_order"), format="json"
    )
    assert response.status_code == 404


def _page(client, demo, username, referral_id, suffix="orders/new/"):
    client.force_login(demo[username].user)
    return client.get(f"/workspace/referrals/{referral_id}/{suffix}")


def test_the_order_form_offers_only_the_kinds_the_member_may_record(case, demo, client):
    body = case()
    involve(demo, body, "advocacy.caseworker", "ftac.caseworker")
    page = _page(client, demo, "advocacy.caseworker", body["id"])
    assert page.status_code == 200
    options = page.context["form"].fields["kind"].choices
    assert [value for value, _ in options] == ["", "non_molestation_order"]
    case_page = client.get(f"/workspace/referrals/{body['id']}/")
    assert f"/workspace/referrals/{body['id']}/orders/new/" in case_page.content.decode()
    police = _page(client, demo, "police.caseworker", body["id"])
    assert len(police.context["form"].fields["kind"].choices) == 1 + len(ProtectiveOrder.Kind)
    assert _page(client, demo, "ftac.caseworker", body["id"]).status_code == 403


def test_advocacy_records_an_nmo_from_the_page_but_not_an_spo(case, demo, client):
    body = case()
    involve(demo, body, "advocacy.caseworker")
    client.force_login(demo["advocacy.caseworker"].user)
    url = f"/workspace/referrals/{body['id']}/orders/new/"
    refused = client.post(url, {"kind": "stalking_protection_order", "conditions": "No contact.",
                                "starts": "2025-06-01"})
    assert refused.status_code == 200 and refused.context["form"].errors.get("kind")
    done = client.post(url, {"kind": "non_molestation_order", "conditions": "No contact.",
                             "starts": "2025-06-01"})
    assert done.status_code == 302
    assert ProtectiveOrder.objects.get(referral_id=body["id"]).kind == "non_molestation_order"
