import pytest

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
    """Demo accounts in a database the live server shares."""
    from agencies.services import demo_seed
    from tests.conftest import DEMO_PASSWORD

    return {m.user.username: m for m in demo_seed(password=DEMO_PASSWORD)}


@pytest.fixture
def sign_in(live_server):
    from tests.conftest import DEMO_PASSWORD

    def do(page, username):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return do
