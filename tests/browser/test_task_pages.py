import re

import pytest
from playwright.sync_api import expect

from tests.referral.factories import answers, payload

pytestmark = [pytest.mark.browser]


def refer_case(api, seeded) -> dict:
    """police.caseworker refers a case through the API: a triage task lands in the hub's queue."""
    body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})
    response = api(seeded["police.caseworker"].user).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_hub_claims_and_completes_triage(seeded, api, sign_in, page, live_server):
    case = refer_case(api, seeded)
    sign_in(page, "hub.caseworker")

    page.goto(f"{live_server.url}/workspace/tasks/")
    expect(page.get_by_test_id("no-tasks")).to_be_visible()
    page.get_by_test_id("tab-queue").click()
    page.wait_for_url(re.compile(r"/workspace/tasks/\?scope=queue$"))
    row = page.get_by_test_id("task-row").filter(has_text=case["reference"])
    expect(row).to_contain_text("Triage")
    row.get_by_test_id("claim").click()

    page.wait_for_url(re.compile(r"/workspace/tasks/\d+/$"))
    expect(page.get_by_test_id("messages")).to_contain_text("You have claimed Triage")
    expect(page.get_by_test_id("task-owner")).to_have_text("Hub Caseworker")
    expect(page.get_by_test_id("form-title")).to_have_text("Triage the referral")
    page.check("input[name=decision][value=accept]")
    page.check("input[name=risk_level][value=high]")
    page.get_by_test_id("complete-task").click()

    page.wait_for_url(re.compile(r"/workspace/tasks/$"))
    expect(page.get_by_test_id("messages")).to_contain_text(
        f"Triage on {case['reference']} is done."
    )
    expect(page.get_by_test_id("tab-mine")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("task-row").filter(has_text=case["reference"])).to_have_count(0)
    expect(page.get_by_test_id("no-tasks")).to_be_visible()


def test_a_bad_form_keeps_the_input_and_shows_the_error(seeded, api, sign_in, page, live_server):
    case = refer_case(api, seeded)
    sign_in(page, "hub.caseworker")
    page.goto(f"{live_server.url}/workspace/tasks/?scope=queue")
    page.get_by_test_id("task-row").filter(has_text=case["reference"]).get_by_test_id(
        "claim"
    ).click()
    page.wait_for_url(re.compile(r"/workspace/tasks/\d+/$"))
    page.check("input[name=decision][value=decline]")
    page.check("input[name=risk_level][value=standard]")
    page.get_by_test_id("complete-task").click()

    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.get_by_test_id("error-reason")).to_have_text("A decline needs a written reason.")
    expect(page.locator("input[name=decision][value=decline]")).to_be_checked()
    page.fill("textarea[name=reason]", "Not stalking: a single dispute between neighbours.")
    page.get_by_test_id("complete-task").click()
    page.wait_for_url(re.compile(r"/workspace/tasks/$"))
    expect(page.get_by_test_id("messages")).to_contain_text("is done.")


def test_a_supervisor_approves_a_lower_risk_on_its_page(seeded, api, sign_in, page, live_server):
    body = payload(
        screening={"instrument": "stalking-screen-v1", "answers": answers(7)},
        risk_level="standard",
        risk_reason="Suspect emigrated in May; verified.",
    )
    response = api(seeded["police.caseworker"].user).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["risk_level"] == "high"
    sign_in(page, "police.supervisor")
    page.goto(f"{live_server.url}/workspace/tasks/?scope=queue")
    row = page.get_by_test_id("task-row").filter(has_text=case["reference"])
    expect(row).to_contain_text("Approve a lower risk level")
    row.get_by_test_id("claim").click()

    page.wait_for_url(re.compile(r"/workspace/tasks/\d+/$"))
    context = page.get_by_test_id("task-context")
    expect(context).to_contain_text("Suspect emigrated in May; verified.")
    expect(context).to_contain_text("Proposed by")
    expect(context).to_contain_text("Police Caseworker")
    expect(context).to_contain_text("Very frightened: Yes")
    expect(page.get_by_test_id("form-title")).to_have_text(
        "Approve or refuse the lower risk level"
    )
    page.check("input[name=approved][value=yes]")
    page.get_by_test_id("complete-task").click()
    expect(page.get_by_test_id("error-reason")).to_be_visible()
    page.fill("textarea[name=reason]", "Checked with the force abroad.")
    page.get_by_test_id("complete-task").click()
    page.wait_for_url(re.compile(r"/workspace/tasks/$"))
    expect(page.get_by_test_id("messages")).to_contain_text("is done.")
