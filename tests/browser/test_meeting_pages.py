"""A chair's day in Chromium, without the API: schedule a meeting, build its agenda, run it
with a second attendee watching live, close and sign with confirmation, add an addendum. Each
page is audited with axe-core and at a 390 px phone width."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from conferences.models import Conference, ConferenceAction, Decision, Note
from referral.access import involvement_grant
from referral.models import InvolvementBasis
from tests.conferences.conftest import submit_case  # noqa: F401
from tests.conferences.live import Server
from tests.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


@pytest.fixture
def server():
    started = Server()
    yield started
    started.stop()


@pytest.fixture
def hub_cases(demo, submit_case):  # noqa: F811
    """Two cases the hub may see (it holds a task on each)."""

    cases = [submit_case(n) for n in (1, 2)]
    for case in cases:
        involvement_grant(referral=case, agency=demo["hub.chair"].agency,
                          basis=InvolvementBasis.TASK, source="test")
    return cases


def _sign_in(browser, server, username):
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _audit(page, name: str) -> None:
    """No serious or critical axe-core violation, and nothing wider than a 390 px phone."""
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"] if v["impact"] in SERIOUS
    ]
    assert bad == [], f"{name}: {bad}"
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(150)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= 390, f"{name} is {width} px wide at 390 px"


def _buttons(page) -> dict[str, str]:
    """The chair's buttons: hidden, disabled or enabled."""
    states = {}
    for button in page.locator("button[data-chair]").all():
        what = button.get_attribute("data-chair")
        states[what] = (
            "hidden" if not button.is_visible()
            else "enabled" if button.is_enabled() else "disabled"
        )
    return states


