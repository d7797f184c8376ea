"""A victim's contact details stay in `victim_contact`; a breach falls within its order's term."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from referral.models import Person, Referral, VictimContact
from referral.views import case_url
from tests.referral.factories import incident_body, payload

pytestmark = pytest.mark.django_db

BARRED_FROM_CONTACT = ("cps.caseworker", "probation.caseworker", "ftac.caseworker")


def test_a_victim_address_in_the_victim_section_is_refused(as_user):
    body = payload(victim={"name": "Alice Example", "date_of_birth": "1990-04-01",
                           "address": "12 Hidden Lane"})
    response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    assert "victim_contact" in str(response.json()["error"]["fields"]["victim"])
    assert not Person.objects.filter(address__contains="Hidden Lane").exists()


@pytest.mark.parametrize("username", BARRED_FROM_CONTACT)
def test_agencies_barred_from_contact_details_never_read_the_victim_address(
    submit, as_user, demo, client, username
):
    from referral.access import involvement_grant
    from referral.models import InvolvementBasis

    case = submit(victim_contact={"address": "12 Hidden Lane", "phone": "07700 900555"})
    involvement_grant(referral=Referral.objects.get(pk=case["id"]),
                      agency=demo[username].agency, basis=InvolvementBasis.TASK, source="test")
    client = as_user(username)
    detail = client.get(f"/api/v1/referrals/{case['id']}/")
    assert detail.status_code == 200
    assert "victim_contact" not in detail.json()
    assert "address" not in detail.json()["victim"]
    assert "Hidden Lane" not in detail.content.decode()
    client.force_login(demo[username].user)
    page = client.get(case_url(case["id"]))
    assert page.status_code == 200
    assert "Hidden Lane" not in page.content.decode()


def test_the_victim_address_is_a_contact_detail_and_its_read_an_event(submit, as_user):
    case = submit(victim_contact={"address": "12 Hidden Lane"})
    contact_reads = Event.objects.filter(
        verb="section.read", referral_id=case["id"], changes__section="victim_contact"
    )
    before = contact_reads.count()
    detail = as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/").json()
    assert detail["victim_contact"]["address"] == "12 Hidden Lane"
    assert "address" not in detail["victim"]
    assert contact_reads.count() == before + 1


def test_the_migration_moves_victim_addresses_into_contact_details(submit):
    from importlib import import_module

    from django.apps import apps

    case = submit(victim_contact={"phone": "07700 900555"})
    referral = Referral.objects.get(pk=case["id"])
    Person.objects.filter(pk=referral.victim_id).update(address="3 Old Road")
    migration = import_module("referral.migrations.0005_victim_address_is_contact")
    migration.move_victim_addresses(apps, None)
    assert Person.objects.get(pk=referral.victim_id).address == ""
    contact = VictimContact.objects.get(referral=referral)
    assert (contact.address, contact.phone) == ("3 Old Road", "07700 900555")


def _order(police, case, **term):
    response = police.post(
        f"/api/v1/referrals/{case['id']}/orders/",
        {"kind": "restraining_order", "conditions": "No contact", **term},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_breach_after_the_order_expired_is_refused(submit, as_user):
    case = submit()
    police = as_user("police.caseworker")
    today = timezone.localdate()
    order = _order(police, case, starts=str(today - timedelta(days=700)),
                   expires=str(today - timedelta(days=300)))
    response = police.post(f"/api/v1/referrals/{case['id']}/incidents/",
                           incident_body(2, breach_of_order=order), format="json")
    assert response.status_code == 400
    assert "expired" in response.json()["error"]["fields"]["breach_of_order"][0]
    assert not Event.objects.filter(verb="breach.recorded", referral_id=case["id"]).exists()


@pytest.mark.parametrize("expires_in_days", [None, 0, 30])
def test_a_breach_within_the_order_term_is_accepted(submit, as_user, expires_in_days):
    case = submit()
    police = as_user("police.caseworker")
    today = timezone.localdate()
    term = {"starts": str(today - timedelta(days=100))}
    if expires_in_days is not None:
        term["expires"] = str(today + timedelta(days=expires_in_days))
    order = _order(police, case, **term)
    response = police.post(f"/api/v1/referrals/{case['id']}/incidents/",
                           incident_body(0.01, breach_of_order=order), format="json")
    assert response.status_code == 201, response.content
