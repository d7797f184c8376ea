import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.seed import DEMO_PASSWORD, seeded_demo

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def seeded(transactional_db):
    """The demo accounts, committed: the live server's connections see them."""
    return seeded_demo()


@pytest.fixture
def sign_in(live_server):
    def do(page, username):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return do


# --- Shared checks of a page: axe-core, and the width at a phone's -----------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
AXE_FAILING_IMPACTS = ("serious", "critical")


def _axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    """axe-core as vendored by axe-playwright-python (no network)."""
    return Axe()


@pytest.fixture
def axe_check(axe):
    """axe_check(page): the page as it is now has no serious or critical axe-core violation."""

    def check(page, *, context=None) -> None:
        results = axe.run(page, context=context)
        failing = [
            v for v in results.response["violations"] if v.get("impact") in AXE_FAILING_IMPACTS
        ]
        assert not failing, f"axe-core on {page.url}:\n{_axe_report(failing)}"

    return check


@pytest.fixture
def phone_width():
    """phone_width(page): at a 390 px wide viewport the document is no wider than 390 px (no
    horizontal scroll). Leaves the viewport at that width."""
    def check(page) -> None:
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(50)
        width = page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
        if width > PHONE["width"]:
            culprits = page.evaluate(
                """(limit) => Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > limit + 0.5)
                    .filter(e => !e.closest('[hidden], .mdc-drawer'))
                    .slice(0, 8)
                    .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}` +
                              `${e.className && typeof e.className === 'string'
                                  ? '.' + e.className.trim().split(/\\s+/).join('.') : ''}` +
                              ` right=${Math.round(e.getBoundingClientRect().right)}`)""",
                PHONE["width"],
            )
            raise AssertionError(
                f"{page.url} is {width} px wide at a {PHONE['width']} px viewport; "
                f"wider: {culprits}"
            )

    return check
