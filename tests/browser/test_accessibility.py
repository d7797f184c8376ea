"""The accessibility harness: every page each demo role can reach, audited in Chromium.

For each (role, page): no serious or critical axe-core violation, no wider than 390 px at a
390 px viewport, a title of its own ("<Page> · Concord") and exactly one h1. `make test-browser`
audits each page once; `make test-slow` audits it as each other role that reaches it. The first
role to visit a page writes its full-page screenshots at desktop (1280 px) and phone (390 px)
width to var/screenshots/<page>-desktop.png and <page>-phone.png.

The pages' data (two referrals in the hub's queue, one of them claimed, a meeting with both on
its agenda, an agency administrator) is made once for the module and served by a live server of
the module's own: a server per test would empty and rebuild the database for each of some
seventy cases. The module empties the tables when it ends, as a transactional test does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer
from rest_framework.test import APIClient

from agencies.models import Role
from agencies.services import member_create
from conferences.services import agenda_add, conference_acknowledge, conference_create
from referral.models import Referral
from tests import conftest as root_conftest
from tests.browser.conftest import DESKTOP, PHONE
from tests.evidence.files import png
from tests.referral.factories import answers, payload
from tests.seed import DEMO_PASSWORD, seed, seeded_demo
from tests.tokens import token_for
from workflows import services as flow
from workflows.models import AgencyTask

# Marked for the database only so that the test database is built; each test reads the
# module's committed data through the module's server.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

CASEWORKER, SUPERVISOR, CHAIR, AUDITOR, ADMIN = (
    "hub.caseworker",
    "hub.supervisor",
    "hub.chair",
    "oversight.auditor",
    "hub.admin",
)
ANONYMOUS = None

# page name -> (path, with {case}, {task}, {meeting} filled in; the status it answers)
PAGES: dict[str, tuple[str, int]] = {
    "home": ("/workspace/home/", 200),
    "my-access": ("/workspace/access/", 200),
    "referrals": ("/workspace/referrals/", 200),
    "case": ("/workspace/referrals/{case}/", 200),
    "evidence-new": ("/workspace/referrals/{case}/evidence/new/", 200),
    "evidence-file": ("/workspace/referrals/{case}/evidence/{evidence}/", 200),
    "new-referral": ("/workspace/referrals/new/", 200),
    "inbox-mine": ("/workspace/tasks/", 200),
    "inbox-queue": ("/workspace/tasks/?scope=queue", 200),
    "inbox-overdue": ("/workspace/tasks/?scope=overdue", 200),
    "task": ("/workspace/tasks/{task}/", 200),
    "notifications": ("/workspace/tasks/notifications/", 200),
    "meetings": ("/workspace/conferences/", 200),
    "meeting": ("/workspace/conferences/{meeting}/", 200),
    "minutes": ("/workspace/conferences/{meeting}/minutes/", 200),
    "trail": ("/workspace/audit/", 200),
    "case-trail": ("/workspace/audit/referrals/{case}/", 200),
    "access-report": ("/workspace/audit/access/", 200),
    "outcome-reports": ("/workspace/reports/", 200),
    "outcome-report": ("/workspace/reports/funnel/", 200),
    "api-tokens": ("/workspace/home/api-tokens/", 200),
    "members": ("/members/", 200),
    "login": ("/accounts/login/", 200),
    "403": ("/workspace/audit/", 403),
    "404": ("/no-such-page/", 404),
}

# Who visits what: every page a role can reach. The first role listed for a page takes its
# screenshots.
VISITS: dict[str | None, list[str]] = {
    CASEWORKER: [
        "home", "my-access", "referrals", "case", "evidence-new", "evidence-file",
        "new-referral", "inbox-mine", "inbox-queue", "inbox-overdue", "task", "notifications",
        "meetings", "meeting", "minutes", "trail", "case-trail", "api-tokens",
    ],
    SUPERVISOR: [
        "home", "my-access", "referrals", "case", "inbox-mine", "inbox-queue", "inbox-overdue",
        "notifications", "meetings", "meeting", "trail", "outcome-reports", "outcome-report",
    ],
    CHAIR: [
        "home", "my-access", "referrals", "case", "new-referral", "inbox-mine", "meetings",
        "meeting", "minutes", "trail",
    ],
    AUDITOR: [
        "home", "my-access", "trail", "case-trail", "access-report", "outcome-reports",
        "outcome-report", "api-tokens",
    ],
    ADMIN: ["home", "my-access", "members", "api-tokens", "403"],
    ANONYMOUS: ["login", "404"],
}

SCREENSHOT_ROLE = {}
for _role, _pages in VISITS.items():
    for _name in _pages:
        SCREENSHOT_ROLE.setdefault(_name, _role)


def _cases():
    """Every (role, page). `make test-browser` audits each page once, as the role that takes
    its screenshots; the other roles' visits of it are marked slow (`make test-slow`)."""
    for role, pages in VISITS.items():
        for name in pages:
            marks = () if SCREENSHOT_ROLE[name] == role else (pytest.mark.slow,)
            yield pytest.param(role, name, id=f"{role or 'anonymous'}-{name}", marks=marks)


