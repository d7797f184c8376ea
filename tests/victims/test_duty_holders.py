"""The Victims' Code duty holders: who owes the victim an update for each event, what a done
update leaves (a contact entry, on time or not) and who hears of it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from victims.models import ContactEntry, RightToReview
from workflows import calendar
from workflows.models import AgencyTask, Notification
from workflows.services import victims_code_event

pytestmark = pytest.mark.django_db


def _open(referral_id, task_type):
    return AgencyTask.objects.get(referral_id=referral_id, task_type=task_type, is_open=True)


def _context(task):
    return task.process.data["context"]


def test_an_enforcement_arrest_gives_police_a_victim_update_not_advocacy(case, as_user, work):
    referral = case(orders=[{"kind": "restraining_order", "conditions": "No contact",
                             "starts": "2026-01-01"}])
    order = referral.orders.get()
    police = as_user("police.caseworker")
    logged = police.post(f"/api/v1/referrals/{referral.pk}/incidents/", {
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "behaviours": ["phone_calls"], "description": "Rang.", "breach_of_order": order.pk,
    }, format="json")
    assert logged.status_code == 201, logged.content
    work("police.caseworker", "enforcement", referral.pk,
         {"action_taken": "Arrested at home.", "arrested": True})
    task = _open(referral.pk, "victim_update")
    assert task.agency.slug == "police"
    # The arrest is the police's action on the breach's offence, which the update names.
    [offence] = referral.offences.filter(breach_of_order=order)
    assert _context(task) == {"reason": "suspect arrested", "trigger": "arrest",
                              "duty_holder": "police", "offence": offence.pk}
    assert not AgencyTask.objects.filter(referral_id=referral.pk, task_type="victim_update",
                                         agency__kind="advocacy").exists()


@pytest.mark.parametrize("trigger", [
    "arrest", "interview", "bail", "released_under_investigation", "charge", "cps_decision",
])
def test_investigation_news_is_police_s_to_tell(case, trigger):
    referral = case()
    task = victims_code_event(referral=referral, trigger=trigger)
    assert (task.task_type, task.agency.slug) == ("victim_update", "police")
    assert _context(task)["trigger"] == trigger and _context(task)["duty_holder"] == "police"
    assert not RightToReview.objects.filter(referral=referral).exists()


@pytest.mark.parametrize("trigger", ["hearing", "bail_by_court", "verdict", "sentence"])
def test_court_news_is_the_witness_care_unit_s(case, trigger):
    referral = case()
    task = victims_code_event(referral=referral, trigger=trigger)
    assert (task.task_type, task.agency.slug) == ("victim_update", "police")
    assert _context(task)["duty_holder"] == "witness_care"


@pytest.mark.parametrize("trigger", ["discontinued", "charge_altered"])
def test_a_dropped_or_altered_charge_is_a_cps_letter(case, trigger):
    referral = case()
    task = victims_code_event(referral=referral, trigger=trigger)
    assert (task.task_type, task.agency.slug) == ("victim_letter", "cps")
    assert _context(task)["duty_holder"] == "cps"


def test_a_police_nfa_is_police_s_to_tell_and_offers_a_review(case, demo):
    referral = case()
    actor = demo["police.supervisor"].user
    task = victims_code_event(referral=referral, trigger="no_further_action", actor=actor)
    assert (task.task_type, task.agency.slug) == ("victim_update", "police")
    review = RightToReview.objects.get(referral=referral)
    assert review.decided_by_kind == "police" and review.outcome == "pending"
    assert review.decider == actor and review.offered_on == timezone.localdate()


def test_a_cps_nfa_is_a_cps_letter_and_offers_a_review(case):
    referral = case()
    task = victims_code_event(referral=referral, trigger="cps_decision",
                              context={"decision": "no_further_action"})
    assert (task.task_type, task.agency.slug) == ("victim_letter", "cps")
    assert _context(task)["decision"] == "no_further_action"
    assert RightToReview.objects.get(referral=referral).decided_by_kind == "cps"


@pytest.mark.parametrize("enhanced,days", [(False, 5), (True, 1)])
def test_due_in_5_working_days_1_with_enhanced_rights(case, enhanced, days):
    referral = case(victim={"name": "Kim Kay", "date_of_birth": "1992-02-02",
                            "enhanced_rights": enhanced})
    task = victims_code_event(referral=referral, trigger="charge")
    assert timezone.localdate(task.due) == calendar.add_working_days(timezone.localdate(), days)


def test_a_done_update_is_a_contact_on_time_and_news_for_the_advocacy_service(
    case, work, django_capture_on_commit_callbacks
):
    referral = case()
    victims_code_event(referral=referral, trigger="charge")
    with django_capture_on_commit_callbacks(execute=True):
        work("police.caseworker", "victim_update", referral.pk,
             {"contacted": True, "method": "Phone", "note": "Told of the charge.",
              "views_sought": True})
    entry = ContactEntry.objects.get(referral=referral)
    task = AgencyTask.objects.get(referral=referral, task_type="victim_update")
    assert (entry.agency.slug, entry.recorded_by.username) == ("police", "police.caseworker")
    assert (entry.method, entry.reached, entry.trigger) == ("phone", True, "charge")
    assert entry.task_id == task.pk and entry.due == task.due and entry.on_time is True
    notice = Notification.objects.get(kind="victim_updated")
    assert notice.user.username == "advocacy.caseworker"
    assert notice.text == f"The victim on {referral.reference} was updated (suspect charged)."
    assert "Told" not in notice.text


def test_a_late_update_is_not_on_time(case, work):
    referral = case()
    task = victims_code_event(referral=referral, trigger="arrest")
    AgencyTask.objects.filter(pk=task.pk).update(due=timezone.now() - timedelta(hours=1))
    work("police.caseworker", "victim_update", referral.pk, {"contacted": False})
    entry = ContactEntry.objects.get(referral=referral)
    assert entry.on_time is False and entry.reached is False and entry.method == "other"


def test_the_named_advocate_alone_hears_of_the_update(
    case, demo, work, django_capture_on_commit_callbacks
):
    from victims.models import AdvocateAssignment

    referral = case()
    AdvocateAssignment.objects.create(
        referral=referral, advocate=demo["advocacy.caseworker"].user, role="isac",
        started_on=timezone.localdate(), agency=demo["advocacy.caseworker"].agency,
    )
    victims_code_event(referral=referral, trigger="discontinued")
    with django_capture_on_commit_callbacks(execute=True):
        work("cps.caseworker", "victim_letter", referral.pk, {"sent": True})
    entry = ContactEntry.objects.get(referral=referral)
    assert (entry.agency.slug, entry.method, entry.trigger) == ("cps", "letter", "discontinued")
    assert list(Notification.objects.filter(kind="victim_updated")
                .values_list("user__username", flat=True)) == ["advocacy.caseworker"]
