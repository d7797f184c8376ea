"""A police caseworker's day on a case, in Chromium, without the API: refer a case with its
incidents, read one risk story, log an incident and a breach, record an order and a hearing,
print the case file and download its PDF. Every page passes axe-core (no serious or critical
violation) and fits a 390 px phone screen."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from referral.serializers import ReferralInput
from tests.referral.factories import ANSWER_KEYS, payload
from workflows.services import referral_refer

pytestmark = [pytest.mark.browser]

PHONE_WIDTH = 390
# The page's width, and the right edge of its furthest visible element (the shell's body
# scrolls in its own element, whose overflow the document's width would not show).
WIDEST = """() => Math.max(document.documentElement.scrollWidth, ...Array.from(
  document.querySelectorAll("main *"),
  (e) => e.getClientRects().length ? Math.ceil(e.getBoundingClientRect().right) : 0))"""
# What sticks out, for the failure's message.
OVERFLOWING = f"""() => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > {PHONE_WIDTH})
  .slice(0, 5).map((e) => e.tagName + "." + e.className + " " + e.textContent.slice(0, 40))"""


def assert_accessible(page, name: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: " + "; ".join(bad)


def assert_fits_a_phone(page, name: str) -> None:
    """At 390 px wide, the page scrolls only downwards."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    try:
        # The shell's menu drawer reflows (animated) after a resize: measure the settled page.
        for _ in range(15):
            page.wait_for_timeout(200)
            width = page.evaluate(WIDEST)
            if width <= PHONE_WIDTH:
                break
        assert width <= PHONE_WIDTH, f"{name} is {width} px wide at {PHONE_WIDTH} px: " + str(
            page.evaluate(OVERFLOWING)
        )
    finally:
        page.set_viewport_size(size)


def check_page(page, name: str) -> None:
    assert_accessible(page, name)
    assert_fits_a_phone(page, name)


