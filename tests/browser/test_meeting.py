"""Two people from different agencies in one live meeting, in real browsers, on a live daphne."""

import pytest
from playwright.sync_api import expect

from tests.conferences.conftest import acknowledged, meeting, submit_case  # noqa: F401
from tests.conferences.live import Server
from tests.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server():
    started = Server()
    yield started
    started.stop()


def _sign_in(browser, server, username):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _in_the_meeting(browser, server, conference, *usernames):
    """Each member's page on the meeting, signed in and its socket live."""
    pages = []
    for username in usernames:
        page = _sign_in(browser, server, username)
        page.goto(f"{server.url}/workspace/conferences/{conference.pk}/")
        expect(page.get_by_test_id("connection")).to_have_text("live")
        pages.append(page)
    return pages


def test_notes_appear_live_and_restricted_ones_do_not(browser, server, acknowledged):  # noqa: F811
    police, cps = _in_the_meeting(browser, server, acknowledged,
                                  "police.caseworker", "cps.caseworker")

    police.get_by_test_id("note-text").fill("Suspect seen outside the school on Monday")
    police.get_by_test_id("add-note").click()
    expect(cps.get_by_test_id("notes")).to_contain_text("Suspect seen outside the school")

    police.get_by_test_id("note-text").fill("Refuge address for advocacy only")
    police.get_by_test_id("restrict").check()
    police.get_by_test_id("only-advocacy").check()
    police.get_by_test_id("add-note").click()
    expect(police.get_by_test_id("notes")).to_contain_text("Refuge address for advocacy only")
    # A third, open note proves the CPS page is still receiving ...
    police.check("input[value=all]")
    police.get_by_test_id("note-text").fill("Next review in four weeks")
    police.get_by_test_id("add-note").click()
    expect(cps.get_by_test_id("notes")).to_contain_text("Next review in four weeks")
    # ... and never got the restricted one, not even after a reload and resync.
    expect(cps.get_by_test_id("notes")).not_to_contain_text("Refuge address")
    cps.reload()
    expect(cps.get_by_test_id("connection")).to_have_text("live")
    expect(cps.get_by_test_id("notes")).to_contain_text("Next review in four weeks")
    expect(cps.get_by_test_id("notes")).not_to_contain_text("Refuge address")
    expect(cps.get_by_test_id("presence")).to_contain_text(
        "Police Caseworker (Police Public Protection Unit)"
    )


def test_an_author_corrects_a_note_and_every_screen_shows_it(browser, server, acknowledged):  # noqa: F811
    police, cps = _in_the_meeting(browser, server, acknowledged,
                                  "police.caseworker", "cps.caseworker")
    police.get_by_test_id("note-text").fill("Suspect seen on Munday")
    police.get_by_test_id("add-note").click()
    expect(cps.get_by_test_id("notes")).to_contain_text("Suspect seen on Munday")
    # Only the author is offered the edit.
    expect(cps.get_by_test_id("edit-note")).to_have_count(0)

    police.get_by_test_id("edit-note").click()
    police.get_by_label("Your note 1").fill("Suspect seen on Monday")
    police.get_by_test_id("save-note").click()
    for page in (police, cps):
        expect(page.get_by_test_id("notes")).to_contain_text("Suspect seen on Monday")
        expect(page.get_by_test_id("notes")).to_contain_text("edited")
        expect(page.get_by_test_id("notes")).not_to_contain_text("Munday")


def test_the_chair_moves_and_every_screen_follows(browser, server, acknowledged):  # noqa: F811
    chair, police = _in_the_meeting(browser, server, acknowledged, "hub.chair", "police.caseworker")
    chair.click("[data-chair=start]")
    expect(police.get_by_test_id("status")).to_have_text("In session")
    first, second = [i.referral.reference for i in acknowledged.agenda.order_by("position")]
    expect(police.get_by_test_id("current-case")).to_contain_text(first)
    chair.click("[data-chair=next]")
    expect(police.get_by_test_id("current-case")).to_contain_text(second)
    chair.screenshot(path="/tmp/meeting-chair.png", full_page=True)


