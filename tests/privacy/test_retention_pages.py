"""Retention's pages: each renders with its one h1 and title, the forms list their errors,
and the case page's card offers a legal hold to a supervisor."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from privacy import services
from privacy.models import LegalHold, RetentionReview, RetentionSchedule
from tests.agencies.factories import MemberFactory, sign_in_verified
from tests.privacy.factories import bare_case, years_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(demo):
    def make(username):
        client = Client()
        client.force_login(demo[username].user)
        return client

    return make


def _review(demo, **case) -> RetentionReview:
    referral = bare_case(demo, **case)
    services.retention_sweep(today=years_on(12))
    return RetentionReview.objects.get(referral=referral)


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    assert text.count("<h1") == 1
    return text


def test_the_due_reviews_page_lists_the_reach_only(demo, signed_in):
    mine, theirs = _review(demo), _review(demo, referrer="advocacy.caseworker")
    page = _page(signed_in("police.supervisor").get("/workspace/retention/"))
    assert "<title>Retention reviews" in page
    assert mine.referral.reference in page and theirs.referral.reference not in page
    assert signed_in("police.caseworker").get("/workspace/retention/").status_code == 403


def test_the_review_page_decides_and_lists_its_errors(demo, signed_in):
    review = _review(demo)
    url = f"/workspace/retention/reviews/{review.pk}/"
    supervisor = signed_in("police.supervisor")
    page = _page(supervisor.get(url))
    assert f"<title>Retention review of {review.referral.reference}" in page
    assert 'data-testid="decision-form"' in page and 'for="id_reason"' in page
    refused = supervisor.post(url, {"decision": "defer", "reason": ""})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert 'data-testid="error-summary"' in text and 'href="#id_reason"' in text
    assert 'href="#id_deferred_until"' in text
    until = timezone.localdate() + timedelta(days=60)
    done = supervisor.post(
        url, {"decision": "defer", "reason": "Appeal.", "deferred_until": until.isoformat()}
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == "deferred"
    assert signed_in("police.caseworker").get(url).status_code == 403
    other = _review(demo, referrer="advocacy.caseworker")
    assert supervisor.get(f"/workspace/retention/reviews/{other.pk}/").status_code == 404


def test_the_schedules_page_and_its_edit_form(demo, signed_in):
    page = _page(signed_in("police.caseworker").get("/workspace/retention/schedules/"))
    assert "<title>Retention schedules" in page and 'data-testid="edit-schedule"' not in page
    admin = sign_in_verified(
        Client(), MemberFactory(agency=demo["hub.supervisor"].agency, roles=["admin"]).user
    )
    schedule = RetentionSchedule.objects.get(outcome="declined")
    url = f"/workspace/retention/schedules/{schedule.pk}/edit/"
    assert url in _page(admin.get("/workspace/retention/schedules/"))
    form = _page(admin.get(url))
    assert "<title>Change the schedule: Referral declined" in form
    bad = admin.post(url, {"years": "0", "action": "pseudonymise"})
    assert 'data-testid="error-summary"' in bad.content.decode()
    assert admin.post(url, {"years": "3", "action": "pseudonymise"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.years == 3
    assert signed_in("hub.supervisor").get(url).status_code == 403
    assert "<title>Add a retention schedule" in _page(
        admin.get("/workspace/retention/schedules/new/")
    )


def test_the_case_page_card_places_and_lifts_a_hold(demo, signed_in, as_user):
    from tests.referral.factories import payload

    body = as_user("police.caseworker").post("/api/v1/referrals/", payload(), format="json").json()
    supervisor = signed_in("police.supervisor")
    case_page = _page(supervisor.get(f"/workspace/referrals/{body['id']}/"))
    assert 'data-testid="section-retention"' in case_page
    new = f"/workspace/retention/referrals/{body['id']}/legal-holds/new/"
    assert new in case_page
    form = _page(supervisor.get(new))
    assert f"<title>Place a legal hold on {body['reference']}" in form
    assert 'href="#id_reason"' in supervisor.post(new, {"reason": ""}).content.decode()
    assert supervisor.post(new, {"reason": "Inquest opened."}).status_code == 302
    hold = LegalHold.objects.get(referral_id=body["id"])
    lift = f"/workspace/retention/legal-holds/{hold.pk}/lift/"
    assert lift in supervisor.get(f"/workspace/referrals/{body['id']}/").content.decode()
    assert "<title>Lift the legal hold" in _page(supervisor.get(lift))
    assert supervisor.post(lift, {"reason": "Inquest closed."}).status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active
    assert signed_in("police.caseworker").get(new).status_code == 403
    caseworker_page = signed_in("police.caseworker").get(f"/workspace/referrals/{body['id']}/")
    assert 'data-testid="section-retention"' not in caseworker_page.content.decode()