def _local(days_ago: float) -> str:
    return timezone.localtime(timezone.now() - timedelta(days=days_ago)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def _success_messages(page):
    return page.locator("[data-testid=messages] .concord-message--success")


def test_a_caseworkers_day_on_a_case(seeded, sign_in, page, live_server):
    sign_in(page, "police.caseworker")

    # Refer a case with two incidents so far.
    page.goto(f"{live_server.url}/workspace/referrals/new/")
    expect(page).to_have_title(re.compile(r"^Refer a case · Concord$"))
    check_page(page, "the referral form")
    page.fill("input[name=victim_name]", "Alice Example")
    page.fill("input[name=victim_date_of_birth]", "1990-04-01")
    page.fill("input[name=contact_phone]", "07700 900123")
    page.fill("input[name=suspect_name]", "Bob Sample")
    page.check("input[name=relationship][value=former_partner]")
    page.check("input[name=behaviours][value=following]")
    page.check("input[name=consent]")
    for i, key in enumerate(ANSWER_KEYS):
        page.check(f"input[name=q_{key}][value={'yes' if i < 2 else 'no'}]")
    page.fill("input[name=incident_1_occurred_at]", _local(6))
    page.check("input[name=incident_1_behaviours][value=following]")
    page.fill("textarea[name=incident_1_description]", "Waited outside her work.")
    page.fill("input[name=incident_2_occurred_at]", _local(2))
    page.check("input[name=incident_2_behaviours][value=threats]")
    page.fill("textarea[name=incident_2_description]", "Said she would regret leaving.")
    page.get_by_test_id("submit-referral").click()

    # One risk story: High, and the incidents imply High too, with the reason in words.
    page.wait_for_url(re.compile(r"/workspace/referrals/\d+/$"))
    case_url = page.url
    reference = page.get_by_test_id("case-reference").inner_text()
    expect(page).to_have_title(f"Case {reference} · Concord")
    story = page.get_by_test_id("risk-story")
    expect(page.get_by_test_id("case-risk")).to_have_text("Risk: High")
    expect(story).to_contain_text("The screening (")
    expect(story).to_contain_text("gave Standard: 2 of 11 questions answered yes")
    expect(story).to_contain_text("The incidents on the timeline raised the level to High.")
    expect(story).to_contain_text("imply the same level, High, because of threats or violence")
    expect(page.get_by_text("Implied risk")).to_have_count(0)
    expect(page.get_by_test_id("incident-row")).to_have_count(2)
    expect(page.get_by_test_id("case-tasks")).to_contain_text("Triage")
    expect(page.get_by_test_id("case-tasks")).to_contain_text("Stalking Multi-Agency Hub")
    check_page(page, "the case page")

    # Log an incident: a first try with nothing filled in lists every problem at once.
    page.get_by_test_id("record-incident_new").click()
    page.wait_for_url(re.compile(r"/incidents/new/$"))
    expect(page).to_have_title(f"Log an incident · {reference} · Concord")
    check_page(page, "the incident form")
    page.get_by_test_id("submit-record").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(f"Error: Log an incident · {reference} · Concord")
    expect(summary.locator("a")).to_have_count(3)
    check_page(page, "the incident form with errors")
    page.fill("input[name=occurred_at]", _local(1))
    page.check("input[name=behaviours][value=phone_calls]")
    page.fill("textarea[name=description]", "Rang eleven times overnight.")
    page.get_by_test_id("submit-record").click()
    page.wait_for_url(case_url)
    expect(_success_messages(page)).to_have_count(1)
    expect(_success_messages(page)).to_contain_text(f"Incident logged on {reference}")
    expect(page.get_by_test_id("incident-row")).to_have_count(3)

    # Record an order, then a breach of it.
    page.get_by_test_id("record-order_new").click()
    page.wait_for_url(re.compile(r"/orders/new/$"))
    check_page(page, "the order form")
    page.select_option("select[name=kind]", "bail_conditions")
    page.fill("textarea[name=conditions]", "Not to contact the victim directly or indirectly.")
    page.fill("input[name=starts]", (timezone.localdate() - timedelta(days=3)).isoformat())
    page.get_by_test_id("submit-record").click()
    page.wait_for_url(case_url)
    expect(_success_messages(page)).to_have_text(f"Bail conditions recorded on {reference}.")
    expect(page.get_by_test_id("order-row")).to_contain_text("Not to contact the victim")

    page.get_by_test_id("record-breach_new").click()
    page.wait_for_url(re.compile(r"/breaches/new/$"))
    check_page(page, "the breach form")
    page.fill("input[name=occurred_at]", _local(1))
    page.check("input[name=behaviours][value=texts]")
    page.fill("textarea[name=description]", "Texted her through a friend's phone.")
    page.select_option("select[name=breach_of_order]", index=1)
    page.get_by_test_id("submit-record").click()
    page.wait_for_url(case_url)
    expect(_success_messages(page)).to_contain_text(f"Breach recorded on {reference}")
    incidents = page.get_by_test_id("section-incidents")
    expect(incidents).to_contain_text("Breach of the bail conditions")
    expect(page.get_by_test_id("case-tasks")).to_contain_text("Enforce a breached order")

    # Record a court hearing.
    page.get_by_test_id("record-hearing_new").click()
    page.wait_for_url(re.compile(r"/hearings/new/$"))
    check_page(page, "the hearing form")
    page.select_option("select[name=kind]", "bail")
    page.fill("input[name=date]", (timezone.localdate() + timedelta(days=14)).isoformat())
    page.fill("input[name=court]", "Leeds Magistrates' Court")
    page.get_by_test_id("submit-record").click()
    page.wait_for_url(case_url)
    expect(_success_messages(page)).to_have_count(1)
    expect(page.get_by_test_id("section-hearings")).to_contain_text("Bail hearing")
    expect(page.get_by_test_id("case-tasks")).to_contain_text("Pre-hearing risk assessment")
    check_page(page, "the case page after a day's work")

    # The print view: the case file without menus or buttons.
    page.emulate_media(media="print")
    expect(page.locator(".vf-page__menu")).to_be_hidden()
    expect(page.get_by_test_id("case-actions")).to_be_hidden()
    expect(page.get_by_test_id("record-actions")).to_be_hidden()
    expect(page.get_by_test_id("risk-story")).to_be_visible()
    expect(page.get_by_test_id("section-victim-contact")).to_be_visible()
    page.emulate_media(media="screen")

    # The PDF: the sections the police may see.
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    path = download.value.path()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert download.value.suggested_filename == f"{reference}-case-file.pdf"
    assert f"Case file {reference}" in text
    assert "07700 900123" in text
    assert "Bail hearing" in text and "Texted her through a friend's phone." in text


def test_a_cps_lawyer_sees_no_recording_of_incidents_and_no_contact_details(
    seeded, sign_in, page, live_server
):
    """The same case as CPS sees it: no incident form, no contact details; the hearing form is
    offered (charging side), and the order form offers only the restraining order CPS asks the
    court for."""
    police = seeded["police.caseworker"]
    cps = seeded["cps.caseworker"]
    data = ReferralInput(data=payload())
    assert data.is_valid(), data.errors
    referral = referral_refer(actor=police.user, membership=police, draft=data.draft()).referral
    involvement_grant(referral=Referral.objects.get(pk=referral.pk), agency=cps.agency,
                      basis=InvolvementBasis.TASK, source="t")

    sign_in(page, "cps.caseworker")
    page.goto(f"{live_server.url}/workspace/referrals/{referral.pk}/")
    expect(page.get_by_test_id("case-reference")).to_have_text(referral.reference)
    expect(page.get_by_test_id("section-victim-contact")).to_have_count(0)
    expect(page.get_by_test_id("record-incident_new")).to_have_count(0)
    expect(page.get_by_test_id("record-order_new")).to_have_count(1)
    expect(page.get_by_test_id("record-hearing_new")).to_have_count(1)
    check_page(page, "the case page for CPS")
    page.get_by_test_id("record-order_new").click()
    page.wait_for_url(re.compile(r"/orders/new/$"))
    offered = page.locator("select[name=kind] option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )
    assert offered == ["restraining_order"]
    response = page.goto(f"{live_server.url}/workspace/referrals/{referral.pk}/incidents/new/")
    assert response.status == 403
