import re

import pytest
from playwright.sync_api import expect

from tests.referral.factories import ANSWER_KEYS

pytestmark = [pytest.mark.browser]


def test_police_refers_a_case_and_sees_it(seeded, sign_in, page, live_server):
    sign_in(page, "police.caseworker")
    page.goto(f"{live_server.url}/workspace/referrals/")
    page.get_by_test_id("refer-case").click()
    page.wait_for_url(re.compile(r"/workspace/referrals/new/$"))

    page.fill("input[name=victim_name]", "Alice Example")
    page.fill("input[name=victim_date_of_birth]", "1990-04-01")
    page.check("input[name=victim_enhanced_rights]")
    page.fill("input[name=contact_phone]", "07700 900123")
    page.fill("textarea[name=contact_safe_method]", "Text first")
    page.fill("input[name=suspect_name]", "Bob Sample")
    page.fill("textarea[name=suspect_aliases]", "Robert Sample\nBobby S")
    page.check("input[name=relationship][value=former_partner]")
    page.check("input[name=behaviours][value=following]")
    page.check("input[name=behaviours][value=threats]")
    page.fill("input[name=stalking_since]", "2025-09-01")
    page.check("input[name=consent]")
    page.fill("textarea[name=summary]", "Follows her to work; threatened her last week.")
    for i, key in enumerate(ANSWER_KEYS):
        page.check(f"input[name=q_{key}][value={'yes' if i < 6 else 'no'}]")
    page.get_by_test_id("submit-referral").click()

    page.wait_for_url(re.compile(r"/workspace/referrals/\d+/$"))
    expect(page.get_by_test_id("case-reference")).to_have_text(re.compile(r"^STK-\d{4}-\d{6}$"))
    expect(page.get_by_test_id("case-risk")).to_contain_text("High")
    expect(page.get_by_test_id("risk-story")).to_contain_text("gave High: 6 of 11")
    expect(page.get_by_test_id("section-victim-contact")).to_contain_text("07700 900123")
    expect(page.get_by_test_id("section-suspect")).to_contain_text("Robert Sample, Bobby S")


def test_the_form_shows_errors_beside_the_fields(seeded, sign_in, page, live_server):
    sign_in(page, "police.caseworker")
    page.goto(f"{live_server.url}/workspace/referrals/new/")
    page.fill("input[name=suspect_name]", "Bob Sample")
    page.get_by_test_id("submit-referral").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.get_by_test_id("error-victim_name")).to_have_text("This field is required.")
    expect(page.get_by_test_id("error-q_very_frightened")).to_have_text(
        "Answer yes, no or not known."
    )
    expect(page.locator("input[name=suspect_name]")).to_have_value("Bob Sample")
