"""A stalking protection order's life: applied for, an interim order, the full order (at least
two years, or until further order; it replaces the interim), refused or withdrawn; changes to
an order in force only; service and the suspect's three days to notify; a failure is an
offence, enforced."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from justice.models import Offence
from orders.models import Enforcement, NotificationDuty, OrderApplication, OrderChange
from orders.services import spo_earliest_expiry, years_after
from referral.models import ProtectiveOrder
from tests.orders.factories import OTHER_VICTIM, involve, order_body
from workflows import calendar
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _apply(client, case_id, **body):
    return client.post(f"/api/v1/referrals/{case_id}/order-applications/",
                       {"applied_on": (TODAY() - timedelta(days=10)).isoformat(), **body},
                       format="json")


def _decide(client, case_id, application_id, **body):
    return client.post(
        f"/api/v1/referrals/{case_id}/order-applications/{application_id}/decision/",
        body, format="json",
    )


@pytest.fixture
def police(as_user):
    return as_user("police.caseworker")


def test_an_application_goes_interim_then_full_and_the_full_order_replaces_the_interim(
    case, police
):
    body = case()
    applied = _apply(police, body["id"], court="Leeds MC", reason="Persistent stalking.")
    assert applied.status_code == 201, applied.content
    application = applied.json()
    assert application["status"] == "pending" and application["agency"] == "police"

    on = TODAY() - timedelta(days=8)
    interim = _decide(police, body["id"], application["id"], decision="interim",
                      on=on.isoformat(), conditions="No contact.")
    assert interim.status_code == 201, interim.content
    interim_order = ProtectiveOrder.objects.get(pk=interim.json()["interim_order"])
    assert interim_order.kind == "interim_stalking_protection_order"
    assert interim_order.made_by == "court_on_application" and interim_order.court == "Leeds MC"

    made_on = TODAY() - timedelta(days=2)
    made = _decide(police, body["id"], application["id"], decision="made",
                   on=made_on.isoformat(), conditions="No contact; not within 500m.",
                   requirements="Attend assessment.",
                   expires=spo_earliest_expiry(made_on).isoformat())
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "made"
    spo = ProtectiveOrder.objects.get(pk=made.json()["order"])
    assert spo.kind == "stalking_protection_order" and spo.expires == years_after(made_on, 2)
    interim_order.refresh_from_db()
    assert interim_order.status == "replaced" and interim_order.ended_on == made_on
    assert OrderChange.objects.filter(order=interim_order, kind="replaced").exists()
    verbs = list(Event.objects.filter(referral_id=body["id"], verb__startswith="order_application.")
                 .order_by("id").values_list("verb", flat=True))
    assert verbs == ["order_application.made", "order_application.interim_made",
                     "order_application.granted"]
    # Decided: no further decision.
    again = _decide(police, body["id"], application["id"], decision="refused",
                    on=TODAY().isoformat())
    assert again.status_code == 409


def test_a_full_order_lasts_two_years_or_until_further_order(case, police):
    body = case()
    application = _apply(police, body["id"]).json()
    on = TODAY() - timedelta(days=1)
    short = _decide(police, body["id"], application["id"], decision="made", on=on.isoformat(),
                    conditions="No contact.",
                    expires=(spo_earliest_expiry(on) - timedelta(days=1)).isoformat())
    assert short.status_code == 400
    assert "expires" in short.json()["error"]["fields"]
    open_ended = _decide(police, body["id"], application["id"], decision="made",
                         on=on.isoformat(), conditions="No contact.")
    assert open_ended.status_code == 201, open_ended.content
    assert ProtectiveOrder.objects.get(pk=open_ended.json()["order"]).expires is None


def test_a_refusal_ends_the_interim_order_and_makes_none(case, police):
    body = case()
    application = _apply(police, body["id"]).json()
    interim = _decide(police, body["id"], application["id"], decision="interim",
                      on=(TODAY() - timedelta(days=5)).isoformat(), conditions="No contact.")
    refused = _decide(police, body["id"], application["id"], decision="refused",
                      on=TODAY().isoformat(), reason="Not necessary.")
    assert refused.status_code == 201 and refused.json()["order"] is None
    order = ProtectiveOrder.objects.get(pk=interim.json()["interim_order"])
    assert order.status == "discharged" and order.ended_on == TODAY()
    assert OrderApplication.objects.get(pk=application["id"]).status == "refused"


def test_an_application_is_withdrawn_only_while_undecided(case, police):
    body = case()
    application = _apply(police, body["id"]).json()
    assert _decide(police, body["id"], application["id"], decision="withdrawn",
                   on=TODAY().isoformat()).status_code == 201
    assert _decide(police, body["id"], application["id"], decision="interim",
                   on=TODAY().isoformat(), conditions="x").status_code == 409
    made = _decide(police, body["id"], application["id"], decision="made",
                   on=TODAY().isoformat(), conditions="x")
    assert made.status_code == 409
    assert not ProtectiveOrder.objects.filter(referral_id=body["id"]).exists()


def test_only_police_apply_and_decide(case, demo, as_user, police):
    body = case()
    involve(demo, body, "advocacy.caseworker", "cps.caseworker")
    for username in ("advocacy.caseworker", "cps.caseworker"):
        assert _apply(as_user(username), body["id"]).status_code == 403
    application = _apply(police, body["id"]).json()
    assert _decide(as_user("cps.caseworker"), body["id"], application["id"],
                   decision="refused", on=TODAY().isoformat()).status_code == 403
    # Another case's application is not this case's.
    other = case(victim=OTHER_VICTIM)
    assert _decide(police, other["id"], application["id"], decision="refused",
                   on=TODAY().isoformat()).status_code == 404


def _change(client, case_id, order_id, **body):
    return client.post(f"/api/v1/referrals/{case_id}/orders/{order_id}/changes/", body,
                       format="json")


def test_an_order_in_force_is_varied_renewed_and_discharged_then_no_more(case, police):
    body = case({"kind": "restraining_order", "expires": "2026-06-01"})
    order_id = body["orders"][0]["id"]
    varied = _change(police, body["id"], order_id, kind="varied", on=TODAY().isoformat(),
                     conditions="No contact; not within 1km.", reason="Moved house.")
    assert varied.status_code == 201, varied.content
    renewed = _change(police, body["id"], order_id, kind="renewed", on=TODAY().isoformat(),
                      expires="2028-06-01")
    assert renewed.status_code == 201 and renewed.json()["expires_before"] == "2026-06-01"
    order = ProtectiveOrder.objects.get(pk=order_id)
    assert order.expires == date(2028, 6, 1) and order.conditions == "No contact; not within 1km."
    shorter = _change(police, body["id"], order_id, kind="extended", on=TODAY().isoformat(),
                      expires="2027-01-01")
    assert shorter.status_code == 400 and "expires" in shorter.json()["error"]["fields"]
    discharged = _change(police, body["id"], order_id, kind="discharged",
                         on=TODAY().isoformat(), reason="Victim moved abroad.")
    assert discharged.status_code == 201 and discharged.json()["order_status"] == "discharged"
    order.refresh_from_db()
    assert order.status == "discharged" and order.ended_on == TODAY()
    again = _change(police, body["id"], order_id, kind="varied", on=TODAY().isoformat(),
                    conditions="More.")
    assert again.status_code == 409
    verbs = set(Event.objects.filter(referral_id=body["id"], verb__startswith="order.")
                .values_list("verb", flat=True))
    assert {"order.varied", "order.renewed", "order.discharged"} <= verbs
    changed = Event.objects.get(referral_id=body["id"], verb="order.varied")
    assert "1km" not in str(changed.changes) and changed.reason == "Moved house."


def test_changes_by_kind_writers_and_not_others(case, demo, as_user):
    body = case({"kind": "non_molestation_order"}, {"kind": "stalking_protection_order"})
    involve(demo, body, "advocacy.caseworker")
    advocacy = as_user("advocacy.caseworker")
    nmo, spo = body["orders"][0]["id"], body["orders"][1]["id"]
    assert _change(advocacy, body["id"], nmo, kind="varied", on=TODAY().isoformat(),
                   conditions="Varied.").status_code == 201
    assert _change(advocacy, body["id"], spo, kind="discharged",
                   on=TODAY().isoformat()).status_code == 403


def test_a_breach_after_discharge_is_400_on_breach_of_order(case, breach, police):
    body = case({"kind": "restraining_order"})
    order_id = body["orders"][0]["id"]
    on = TODAY() - timedelta(days=3)
    assert _change(police, body["id"], order_id, kind="discharged",
                   on=on.isoformat()).status_code == 201
    before = breach(body, order_id, days_ago=5)
    assert before.status_code == 201  # it happened while the order was in force
    after = breach(body, order_id, days_ago=1)
    assert after.status_code == 400
    assert "breach_of_order" in after.json()["error"]["fields"]
    assert Offence.objects.filter(referral_id=body["id"]).count() == 1


def test_a_breach_of_a_replaced_interim_order_after_replacement_is_400(case, breach, police):
    body = case()
    application = _apply(police, body["id"], applied_on=(TODAY() - timedelta(days=20)).isoformat()
                         ).json()
    interim = _decide(police, body["id"], application["id"], decision="interim",
                      on=(TODAY() - timedelta(days=15)).isoformat(), conditions="No contact.")
    _decide(police, body["id"], application["id"], decision="made",
            on=(TODAY() - timedelta(days=5)).isoformat(), conditions="No contact.")
    late = breach(body, interim.json()["interim_order"], days_ago=2)
    assert late.status_code == 400 and "breach_of_order" in late.json()["error"]["fields"]


def _serve(client, case_id, order_id, served_on):
    return client.post(f"/api/v1/referrals/{case_id}/orders/{order_id}/service/",
                       {"served_on": served_on.isoformat()}, format="json")


def test_service_of_an_spo_gives_police_a_notification_check_due_in_three_days(case, police):
    body = case({"kind": "stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    served = _serve(police, body["id"], order_id, TODAY())
    assert served.status_code == 201, served.content
    assert served.json()["notification"]["due_on"] == (TODAY() + timedelta(days=3)).isoformat()
    duty = NotificationDuty.objects.get(order_id=order_id)
    task = AgencyTask.objects.get(referral_id=body["id"], task_type="notification_check")
    assert task.agency.slug == "police" and duty.task_id == task.pk
    assert task.due == calendar.end_of_day(TODAY() + timedelta(days=3))
    assert _serve(police, body["id"], order_id, TODAY()).status_code == 409
    assert Event.objects.filter(verb="order.served", referral_id=body["id"]).exists()


def test_service_of_a_restraining_order_starts_no_notification_duty(case, police):
    body = case({"kind": "restraining_order"})
    served = _serve(police, body["id"], body["orders"][0]["id"], TODAY())
    assert served.status_code == 201 and served.json()["notification"] is None
    assert not AgencyTask.objects.filter(referral_id=body["id"],
                                         task_type="notification_check").exists()


def _complete(client, task, data):
    assert client.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    return client.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")


def test_a_failure_to_notify_is_an_offence_with_its_enforcement(case, police):
    body = case({"kind": "stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    _serve(police, body["id"], order_id, TODAY() - timedelta(days=4))
    task = AgencyTask.objects.get(referral_id=body["id"], task_type="notification_check")
    done = _complete(police, task, {"complied": False, "note": "Did not attend."})
    assert done.status_code == 200, done.content
    duty = NotificationDuty.objects.get(order_id=order_id)
    assert duty.status == "failed"
    offence = Offence.objects.get(referral_id=body["id"])
    assert offence.kind == "spa_notification" and offence.breach_of_order_id == order_id
    enforcement = Enforcement.objects.get(notification=duty)
    assert enforcement.offence == offence and enforcement.agency.slug == "police"
    assert enforcement.task.task_type == "enforcement"
    assert Event.objects.filter(verb="notification_check.failed", referral_id=body["id"]).exists()


def test_a_notification_in_time_is_recorded_from_the_api(case, police):
    body = case({"kind": "interim_stalking_protection_order"})
    order_id = body["orders"][0]["id"]
    _serve(police, body["id"], order_id, TODAY() - timedelta(days=2))
    url = f"/api/v1/referrals/{body['id']}/orders/{order_id}/notification/"
    done = police.post(url, {"complied": True, "notified_on": TODAY().isoformat()},
                       format="json")
    assert done.status_code == 201, done.content
    assert done.json()["status"] == "complied"
    assert police.post(url, {"complied": False}, format="json").status_code == 409
    assert not Offence.objects.filter(referral_id=body["id"]).exists()
    assert Event.objects.filter(verb="order.notified", referral_id=body["id"]).exists()
    # The record does the police's check: its task is done, with no second record.
    task = AgencyTask.objects.get(referral_id=body["id"], task_type="notification_check")
    assert not task.is_open and task.status == "DONE"
    assert task.data["result"] == {"complied": True, "notified_on": TODAY().isoformat()}
    assert not Event.objects.filter(verb__startswith="notification_check.complied").exists()


def test_an_spo_recorded_as_served_starts_its_notification_duty(case, police):
    body = case()
    served = TODAY() - timedelta(days=1)
    created = police.post(
        f"/api/v1/referrals/{body['id']}/orders/",
        order_body("stalking_protection_order", served_on=served.isoformat()), format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["served_on"] == served.isoformat()
    assert created.json()["notification"]["due_on"] == (served + timedelta(days=3)).isoformat()
    assert AgencyTask.objects.filter(referral_id=body["id"], task_type="notification_check",
                                     agency__slug="police").exists()


def test_the_trail_masks_the_court_an_application_and_a_change_name(case, police):
    """A court's name is free text of the orders section: auditors read the trail's reasons,
    not the section's content, so the trail says only that a court was named."""
    body = case({"kind": "restraining_order", "expires": "2026-06-01"})
    application = _apply(police, body["id"], court="Harrogate Magistrates", reason="Stalking.")
    assert application.status_code == 201, application.content
    varied = _change(police, body["id"], body["orders"][0]["id"], kind="varied",
                     on=TODAY().isoformat(), court="Skipton Magistrates", reason="Moved.",
                     conditions="No contact.")
    assert varied.status_code == 201, varied.content
    events = Event.objects.filter(referral_id=body["id"],
                                  verb__in=["order_application.made", "order.varied"])
    assert sorted(e.changes["court"] for e in events) == ["***", "***"]
    assert "Magistrates" not in str([e.changes for e in events])
    assert sorted(e.reason for e in events) == ["Moved.", "Stalking."]
