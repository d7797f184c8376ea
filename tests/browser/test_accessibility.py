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

from agencies.models import AgencyKind, Role, SharingAgreement
from agencies.services import DEMO_AGREEMENT_TITLE, member_create
from conferences.services import agenda_add, conference_acknowledge, conference_create
from privacy.models import RetentionReview, RetentionSchedule
from privacy.services import legal_hold_place, retention_sweep
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from tests import conftest as root_conftest
from tests.agencies.factories import AgencyFactory
from tests.browser.conftest import DESKTOP, PHONE
from tests.evidence.files import png
from tests.privacy.factories import bare_case, years_on
from tests.referral.factories import answers, payload
from tests.seed import DEMO_PASSWORD, seed, seeded_demo
from tests.tokens import token_for
from workflows import services as flow
from workflows.models import AgencyTask

# Marked for the database only so that the test database is built; each test reads the
# module's committed data through the module's server.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

CASEWORKER, SUPERVISOR, CHAIR, AUDITOR, ADMIN, DPO = (
    "hub.caseworker",
    "hub.supervisor",
    "hub.chair",
    "oversight.auditor",
    "hub.admin",
    "hub.dpo",
)
ANONYMOUS = None

# page name -> (path, with build_world's ids filled in; the status it answers)
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
    "agreements": ("/workspace/sharing/", 200),
    "agreement": ("/workspace/sharing/{agreement}/", 200),
    "agreement-new": ("/workspace/sharing/new/", 200),
    "agreement-edit": ("/workspace/sharing/{agreement}/edit/", 200),
    "case-sharing": ("/workspace/referrals/{case}/sharing/", 200),
    "share-new": ("/workspace/referrals/{case}/sharing/new/", 200),
    "retention-reviews": ("/workspace/retention/", 200),
    "retention-review": ("/workspace/retention/reviews/{review}/", 200),
    "retention-schedules": ("/workspace/retention/schedules/", 200),
    "retention-schedule-new": ("/workspace/retention/schedules/new/", 200),
    "retention-schedule-edit": ("/workspace/retention/schedules/{schedule}/edit/", 200),
    "legal-hold-new": ("/workspace/retention/referrals/{case}/legal-holds/new/", 200),
    "legal-hold-lift": ("/workspace/retention/legal-holds/{hold}/lift/", 200),
    "subject-access": ("/workspace/subject-access/", 200),
    "subject-access-new": ("/workspace/subject-access/new/", 200),
    "subject-access-request": ("/workspace/subject-access/{request}/", 200),
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
        "agreements", "agreement", "agreement-new", "agreement-edit", "case-sharing",
        "share-new", "retention-reviews", "retention-review", "retention-schedules",
        "legal-hold-new", "legal-hold-lift",
    ],
    CHAIR: [
        "home", "my-access", "referrals", "case", "new-referral", "inbox-mine", "meetings",
        "meeting", "minutes", "trail",
    ],
    AUDITOR: [
        "home", "my-access", "trail", "case-trail", "access-report", "outcome-reports",
        "outcome-report", "api-tokens", "agreements", "agreement", "case-sharing",
        "retention-reviews", "retention-review", "retention-schedules",
    ],
    ADMIN: [
        "home", "my-access", "members", "api-tokens", "403", "retention-schedule-new",
        "retention-schedule-edit", "retention-schedules", "agreements",
    ],
    DPO: ["home", "subject-access", "subject-access-new", "subject-access-request"],
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
            "evidence": evidence.json()["id"], **data_protection_world(demo, cases[0])}


def data_protection_world(demo, case_id: int) -> dict:
    """What the data-protection pages show: the demo agreement and a schedule; a disclosure of
    the case to an agency no agreement covers, awaiting its reason; a legal hold on the case; a
    closed case past its schedule, under review; and the DPO's request for the suspect's data."""
    case = Referral.objects.get(pk=case_id)
    supervisor = demo[SUPERVISOR]
    uncovered = AgencyFactory(
        kind=AgencyKind.PROBATION, slug="probation-east", name="East Probation"
    )
    involvement_grant(
        referral=case, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    hold = legal_hold_place(
        referral=case, actor=supervisor.user, membership=supervisor, reason="Inquest opened."
    )
    closed = bare_case(demo)
    retention_sweep(today=years_on(12))
    dpo = APIClient()
    dpo.credentials(HTTP_AUTHORIZATION=f"Token {token_for(demo[DPO].user)}")
    request = dpo.post("/api/v1/subject-access/", {
        "subject_role": "suspect", "name": "Bob Sample",
        "received_on": timezone.localdate().isoformat(),
    }, format="json")
    assert request.status_code == 201, request.content
    return {
        "agreement": SharingAgreement.objects.get(title=DEMO_AGREEMENT_TITLE).pk,
        "schedule": RetentionSchedule.objects.get(outcome="declined").pk,
        "review": RetentionReview.objects.get(referral=closed).pk,
        "hold": hold.pk,
        "request": request.json()["id"],
    }


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


# A form of the data-protection pages sent with a mistake: (role, page, the form, what to enter
# first as (selector, text), a radio checked where the text is None).
FORM_ERRORS: dict[str, tuple[str, str, str, tuple[tuple[str, str | None], ...]]] = {
    "agreement": (SUPERVISOR, "agreement-new", "[data-testid=agreement-form]", ()),
    "share": (SUPERVISOR, "share-new", "[data-testid=case-record-form]", ()),
    "authorise": (
        SUPERVISOR, "case-sharing", "[data-testid=authorise-form]", (("textarea", "because"),),
    ),
    "retention-decision": (
        SUPERVISOR, "retention-review", "[data-testid=decision-form]",
        (("input[value=defer]", None),),
    ),
    "retention-schedule": (ADMIN, "retention-schedule-new", "[data-testid=retention-form]", ()),
    "legal-hold": (SUPERVISOR, "legal-hold-new", "[data-testid=retention-form]", ()),
    "legal-hold-lift": (SUPERVISOR, "legal-hold-lift", "[data-testid=retention-form]", ()),
    "subject-access": (DPO, "subject-access-new", "[data-testid=sar-form]", ()),
    "subject-access-item": (
        DPO, "subject-access-request", "[data-testid=sar-item] form",
        (("input[value=redact]", None), ("textarea[name$=-redact]", "not in the record")),
    ),
}


@pytest.mark.parametrize("name", list(FORM_ERRORS))
def test_a_forms_errors_are_summarised_and_linked_to_their_fields(
    name, site, signed_in, browser, axe_check, phone_width
):
    """Sent with a mistake, the form comes back with nothing written: the error summary first,
    focused, each of its links leading to its field, and the page still passes the audit."""
    url, world = site
    role, page_name, form_selector, entries = FORM_ERRORS[name]
    context = browser.new_context(storage_state=signed_in[role], viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(url + PAGES[page_name][0].format(**world))
        form = page.locator(form_selector).first
        for selector, text in entries:
            field = form.locator(selector).first
            field.check() if text is None else field.fill(text)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("load")
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_focused()
        assert page.title().startswith("Error: "), page.title()
        targets = [link.get_attribute("href") for link in summary.get_by_role("link").all()]
        assert targets, f"{name}: the summary links to no field"
        for target in targets:
            assert page.locator(target).count() == 1, f"{name}: {target} is not one field"
        summary.get_by_role("link").first.click()
        assert page.evaluate("() => '#' + document.activeElement.id") == targets[0]
        axe_check(page)
        phone_width(page)
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
