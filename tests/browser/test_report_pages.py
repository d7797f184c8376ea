"""The outcome reports in Chromium, as the demo auditor: the outcomes workspace, a filtered
report with its chart and table, the CSV, a filter in error, the printed page; axe-core and a
390 px phone on each page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.reports import caseload

pytestmark = [pytest.mark.browser]


@pytest.fixture
def cases(seeded):
    caseload.make(seeded)
    return seeded


def test_an_auditor_reads_a_report_downloads_it_and_prints_it(
    cases, sign_in, page, live_server, axe_check, phone_width
):
    sign_in(page, "oversight.auditor")
    page.get_by_role("link", name="Outcome reports").first.click()
    page.wait_for_url(re.compile(r"/workspace/reports/$"))
    expect(page.locator("h1")).to_have_text("Outcome reports")
    expect(page.get_by_test_id("cohort-rule")).to_contain_text("rule version 1")
    expect(page.get_by_test_id("report-item")).to_have_count(9)
    axe_check(page)
    phone_width(page)
    page.set_viewport_size(DESKTOP)

    page.get_by_label("Referred from").fill("2025-01-01")
    page.get_by_label("Agency").select_option("police")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"since=2025-01-01"))
    page.get_by_role("link", name="Referrals and screening").click()
    page.wait_for_url(re.compile(r"/workspace/reports/funnel/\?since=2025-01-01&agency=police"))
    expect(page).to_have_title("Referrals and screening · Outcome reports · Concord")
    rows = page.get_by_test_id("figures-referred_by_month").get_by_test_id("figure-row")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("fewer than 5")
    expect(rows.nth(4)).to_contain_text("18")
    chart = page.get_by_role("img", name="Referrals by month")
    expect(chart).to_be_visible()
    axe_check(page)
    phone_width(page)
    page.set_viewport_size(DESKTOP)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "concord-funnel-rule1-2025-01-01.csv"
    assert "referred_by_month,total,Total,count,Referrals,18" in text

    page.emulate_media(media="print")
    expect(page.locator(".vf-page__menu").first).to_be_hidden()
    expect(page.get_by_test_id("report-filters")).to_be_hidden()
    expect(chart).to_be_visible()
    expect(rows.nth(4)).to_be_visible()
    page.emulate_media(media="screen")


def test_a_filter_in_error_is_listed_and_leads_to_its_field(
    seeded, sign_in, page, live_server, axe_check
):
    sign_in(page, "oversight.auditor")
    page.goto(f"{live_server.url}/workspace/reports/funnel/")
    page.get_by_label("Referred from").fill("2025-04-02")
    page.get_by_label("Referred until").fill("2025-04-01")
    page.get_by_role("button", name="Apply").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Referrals and screening"))
    summary.get_by_role("link", name=re.compile("Referred until")).click()
    expect(page.get_by_label("Referred until")).to_be_focused()
    axe_check(page)