def test_a_chairs_day_in_the_browser(browser, server, demo, hub_cases):
    first, second = (c.reference for c in hub_cases)
    chair = _sign_in(browser, server, "hub.chair")
    errors: list[str] = []
    chair.on("pageerror", lambda error: errors.append(str(error)))

    # Schedule it.
    chair.goto(f"{server.url}/workspace/conferences/")
    expect(chair).to_have_title("Case conferences · Concord")
    _audit(chair, "meeting list")
    chair.get_by_test_id("schedule").click()
    expect(chair).to_have_title("Schedule a meeting · Concord")
    chair.get_by_test_id("save-meeting").click()  # empty: the errors come first
    expect(chair).to_have_title("Error: Schedule a meeting · Concord")
    expect(chair.get_by_test_id("error-summary")).to_contain_text("Choose at least one agency")
    _audit(chair, "schedule page with errors")
    chair.get_by_label("Title").fill("Leeds MASC")
    when = timezone.localtime() + timedelta(hours=2)
    chair.get_by_label("Date and start time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    chair.get_by_label("Police Public Protection Unit").check()
    chair.get_by_label("Crown Prosecution Service").check()
    chair.get_by_test_id("save-meeting").click()
    expect(chair).to_have_title("Agenda of Leeds MASC · Concord")
    conference = Conference.objects.get(title="Leeds MASC")

    # Its agenda: two cases by reference, then the second first.
    for reference in (first, second):
        chair.get_by_label("Case reference").fill(reference)
        chair.get_by_test_id("add-case").click()
        expect(chair.get_by_test_id("messages")).to_contain_text(f"{reference} is on the agenda")
    expect(chair.get_by_test_id("agenda-item")).to_have_count(2)
    chair.get_by_test_id(f"up-{second}").click()
    expect(chair.get_by_test_id("agenda-item").first).to_contain_text(second)
    _audit(chair, "agenda page")

    # The meeting: the chair accepts the statement; a police caseworker joins.
    chair.get_by_test_id("to-meeting").click()
    chair.get_by_test_id("acknowledge").click()
    expect(chair.get_by_test_id("connection")).to_have_text("live")
    police = _sign_in(browser, server, "police.caseworker")
    police.goto(f"{server.url}/workspace/conferences/{conference.pk}/")
    police.get_by_test_id("acknowledge").click()
    expect(police.get_by_test_id("connection")).to_have_text("live")
    expect(chair.get_by_test_id("presence")).to_contain_text(
        "Police Caseworker (Police Public Protection Unit)"
    )
    assert _buttons(chair) == {"start": "enabled", "prev": "hidden", "next": "hidden",
                               "close-item": "hidden", "close": "hidden", "sign": "hidden"}
    expect(chair.locator("#record")).to_be_hidden()
    expect(police.get_by_test_id("chair-controls")).to_have_count(0)
    _audit(chair, "meeting page (scheduled)")

    chair.click("[data-chair=start]")
    expect(police.get_by_test_id("status")).to_have_text("In session")
    expect(police.get_by_test_id("current-case")).to_contain_text(second)
    expect(chair.locator("[data-chair=close]")).to_be_visible()
    assert _buttons(chair) == {"start": "hidden", "prev": "disabled", "next": "enabled",
                               "close-item": "enabled", "close": "enabled", "sign": "hidden"}
    expect(chair.locator("#record")).to_be_visible()
    _audit(chair, "meeting page (in session)")

    # A decision and an action on the case being heard: the police screen shows them live.
    chair.get_by_label("Decision", exact=True).fill("Apply for a Stalking Protection Order")
    chair.get_by_label("Reason").fill("Escalating; breaches of bail.")
    chair.get_by_role("button", name="Record decision").click()
    expect(police.get_by_test_id("recorded")).to_contain_text(
        "Decision: Apply for a Stalking Protection Order"
    )
    chair.get_by_label("Agency responsible").select_option(label="Police Public Protection Unit")
    chair.get_by_label("Action", exact=True).fill("Apply for an SPO")
    chair.get_by_label("Due by").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    chair.get_by_role("button", name="Record action").click()
    expect(police.get_by_test_id("recorded")).to_contain_text(
        "Action for Police Public Protection Unit: Apply for an SPO"
    )
    expect(chair.get_by_test_id("record-message")).to_contain_text(
        "Action saved for Police Public Protection Unit"
    )

    # The case is heard: its forms go; then the next case.
    chair.click("[data-chair=close-item]")
    expect(chair.locator("#record")).to_be_hidden()
    expect(chair.locator("[data-chair=close-item]")).to_be_disabled()
    chair.click("[data-chair=next]")
    expect(police.get_by_test_id("current-case")).to_contain_text(first)
    expect(chair.locator("[data-chair=next]")).to_be_disabled()
    expect(chair.locator("[data-chair=prev]")).to_be_enabled()

    # Closing asks first: going back changes nothing; confirming closes.
    chair.click("[data-chair=close]")
    dialog = chair.get_by_test_id("confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Close the meeting?")
    _audit(chair, "close confirmation")
    chair.get_by_test_id("confirm-no").click()
    expect(dialog).to_be_hidden()
    assert Conference.objects.get(pk=conference.pk).status == "in_session"
    chair.click("[data-chair=close]")
    chair.get_by_test_id("confirm-yes").click()
    expect(police.get_by_test_id("status")).to_have_text("Closed")
    expect(chair.locator("[data-chair=sign]")).to_be_enabled()
    assert _buttons(chair) == {"start": "hidden", "prev": "hidden", "next": "hidden",
                               "close-item": "hidden", "close": "hidden", "sign": "enabled"}
    expect(chair.locator("#record")).to_be_hidden()

    # Signing asks first too.
    chair.click("[data-chair=sign]")
    expect(chair.get_by_test_id("confirm")).to_contain_text("Sign the minutes?")
    chair.get_by_test_id("confirm-yes").click()
    expect(police.get_by_test_id("status")).to_have_text("Minutes signed")
    expect(police.get_by_test_id("notes-locked")).to_be_visible()
    expect(police.locator("#note-form")).to_be_hidden()
    assert set(_buttons(chair).values()) == {"hidden"}
    chair.reload()
    expect(chair.locator("#record")).to_have_count(0)  # never after signing
    expect(chair.get_by_test_id("connection")).to_have_text("live")  # the page has settled

    # The minutes: when it was held, who by name and agency; then an addendum.
    chair.get_by_test_id("minutes-link").click()
    chair.wait_for_url(f"**/conferences/{conference.pk}/minutes/", timeout=15_000)
    expect(chair).to_have_title("Minutes of Leeds MASC · Concord")
    held = timezone.localtime(Conference.objects.get(pk=conference.pk).started_at)
    expect(chair.get_by_test_id("held")).to_contain_text(f"from {held:%H:%M}")
    expect(chair.get_by_test_id("attendance")).to_contain_text(
        "Police Caseworker, Police Public Protection Unit"
    )
    expect(chair.get_by_test_id("attendance")).not_to_contain_text("police.caseworker")
    _audit(chair, "minutes page")
    chair.get_by_label("What it is about").select_option(label=f"1. {second}")
    chair.get_by_role("textbox", name="Addendum").fill("The SPO hearing is listed for 3 March.")
    chair.get_by_test_id("add-addendum").click()
    expect(chair.get_by_test_id("addendum")).to_contain_text("The SPO hearing is listed")
    police.goto(f"{server.url}/workspace/conferences/{conference.pk}/minutes/")
    expect(police.get_by_test_id("addendum")).to_contain_text(
        "Hub Chair, Stalking Multi-Agency Hub"
    )

    assert [d.text for d in Decision.objects.all()] == ["Apply for a Stalking Protection Order"]
    assert ConferenceAction.objects.get().agency.slug == "police"
    assert Note.objects.get(is_addendum=True).agenda_item.referral.reference == second
    assert errors == []