def build_world() -> dict:
    """What the pages show: committed, for the module's server."""
    demo = seeded_demo()
    police = APIClient()
    police.credentials(HTTP_AUTHORIZATION=f"Token {token_for(demo['police.caseworker'].user)}")
    cases = []
    for n, (victim, suspect) in enumerate(
        [("Alice Example", "Bob Sample"), ("Carol Example", "Dan Sample")]
    ):
        body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(7 - n)})
        body["victim"]["name"], body["suspect"]["name"] = victim, suspect
        body["suspect"]["aliases"] = []
        response = police.post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        cases.append(response.json()["id"])
    caseworker = demo[CASEWORKER].user
    triage = AgencyTask.objects.filter(referral_id=cases[0], task_type="triage").get()
    flow.task_claim(actor=caseworker, task_id=triage.pk)

    chair = demo[CHAIR].user
    invited = [demo[f"{slug}.caseworker"].agency for slug in ("police", "cps", "advocacy")]
    meeting = conference_create(
        actor=chair, title="Leeds MASC", starts_at=timezone.now() + timezone.timedelta(days=1),
        invited=invited,
    )

    for case in cases:
        agenda_add(referral=Referral.objects.get(pk=case), conference_id=meeting.pk, actor=chair)
    for username in (CASEWORKER, SUPERVISOR, CHAIR):
        conference_acknowledge(actor=demo[username].user, conference=meeting)

    admin = member_create(
        agency=demo[CASEWORKER].agency, username=ADMIN, password=DEMO_PASSWORD,
        roles=[Role.ADMIN], first_name="Hub", last_name="Admin",
    )
    admin.demo_account = True  # signs in with the password alone, as the demo accounts do
    admin.save(update_fields=["demo_account"])
    token_for(demo[AUDITOR].user)  # an API sign-in to end on the page
    evidence = police.post(f"/api/v1/referrals/{cases[0]}/evidence/", {
        "file": SimpleUploadedFile("doorbell-camera-2025-10-04-0214.png", png(),
                                   content_type="image/png"),
        "description": "The doorbell camera at 02:14: the suspect at the door.",
    }, format="multipart")
    assert evidence.status_code == 201, evidence.content
    return {"case": cases[0], "task": triage.pk, "meeting": meeting.pk,
            "evidence": evidence.json()["id"]}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The module's live server over the module's data (its evidence files in a directory of
    the module's own); the tables emptied afterwards."""
    storages = override_settings(STORAGES={**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("evidence"))},
    }}, CLAMAV_SOCKET="", CLAMAV_HOST="")
    with django_db_blocker.unblock(), storages:
        if root_conftest._Seed.emptied:
            seed()
            root_conftest._Seed.emptied = False
        server = LiveServer("localhost:0")
        server._live_server_modified_settings.enable()
        try:
            world = build_world()
            yield server.url, world
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", verbosity=0, interactive=False)
            root_conftest._Seed.emptied = True


@pytest.fixture(scope="module")
def signed_in(site, browser):
    """Each role's signed-in browser state (its session cookie), made once."""
    url, _ = site
    states = {ANONYMOUS: None}
    for role in VISITS:
        if role is ANONYMOUS:
            continue
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        states[role] = context.storage_state()
        context.close()
    return states


TITLES: dict[str, tuple[str, str]] = {}  # title -> (page name, role) that first had it