def test_unacknowledged_sees_the_statement_first(browser, server, meeting):  # noqa: F811
    page = _sign_in(browser, server, "probation.caseworker")
    page.goto(f"{server.url}/workspace/conferences/{meeting.pk}/")
    expect(page.get_by_test_id("confidentiality")).to_contain_text("confidential")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("connection")).to_have_text("live")


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_chair_records_a_decision_and_an_action_once(browser, server, acknowledged):  # noqa: F811
    from conferences.models import ConferenceAction, Decision
    from workflows.models import AgencyTask

    chair = _sign_in(browser, server, "hub.chair")
    errors = _errors(chair)
    chair.goto(f"{server.url}/workspace/conferences/{acknowledged.pk}/")
    expect(chair.get_by_test_id("connection")).to_have_text("live")
    chair.click("[data-chair=start]")
    first = acknowledged.agenda.order_by("position")[0]
    expect(chair.get_by_test_id("current-case")).to_contain_text(first.referral.reference)

    decision = chair.locator("#decision-form")
    decision.locator("input[name=text]").fill("Apply for a Stalking Protection Order")
    decision.locator("input[name=reason]").fill("Escalating; breaches of bail.")
    decision.locator("button[type=submit]").dblclick()
    expect(chair.get_by_test_id("record-message")).to_have_text(
        "Decision saved: Apply for a Stalking Protection Order"
    )
    expect(decision.locator("input[name=text]")).to_have_value("")
    expect(decision.locator("input[name=reason]")).to_have_value("")
    expect(decision.locator("button[type=submit]")).to_be_enabled()

    action = chair.locator("#action-form")
    action.locator("select[name=agency]").select_option("police")
    action.locator("input[name=description]").fill("Apply for an SPO")
    action.locator("input[name=due]").fill("2030-01-31")
    action.locator("button[type=submit]").dblclick()
    expect(chair.get_by_test_id("record-message")).to_have_text(
        "Action saved for Police Public Protection Unit: Apply for an SPO (due 2030-01-31)"
    )
    expect(action.locator("input[name=description]")).to_have_value("")

    # A second decision is a new submission with a key of its own.
    decision.locator("input[name=text]").fill("Refer to the FTAC")
    decision.locator("input[name=reason]").fill("Fixation on the victim.")
    decision.locator("button[type=submit]").click()
    expect(chair.get_by_test_id("record-message")).to_have_text(
        "Decision saved: Refer to the FTAC"
    )
    assert errors == []
    decisions = list(Decision.objects.filter(item=first).order_by("id"))
    assert [d.text for d in decisions] == [
        "Apply for a Stalking Protection Order", "Refer to the FTAC"
    ]
    assert decisions[0].client_id and decisions[0].client_id != decisions[1].client_id
    assert ConferenceAction.objects.filter(item=first).count() == 1
    assert AgencyTask.objects.filter(task_type="action").count() == 1


def test_a_restriction_is_for_one_note_only(browser, server, acknowledged):  # noqa: F811
    from conferences.models import Note

    police = _sign_in(browser, server, "police.caseworker")
    errors = _errors(police)
    police.goto(f"{server.url}/workspace/conferences/{acknowledged.pk}/")
    expect(police.get_by_test_id("connection")).to_have_text("live")

    police.get_by_test_id("note-text").fill("Refuge address for advocacy only")
    police.get_by_test_id("restrict").check()
    police.get_by_test_id("only-advocacy").check()
    police.get_by_test_id("add-note").click()
    expect(police.get_by_test_id("notes")).to_contain_text(
        "only Stalking Advocacy Service, Police Public Protection Unit"
    )
    expect(police.get_by_test_id("restrict")).not_to_be_checked()
    expect(police.get_by_test_id("only-advocacy")).not_to_be_checked()

    police.get_by_test_id("note-text").fill("Next review in four weeks")
    police.get_by_test_id("add-note").click()
    # Stored and echoed (numbered), not just shown as sending.
    expect(police.locator('#notes li[data-seq="2"]')).to_contain_text("Next review in four weeks")
    notes = {n.text: n.visible_to for n in Note.objects.filter(conference=acknowledged)}
    assert notes == {
        "Refuge address for advocacy only": ["advocacy", "police"],
        "Next review in four weeks": None,
    }
    assert errors == []
