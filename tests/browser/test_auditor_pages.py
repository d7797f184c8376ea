"""An auditor's day in Chromium, without the API: Home's latest decisions and the chain's state,
the trail filtered by a case's reference, that case's decision trail with its reasons, who read
the victim's contact details, and the chain verified."""

import re

import pytest
from playwright.sync_api import expect

from agencies.selectors import membership_of
from referral.serializers import ReferralInput
from tests.referral.factories import answers, payload
from workflows import services as workflow_services
from workflows.models import AgencyTask

pytestmark = [pytest.mark.browser]

DECLINE_REASON = "One contact in six months: no course of conduct."


@pytest.fixture
def declined(seeded):
    """A police referral the hub declined (a decision with its reason): (reference, id)."""
    draft = ReferralInput(data=payload(
        screening={"instrument": "stalking-screen-v1", "answers": answers(1)}
    ))
    assert draft.is_valid(), draft.errors
    police = seeded["police.caseworker"].user
    referral = workflow_services.referral_refer(
        actor=police, membership=membership_of(police), draft=draft.draft()
    ).referral
    for username, task_type, data in (
        ("hub.caseworker", "triage",
         {"decision": "decline", "risk_level": "standard", "reason": DECLINE_REASON}),
        ("hub.supervisor", "approve_decline", {"approved": True, "reason": "Agreed."}),
    ):
        user = seeded[username].user
        task = AgencyTask.objects.get(referral=referral, task_type=task_type, is_open=True)
        workflow_services.task_claim(actor=user, task_id=task.pk)
        workflow_services.task_complete(actor=user, task_id=task.pk, data=data)
    return referral.reference, referral.pk


def test_an_auditor_reads_the_trail_of_a_decision_and_who_read_the_contact_details(
    declined, sign_in, page, live_server
):
    reference, referral_id = declined
    # The referrer opens the case page: a read of the victim's contact details.
    sign_in(page, "police.caseworker")
    page.goto(f"{live_server.url}/workspace/referrals/{referral_id}/")
    expect(page.locator("h1")).to_contain_text(reference)
    page.context.clear_cookies()

    sign_in(page, "oversight.auditor")
    expect(page.get_by_test_id("home-decision").first).to_be_visible()
    expect(page.get_by_test_id("home-chain")).to_be_visible()
    expect(page.get_by_test_id("home-decisions")).not_to_contain_text(DECLINE_REASON)

    page.get_by_role("link", name="The whole trail").click()
    page.wait_for_url(re.compile(r"/workspace/audit/"))
    page.get_by_label("Case reference").fill(reference)
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("event-row")
    expect(rows.first).to_be_visible()
    for link in page.get_by_test_id("event-case").all():
        expect(link).to_have_text(reference)

    page.get_by_test_id("event-case").first.click()
    page.wait_for_url(re.compile(r"/workspace/audit/referrals/\d+/"))
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.get_by_test_id("reason").filter(has_text=DECLINE_REASON).first).to_be_visible()

    page.goto(f"{live_server.url}/workspace/audit/access/")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_role("button", name="Show reads").click()
    expect(page.get_by_test_id("read-row").first).to_have_attribute(
        "data-actor", "police.caseworker"
    )

    page.goto(f"{live_server.url}/workspace/audit/")
    page.get_by_test_id("verify-now").click()
    expect(page.get_by_test_id("chain-status")).to_have_attribute("data-ok", "true")