@pytest.mark.parametrize(("role", "name"), list(_cases()))
def test_page_is_accessible(role, name, site, signed_in, browser, axe_check, phone_width):
    url, world = site
    path, status = PAGES[name]
    context = browser.new_context(storage_state=signed_in[role], viewport=DESKTOP)
    try:
        page = context.new_page()
        response = page.goto(url + path.format(**world))
        assert response.status == status, f"{name} as {role}: {response.status}"
        page.wait_for_load_state("networkidle")

        title = page.title()
        assert title.endswith(" · Concord") and title != "Concord", title
        first = TITLES.setdefault(title, (name, role))
        assert first[0] == name, f"{name} has the title of {first[0]}: {title!r}"
        assert page.locator("h1").count() == 1, f"{name}: {page.locator('h1').all_inner_texts()}"

        axe_check(page)
        if SCREENSHOT_ROLE[name] == role:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
        phone_width(page)
        if SCREENSHOT_ROLE[name] == role:
            page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    finally:
        context.close()


# --- The shell ---------------------------------------------------------------------------------


def _page(browser, signed_in, role, **kwargs):
    return browser.new_context(storage_state=signed_in[role], **kwargs)


def test_the_skip_link_is_first_and_leads_to_the_main_content(site, signed_in, browser):
    url, _ = site
    context = _page(browser, signed_in, CASEWORKER)
    page = context.new_page()
    page.goto(f"{url}/workspace/home/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    context.close()


def test_keyboard_focus_is_visible_on_buttons_links_and_controls(site, signed_in, browser):
    url, _ = site
    context = _page(browser, signed_in, CASEWORKER)
    page = context.new_page()
    page.goto(f"{url}/workspace/referrals/new/")
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
                        style: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow,
                        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                        shadow: s.boxShadow !== 'none'}; }"""
        )
        if info["tag"] == "body":
            continue
        assert info["outline"] or info["shadow"], f"no visible focus on {info}"
        seen.add(info["tag"])
    assert {"a", "button", "input"} <= seen, seen
    context.close()


def test_the_apps_own_font_on_home_and_on_the_login_error(site, signed_in, browser):
    url, _ = site
    font = "() => getComputedStyle(document.querySelector('{}')).fontFamily"
    context = _page(browser, signed_in, CASEWORKER)
    page = context.new_page()
    page.goto(f"{url}/workspace/home/")
    assert page.evaluate(font.format("main p")).startswith("Roboto")
    context.close()

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", CASEWORKER)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("enter a correct username and password")
    for selector in (".concord-error-summary li", "label[for=id_username]", "h1"):
        assert page.evaluate(font.format(selector)).startswith("Roboto"), selector
    context.close()


def test_the_login_error_is_summarised_focused_and_in_the_title(site, browser):
    url, _ = site
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", CASEWORKER)
    page.click("button[type=submit]")
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    assert page.title() == "Error: Sign in · Concord"
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_password")).to_be_focused()
    # The error does not overlap its label: the label ends above the field's error message.
    label = page.locator("label[for=id_password]").bounding_box()
    message = page.locator(".concord-error-message").first.bounding_box()
    assert label["y"] + label["height"] <= message["y"] + 0.5
    context.close()


def test_a_success_is_told_once(site, signed_in, browser):
    """Ending API sign-ins: one message at the top of the page, and no toast beside it."""
    url, _ = site
    context = _page(browser, signed_in, AUDITOR)
    page = context.new_page()
    page.goto(f"{url}/workspace/home/api-tokens/")
    page.get_by_test_id("revoke-all-tokens").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("messages")).to_have_count(1)
    expect(page.locator(".concord-message")).to_have_count(1)
    expect(page.locator(".concord-message")).to_contain_text("Ended 1 API sign-in")
    expect(page.locator("vf-snackbar, .mdc-snackbar")).to_have_count(0)
    context.close()


def test_the_403_page_says_what_happened_and_offers_the_way_back(site, signed_in, browser):
    url, _ = site
    context = _page(browser, signed_in, ADMIN)
    page = context.new_page()
    response = page.goto(f"{url}/workspace/audit/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You may not do this")
    expect(page.locator("main")).to_contain_text("Your agency and role do not allow")
    page.get_by_test_id("error-home").click()
    page.wait_for_url(lambda u: "/workspace/" in u and "audit" not in u)
    expect(page.locator("h1")).to_have_text("My work")
    context.close()
