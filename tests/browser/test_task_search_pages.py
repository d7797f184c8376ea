"""Search, the inbox's filters, a task and its case, one-round errors and reassignment, walked in
Chromium as their users walk them (no API call in the walk: the cases are referred through the
same service the API calls); and these pages checked by axe-core and at a phone's width."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from agencies.selectors import membership_of
from referral.serializers import ReferralInput
from tests.referral.factories import answers, payload
from workflows import services as workflow_services
from workflows.models import AgencyTask

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def refer(seeded, *, yes=2, **overrides) -> str:
    """police.caseworker refers a case (the referral form's service); its reference."""
    body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(yes)},
                   **overrides)
    draft = ReferralInput(data=body)
    assert draft.is_valid(), draft.errors
    user = seeded["police.caseworker"].user
    result = workflow_services.referral_refer(actor=user, membership=membership_of(user),
                                              draft=draft.draft())
    return result.referral.reference


@pytest.fixture
def cases(seeded):
    return {
        "smith": refer(seeded, yes=9, summary="Follows her to work; texts at night.",
                       suspect={"name": "John Smith", "date_of_birth": "1972-05-05",
                                "aliases": ["Johnny Blade"]}),
        "zoe": refer(seeded, victim={"name": "Zoë Adams", "date_of_birth": "1991-03-02"},
                     suspect={"name": "Mark Jones", "date_of_birth": "1970-01-01"}),
    }


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_caseworker_finds_a_case_by_a_misspelt_name_and_an_accentless_one(
    cases, sign_in, page, live_server
):
    sign_in(page, "police.caseworker")
    page.goto(f"{live_server.url}/workspace/referrals/")
    page.get_by_label("Search").fill("Jonh Smyth")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("referral-count")).to_have_text("1 case found")
    expect(page.get_by_test_id("referral-row")).to_have_count(1)
    expect(page.get_by_test_id("referral-row")).to_contain_text(cases["smith"])
    assert page.title() == "Referrals found · Concord"

    page.get_by_label("Search").fill("zoe adams")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("referral-row")).to_contain_text(cases["zoe"])
    expect(page.get_by_test_id("referral-row")).to_contain_text("Zoë Adams")
    page.get_by_test_id("referral-row").get_by_role("link", name=cases["zoe"]).click()
    page.wait_for_url(re.compile(r"/workspace/referrals/\d+/$"))


def test_an_agency_not_involved_finds_nothing(cases, sign_in, page, live_server):
    sign_in(page, "probation.caseworker")
    page.goto(f"{live_server.url}/workspace/referrals/")
    page.get_by_label("Search").fill("John Smith")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("referral-count")).to_have_text("0 cases found")
    expect(page.get_by_test_id("referral-row")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(cases["smith"])


def test_filter_the_inbox_open_a_task_see_its_case_and_fix_two_errors_at_once(
    cases, sign_in, page, live_server
):
    sign_in(page, "hub.caseworker")
    page.goto(f"{live_server.url}/workspace/tasks/")
    page.get_by_test_id("tab-queue").click()
    expect(page.get_by_test_id("task-row")).to_have_count(2)
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Risk", exact=True).select_option(label="High")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("task-count")).to_have_text("1 task fits")
    row = page.get_by_test_id("task-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(cases["smith"])
    row.get_by_test_id("task-link").click()

    page.wait_for_url(re.compile(r"/workspace/tasks/\d+/$"))
    case = page.get_by_test_id("task-case")
    expect(case).to_contain_text(cases["smith"])
    expect(case).to_contain_text("High")
    expect(case).to_contain_text("Follows her to work; texts at night.")
    expect(case).to_contain_text("John Smith")
    page.get_by_test_id("claim").click()

    page.wait_for_url(re.compile(r"/workspace/tasks/\d+/$"))
    # Pre-set from the case: high risk, stalking.
    expect(page.get_by_label("High")).to_be_checked()
    expect(page.get_by_label("Yes, stalking")).to_be_checked()
    expect(page.get_by_text("Why is this not stalking?")).to_be_visible()
    page.get_by_label("Decline (a supervisor must approve it)").check()
    page.get_by_label("No, something else").check()
    page.get_by_test_id("complete-task").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: Triage")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_text("Reason: A decline needs a written reason.")
    expect(links.nth(1)).to_have_text("Why is this not stalking?: Say why this is not stalking.")
    links.nth(1).click()
    expect(page.get_by_label("Why is this not stalking?")).to_be_focused()

    page.get_by_label("Reason", exact=True).fill("A dispute between neighbours.")
    page.get_by_label("Why is this not stalking?").fill("Two contacts about parking.")
    page.get_by_test_id("complete-task").click()
    page.wait_for_url(re.compile(r"/workspace/tasks/$"))
    expect(page.get_by_test_id("messages")).to_contain_text("is done.")


def test_a_supervisor_reassigns_by_choosing_a_member(cases, seeded, sign_in, page, live_server):
    chair = seeded["hub.chair"].user
    chair.first_name, chair.last_name = "Charlotte", "Chair"
    chair.save(update_fields=["first_name", "last_name"])
    sign_in(page, "hub.supervisor")
    page.goto(f"{live_server.url}/workspace/tasks/?scope=queue")
    page.get_by_test_id("task-row").filter(has_text=cases["zoe"]).get_by_test_id(
        "task-link"
    ).click()
    page.wait_for_url(re.compile(r"/workspace/tasks/\d+/$"))
    page.get_by_label("Give it to").select_option(label="Charlotte Chair \u2014 Conference chair")
    page.get_by_test_id("reassign").click()
    expect(page.get_by_test_id("messages")).to_contain_text("The task is now with Charlotte Chair.")
    expect(page.get_by_test_id("task-owner")).to_contain_text("Charlotte Chair")


def test_the_pages_pass_axe_and_fit_a_phone(cases, seeded, sign_in, page, live_server):
    task = AgencyTask.objects.filter(task_type="triage", is_open=True).order_by("pk").first()
    pages = {
        "hub.caseworker": [
            "/workspace/tasks/?scope=queue",
            "/workspace/tasks/?scope=queue&risk_level=extreme",  # with an error summary
            f"/workspace/tasks/{task.pk}/",
            "/workspace/referrals/",
            "/workspace/referrals/?q=Smith&sort=risk",
            "/workspace/audit/",
        ],
        "oversight.auditor": ["/workspace/audit/", "/workspace/audit/?case=STK-1999-000001"],
    }
    problems = []
    for username, urls in pages.items():
        page.context.clear_cookies()
        sign_in(page, username)
        for url in urls:
            for viewport in ({"width": 1280, "height": 900}, PHONE):
                page.set_viewport_size(viewport)
                page.goto(f"{live_server.url}{url}")
                expect(page.locator("h1")).to_have_count(1)
                problems += [f"{username} {url} {viewport['width']}: {v}"
                             for v in serious_violations(page)]
                if viewport == PHONE and page_width(page) > PHONE["width"]:
                    problems.append(f"{username} {url}: {page_width(page)} px wide at 390")
    assert not problems, "\n".join(problems)
