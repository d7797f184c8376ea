"""The case page's cards of the victim's voice, contact log and others at risk, and their forms."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from victims.models import ContactEntry, PersonAtRisk, VictimWishes

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(demo):
    def make(username):
        client = Client()
        client.force_login(demo[username].user)
        return client

    return make


def _page(referral, path=""):
    return f"/workspace/referrals/{referral.pk}/{path}"


def _involve(referral, kind):
    from workflows import allocation
    from workflows.services import case_task_start

    agency = allocation.agency_of_kind(kind, region=referral.referrer_agency.region)
    case_task_start(referral=referral, task_type="victim_letter", agency=agency,
                    due=timezone.now() + timedelta(days=1), context={})


def test_police_see_the_three_cards_with_their_forms(case, signed_in):
    referral = case()
    html = signed_in("police.caseworker").get(_page(referral)).content.decode()
    for testid in ("section-victim-voice", "section-victim-contacts", "section-others-at-risk",
                   "record-victims_wishes", "record-victims_contact",
                   "record-victims_person_at_risk"):
        assert f'data-testid="{testid}"' in html, testid
    entitlement = html.split('data-testid="voice-entitlement"')[1].split("</dd>")[0]
    assert "Opted out without a reason" in entitlement


def test_probation_sees_others_at_risk_but_not_the_victim_s_voice_or_contacts(case, signed_in):
    referral = case()
    _involve(referral, "probation")
    html = signed_in("probation.caseworker").get(_page(referral)).content.decode()
    assert 'data-testid="section-victim-voice"' not in html
    assert 'data-testid="section-victim-contacts"' not in html
    assert 'data-testid="section-others-at-risk"' in html
    assert 'data-testid="record-victims_person_at_risk"' not in html


def test_wishes_recorded_from_the_page(case, signed_in):
    referral = case()
    police = signed_in("police.caseworker")
    assert police.get(_page(referral, "victim-voice/wishes/")).status_code == 200
    response = police.post(_page(referral, "victim-voice/wishes/"), {
        "supports_prosecution": "yes", "wishes": "Wants it to stop.",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    wishes = VictimWishes.objects.get(referral=referral)
    assert wishes.supports_prosecution is True and wishes.wishes == "Wants it to stop."
    html = police.get(_page(referral)).content.decode()
    assert "Wants it to stop." in html


def test_a_contact_and_someone_at_risk_from_the_page(case, signed_in):
    referral = case()
    police = signed_in("police.caseworker")
    done = police.post(_page(referral, "contacts/new/"), {"method": "phone", "reached": "on"})
    assert done.status_code == 302
    assert ContactEntry.objects.get(referral=referral).reached is True
    made = police.post(_page(referral, "others-at-risk/new/"),
                       {"relation": "child", "notes": "Waited at the school."})
    assert made.status_code == 302
    person = PersonAtRisk.objects.get(referral=referral)
    html = police.get(_page(referral)).content.decode()
    assert 'data-testid="contact-row"' in html and "Waited at the school." in html
    referred = police.post(_page(referral, f"others-at-risk/{person.pk}/safeguarding/"),
                           {"referred_on": str(timezone.localdate()), "to": "Children's services"})
    assert referred.status_code == 302
    person.refresh_from_db()
    assert person.safeguarding_to == "Children's services"


def test_errors_are_listed_on_the_form(case, signed_in):
    referral = case()
    response = signed_in("police.caseworker").post(_page(referral, "victim-voice/safety-plan/"), {
        "agreed_on": str(timezone.localdate()),
        "review_on": str(timezone.localdate() - timedelta(days=1)),
    })
    assert response.status_code == 200
    assert "Cannot be before the day the plan was agreed." in response.content.decode()


def test_an_entitlement_untick_needs_a_reason_on_the_page(case, signed_in):
    referral = case()
    response = signed_in("police.caseworker").post(_page(referral, "victim-voice/entitlement/"),
                                                   {"opt_out_reason": ""})
    assert response.status_code == 200
    assert "Say why enhanced rights do not apply." in response.content.decode()


def test_forms_404_for_an_agency_not_involved_and_403_for_a_reader(case, signed_in):
    referral = case()
    cps = signed_in("cps.caseworker")
    for path in ("victim-voice/wishes/", "contacts/new/", "others-at-risk/new/"):
        assert cps.get(_page(referral, path)).status_code == 404, path
    _involve(referral, "coordinator")
    hub = signed_in("hub.caseworker")
    assert hub.get(_page(referral, "victim-voice/wishes/")).status_code == 403
    assert hub.get(_page(referral, "contacts/new/")).status_code == 403
    html = hub.get(_page(referral)).content.decode()
    assert 'data-testid="section-victim-voice"' in html
    assert 'data-testid="record-victims_wishes"' not in html


def test_a_safety_plan_from_the_page_shows_its_dates_as_people_read_them(case, signed_in):
    referral = case()
    police = signed_in("police.caseworker")
    today = timezone.localdate()
    review_on = today + timedelta(days=7)
    done = police.post(_page(referral, "victim-voice/safety-plan/"), {
        "agreed_on": str(today), "review_on": str(review_on), "summary": "Alarm fitted."})
    assert done.status_code == 302
    html = police.get(_page(referral)).content.decode()
    day = f"{today.day} {today:%b %Y}"
    assert f"Agreed {day}, next review {review_on.day} {review_on:%b %Y}" in html


# --- The victim's request for a review of a decision not to prosecute ------------------------


def _offered_review(referral, demo):
    from victims.models import RightToReview
    from workflows.services import victims_code_event

    victims_code_event(referral=referral, trigger="no_further_action",
                       actor=demo["police.caseworker"].user)
    return RightToReview.objects.get(referral=referral)


def test_the_victim_s_request_for_a_review_from_the_page(case, signed_in, demo):
    from audit.models import Event
    from workflows.models import AgencyTask

    referral = case()
    review = _offered_review(referral, demo)
    police = signed_in("police.supervisor")
    html = police.get(_page(referral)).content.decode()
    assert 'data-testid="record-victims_right_to_review"' in html
    form = police.get(_page(referral, f"victim-voice/right-to-review/?review={review.pk}"))
    assert form.status_code == 200
    assert f'<option value="{review.pk}" selected>' in form.content.decode()
    done = police.post(_page(referral, "victim-voice/right-to-review/"), {"review": review.pk})
    assert done.status_code == 302, done.content.decode()[:2000]
    review.refresh_from_db()
    assert review.requested_on == timezone.localdate()
    assert Event.objects.filter(referral_id=referral.pk, verb="right_to_review.requested",
                                object_id=str(review.pk)).exists()
    task = AgencyTask.objects.get(referral=referral, task_type="right_to_review", is_open=True)
    assert task.agency.slug == "police"
    page = police.get(_page(referral)).content.decode()
    today = timezone.localdate()
    assert f"{today.day} {today:%b %Y}" in page.split('data-testid="voice-review"')[1]
    # Asked for already: no longer a choice; posting it again is refused on the form.
    again = police.post(_page(referral, "victim-voice/right-to-review/"), {"review": review.pk})
    assert again.status_code == 200
    assert "Select a valid choice" in again.content.decode()


def test_a_request_for_a_review_with_bad_input_lists_its_errors(case, signed_in, demo):
    from victims.models import RightToReview

    referral = case()
    review = _offered_review(referral, demo)
    police = signed_in("police.caseworker")
    url = _page(referral, "victim-voice/right-to-review/")
    empty = police.post(url, {})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    early = police.post(url, {"review": review.pk,
                              "requested_on": str(review.offered_on - timedelta(days=1))})
    assert early.status_code == 200
    assert "Cannot be before the offer." in early.content.decode()
    unknown = police.post(url, {"review": review.pk + 1000})
    assert unknown.status_code == 200
    assert RightToReview.objects.get(pk=review.pk).requested_on is None


def test_a_request_for_a_review_is_gated_as_the_api_is(case, signed_in, demo):
    referral = case()
    _offered_review(referral, demo)
    url = _page(referral, "victim-voice/right-to-review/")
    assert signed_in("cps.caseworker").get(url).status_code == 404
    _involve(referral, "coordinator")
    hub = signed_in("hub.caseworker")
    assert hub.get(url).status_code == 403
    assert 'data-testid="record-victims_right_to_review"' not in hub.get(
        _page(referral)).content.decode()
