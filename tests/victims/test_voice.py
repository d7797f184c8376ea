"""The victim's voice: entitlement, wishes and consent narrowing, the named advocate, safety
plans and their reviews, personal statements, reviews of decisions not to prosecute, others at
risk, contact log; who may read and record each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from victims.models import ContactEntry, Entitlement, RightToReview, SafetyPlan
from workflows import calendar
from workflows.models import AgencyTask
from workflows.services import victims_code_event

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(referral, part=""):
    return f"/api/v1/referrals/{referral.pk}/victim-voice/{part + '/' if part else ''}"


# --- Enhanced rights ----------------------------------------------------------------------


def test_a_stalking_victim_has_enhanced_rights_by_default_and_a_1_day_update(case):
    referral = case(victim={"name": "Kim Kay", "date_of_birth": "1992-02-02"})
    assert referral.victim_enhanced_rights is True
    task = victims_code_event(referral=referral, trigger="charge")
    assert timezone.localdate(task.due) == calendar.add_working_days(TODAY(), 1)
    entitlement = Entitlement.objects.get(referral=referral)
    assert entitlement.enhanced is True and entitlement.basis == "persistently_targeted"
    event = Event.objects.get(referral_id=referral.pk, verb__startswith="entitlement.")
    assert event.verb == "entitlement.enhanced" and event.changes["stage"] == "referral"
    assert event.agency.slug == "police"


def test_the_referral_s_entitlement_shows_on_the_victim_s_voice_from_the_start(case, as_user):
    referral = case(victim={"name": "Kim Kay", "date_of_birth": "1992-02-02"})
    voice = as_user("police.caseworker").get(url(referral)).json()
    assert voice["entitlement"]["enhanced"] is True
    assert voice["entitlement"]["basis"] == "persistently_targeted"
    detail = as_user("police.caseworker").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["victim_voice"]["entitlement"]["enhanced"] is True


def test_a_case_classified_not_stalking_has_no_enhanced_rights_by_default(case):
    referral = case(victim={"name": "Kim Kay", "date_of_birth": "1992-02-02"},
                    classification="harassment", not_stalking_reason="No fixation.")
    assert referral.victim_enhanced_rights is False
    # Standard rights, nothing opted out of: no entitlement recorded, nothing flagged.
    assert not Entitlement.objects.filter(referral=referral).exists()
    assert not Event.objects.filter(referral_id=referral.pk, verb__startswith="entitlement.")


def test_an_opt_out_without_a_reason_is_accepted_but_flagged(case, as_user):
    referral = case()  # the test payload sends enhanced_rights false, no reason (an old client)
    assert referral.victim_enhanced_rights is False
    event = Event.objects.get(referral_id=referral.pk, verb="entitlement.opted_out")
    assert event.reason == "" and event.changes["without_reason"] is True
    # The referral's entitlement is recorded as the victims service records one: the voice
    # shows the opt-out, flagged.
    entitlement = as_user("police.caseworker").get(url(referral)).json()["entitlement"]
    assert entitlement["enhanced"] is False and entitlement["opted_out_without_reason"] is True
    assert Entitlement.objects.get(referral=referral).enhanced is False
    detail = as_user("police.caseworker").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["victim"]["enhanced_rights"] is False
    assert detail["victim_voice"]["entitlement"]["opted_out_without_reason"] is True


def test_an_opt_out_with_a_reason_keeps_it_on_the_trail(case, as_user):
    referral = case(victim={"name": "Kim Kay", "date_of_birth": "1992-02-02",
                            "enhanced_rights": False,
                            "enhanced_rights_opt_out_reason": "The victim declined."})
    event = Event.objects.get(referral_id=referral.pk, verb="entitlement.opted_out")
    assert event.reason == "The victim declined." and event.changes["without_reason"] is False
    entitlement = as_user("police.caseworker").get(url(referral)).json()["entitlement"]
    assert entitlement["opt_out_reason"] == "The victim declined."
    assert entitlement["opted_out_without_reason"] is False and entitlement["enhanced"] is False
    assert Entitlement.objects.get(referral=referral).opt_out_reason == "The victim declined."
    assert as_user("advocacy.caseworker").get(url(referral)).status_code == 404  # not involved


def test_entitlement_set_keeps_the_referral_in_step(case, as_user):
    referral = case()
    police = as_user("police.caseworker")
    response = police.post(url(referral, "entitlement"), {"enhanced": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["entitlement"]["basis"] == "persistently_targeted"
    referral.refresh_from_db()
    assert referral.victim_enhanced_rights is True
    assert Entitlement.objects.get(referral=referral).enhanced is True
    off = police.post(url(referral, "entitlement"), {"enhanced": False}, format="json").json()
    assert off["entitlement"]["opted_out_without_reason"] is True
    referral.refresh_from_db()
    assert referral.victim_enhanced_rights is False
    assert Event.objects.filter(referral_id=referral.pk, verb="entitlement.enhanced").count() == 1


# --- Wishes and consent narrowing ----------------------------------------------------------


def _involve(referral, kind):
    """Give an agency kind a task on the case, so it may see it."""
    from workflows import allocation
    from workflows.services import case_task_start

    agency = allocation.agency_of_kind(kind, region=referral.referrer_agency.region)
    case_task_start(referral=referral, task_type="victim_letter", agency=agency,
                    due=timezone.now() + timedelta(days=1), context={})


def test_wishes_under_consent_reach_only_the_kinds_it_covers(case, as_user):
    referral = case()
    _involve(referral, "cps")
    _involve(referral, "coordinator")
    police = as_user("police.caseworker")
    made = police.post(url(referral, "wishes"), {
        "supports_prosecution": True, "wishes": "Wants him stopped.",
        "contact_preferences": "Text first.", "given_under_consent": True,
    }, format="json")
    assert made.status_code == 201, made.content
    police.post(url(referral, "consent"), {
        "agency_kinds": ["coordinator"], "covers": "Wishes about prosecution.",
        "given_on": str(TODAY()),
    }, format="json")
    assert police.get(url(referral)).json()["wishes"]["wishes"] == "Wants him stopped."
    hub = as_user("hub.caseworker").get(url(referral)).json()["wishes"]
    assert hub["withheld"] is False and hub["supports_prosecution"] is True
    cps = as_user("cps.caseworker").get(url(referral)).json()["wishes"]
    assert cps["withheld"] is True and cps["wishes"] == "Held by advocacy, not shared"
    assert cps["supports_prosecution"] is None and cps["contact_preferences"] == ""
    detail = as_user("cps.caseworker").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert "Wants him stopped" not in str(detail)
    # Withdrawn consent narrows the hub too.
    police.post(url(referral, "consent"), {
        "agency_kinds": ["coordinator"], "given_on": str(TODAY()), "withdrawn_on": str(TODAY()),
    }, format="json")
    assert as_user("hub.caseworker").get(url(referral)).json()["wishes"]["withheld"] is True


def test_wishes_not_under_consent_reach_every_reader_of_the_section(case, as_user):
    referral = case()
    _involve(referral, "cps")
    as_user("police.caseworker").post(url(referral, "wishes"), {
        "supports_prosecution": False, "wishes": "Afraid of court."}, format="json")
    cps = as_user("cps.caseworker").get(url(referral)).json()["wishes"]
    assert cps["withheld"] is False and cps["wishes"] == "Afraid of court."


# --- Visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["probation.caseworker", "ftac.caseworker"])
def test_probation_and_the_psychiatric_unit_never_read_the_victim_s_voice(case, as_user,
                                                                          username):
    referral = case()
    _involve(referral, "probation")
    _involve(referral, "psychiatric")
    as_user("police.caseworker").post(url(referral, "wishes"), {
        "supports_prosecution": True, "wishes": "Wants him stopped."}, format="json")
    client = as_user(username)
    assert client.get(url(referral)).status_code == 403
    detail = client.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert "victim_voice" not in detail and "Wants him stopped" not in str(detail)
    assert client.get(f"/api/v1/referrals/{referral.pk}/contacts/").status_code == 403


def test_an_agency_not_involved_gets_404_and_a_reader_403(case, as_user):
    referral = case()
    cps = as_user("cps.caseworker")
    assert cps.get(url(referral)).status_code == 404
    assert cps.post(url(referral, "wishes"), {"supports_prosecution": True},
                    format="json").status_code == 404
    assert Event.objects.filter(verb="access.refused", actor__username="cps.caseworker",
                                changes__object_id=str(referral.pk)).count() == 2
    _involve(referral, "coordinator")
    hub = as_user("hub.caseworker")
    assert hub.get(url(referral)).status_code == 200
    refused = hub.post(url(referral, "wishes"), {"supports_prosecution": True}, format="json")
    assert refused.status_code == 403
    assert hub.post(f"/api/v1/referrals/{referral.pk}/contacts/",
                    {"method": "phone", "reached": True}, format="json").status_code == 403


# --- The named advocate --------------------------------------------------------------------


def test_the_named_advocate_is_an_advocacy_member_of_an_involved_service(case, as_user, demo):
    referral = case()
    police = as_user("police.caseworker")
    not_involved = police.post(url(referral, "advocate"),
                               {"advocate": "advocacy.caseworker"}, format="json")
    assert not_involved.status_code == 400
    assert "advocate" in not_involved.json()["error"]["fields"]
    _involve(referral, "advocacy")
    police_member = police.post(url(referral, "advocate"),
                                {"advocate": "police.supervisor"}, format="json")
    assert police_member.status_code == 400
    named = police.post(url(referral, "advocate"),
                        {"advocate": "advocacy.caseworker", "role": "isac"}, format="json")
    assert named.status_code == 201, named.content
    advocate = named.json()["advocate"]
    assert advocate["user"] == demo["advocacy.caseworker"].user.pk
    assert advocate["role_label"].startswith("Independent stalking advocate")
    again = police.post(url(referral, "advocate"), {"advocate": "advocacy.caseworker"},
                        format="json")
    assert again.status_code == 409
    ended = police.post(url(referral, "advocate"), {"end": True, "reason": "Moved away."},
                        format="json")
    assert ended.status_code == 201 and ended.json().get("advocate") is None


# --- Safety plan -----------------------------------------------------------------------------


def test_a_safety_plan_gives_the_advocate_s_service_its_review_on_the_day(case, as_user, work):
    referral = case()
    _involve(referral, "advocacy")
    review_on = TODAY() + timedelta(days=14)
    advocacy = as_user("advocacy.caseworker")
    made = advocacy.post(url(referral, "safety-plan"), {
        "agreed_on": str(TODAY()), "review_on": str(review_on), "summary": "Alarm fitted.",
    }, format="json")
    assert made.status_code == 201, made.content
    task = AgencyTask.objects.get(referral=referral, task_type="safety_plan_review", is_open=True)
    assert task.agency.slug == "advocacy"
    assert task.due == calendar.end_of_day(review_on)
    next_on = TODAY() + timedelta(days=28)
    work("advocacy.caseworker", "safety_plan_review", referral.pk,
         {"note": "Still afraid.", "next_review_on": str(next_on)})
    plan = SafetyPlan.objects.get(referral=referral)
    assert plan.review_on == next_on and plan.reviews.get().next_review_on == next_on
    following = AgencyTask.objects.get(referral=referral, task_type="safety_plan_review",
                                       is_open=True)
    assert following.due == calendar.end_of_day(next_on)
    voice = advocacy.get(url(referral)).json()
    assert voice["safety_plan"]["reviews"][0]["note"] == "Still afraid."


def test_a_safety_plan_reviewed_before_it_is_agreed_is_400(case, as_user):
    referral = case()
    response = as_user("police.caseworker").post(url(referral, "safety-plan"), {
        "agreed_on": str(TODAY()), "review_on": str(TODAY() - timedelta(days=1))}, format="json")
    assert response.status_code == 400
    assert "review_on" in response.json()["error"]["fields"]


# --- Victim personal statement -----------------------------------------------------------------


def test_a_personal_statement_offered_then_made_or_declined(case, as_user):
    referral = case()
    police = as_user("police.caseworker")
    offered = police.post(url(referral, "statement"), {"offered_on": str(TODAY())},
                          format="json")
    assert offered.status_code == 201 and offered.json()["statement"]["made"] is None
    declined = police.post(url(referral, "statement"), {
        "offered_on": str(TODAY()), "made": False, "declined_reason": "Not ready."},
        format="json").json()
    assert declined["statement"]["made"] is False
    verbs = list(Event.objects.filter(referral_id=referral.pk, verb__startswith="statement.")
                 .order_by("id").values_list("verb", flat=True))
    assert verbs == ["statement.offered", "statement.declined"]


# --- Right to review -------------------------------------------------------------------------


def test_a_review_offered_requested_and_decided_by_another_than_the_decider(
    case, as_user, demo, work
):
    referral = case()
    decider = demo["police.caseworker"].user
    victims_code_event(referral=referral, trigger="no_further_action", actor=decider)
    review = RightToReview.objects.get(referral=referral)
    police = as_user("police.caseworker")
    asked = police.post(url(referral, "right-to-review"), {"review": review.pk}, format="json")
    assert asked.status_code == 201, asked.content
    assert asked.json()["reviews"][0]["requested_on"] == str(TODAY())
    task = AgencyTask.objects.get(referral=referral, task_type="right_to_review", is_open=True)
    assert task.agency.slug == "police" and task.excluded_user == decider
    claimed = police.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert claimed.status_code in (403, 404, 409)
    work("police.supervisor", "right_to_review", referral.pk,
         {"outcome": "overturned", "reason": "Evidence was overlooked."})
    review.refresh_from_db()
    assert review.outcome == "overturned" and review.reviewed_on == TODAY()
    assert Event.objects.filter(referral_id=referral.pk, verb="right_to_review.overturned",
                                reason="Evidence was overlooked.").exists()
    twice = police.post(url(referral, "right-to-review"), {"review": review.pk}, format="json")
    assert twice.status_code == 409


# --- Contact log and others at risk --------------------------------------------------------


def test_contacts_logged_and_listed_latest_first(case, as_user):
    referral = case()
    police = as_user("police.caseworker")
    first = police.post(f"/api/v1/referrals/{referral.pk}/contacts/", {
        "method": "phone", "reached": False, "at": (timezone.now() - timedelta(hours=3))
        .isoformat()}, format="json")
    assert first.status_code == 201, first.content
    police.post(f"/api/v1/referrals/{referral.pk}/contacts/",
                {"method": "visit", "reached": True, "note": "Home visit."}, format="json")
    rows = police.get(f"/api/v1/referrals/{referral.pk}/contacts/").json()["results"]
    assert [r["method"] for r in rows] == ["visit", "phone"]
    assert rows[0]["method_label"] == "Visit" and rows[0]["on_time"] is None
    assert ContactEntry.objects.filter(referral=referral).count() == 2
    future = police.post(f"/api/v1/referrals/{referral.pk}/contacts/", {
        "method": "phone", "reached": True,
        "at": (timezone.now() + timedelta(hours=3)).isoformat()}, format="json")
    assert future.status_code == 400


def test_others_at_risk_and_a_safeguarding_referral(case, as_user):
    referral = case()
    police = as_user("police.caseworker")
    made = police.post(f"/api/v1/referrals/{referral.pk}/others-at-risk/", {
        "relation": "new_partner", "name": "Sam Lee", "notes": "Followed home."}, format="json")
    assert made.status_code == 201, made.content
    person = made.json()
    assert person["relation_label"] == "New partner"
    referred = police.post(
        f"/api/v1/referrals/{referral.pk}/others-at-risk/{person['id']}/safeguarding/",
        {"referred_on": str(TODAY()), "to": "Adult social care"}, format="json")
    assert referred.status_code == 201, referred.content
    assert referred.json()["safeguarding_to"] == "Adult social care"
    listed = police.get(f"/api/v1/referrals/{referral.pk}/others-at-risk/").json()
    assert listed["others_at_risk"][0]["safeguarding_referred_on"] == str(TODAY())
    detail = police.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["safeguarding"]["others_at_risk"][0]["name"] == "Sam Lee"
    wrong = police.post(f"/api/v1/referrals/{referral.pk}/others-at-risk/999999/safeguarding/",
                        {"referred_on": str(TODAY()), "to": "X"}, format="json")
    assert wrong.status_code == 400
    assert Event.objects.filter(referral_id=referral.pk, verb="safeguarding.referred").exists()
