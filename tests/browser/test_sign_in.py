import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_sign_in_shows_the_agency(seeded, sign_in, page, live_server):
    sign_in(page, "advocacy.caseworker")
    expect(page.get_by_test_id("home-agency")).to_contain_text("Stalking Advocacy Service")
    expect(page.get_by_test_id("toolbar-agency")).to_contain_text("caseworker")


def test_wrong_password_stays_on_the_login_page(seeded, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "advocacy.caseworker")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("enter a correct username and password")
    assert "/accounts/login/" in page.url
