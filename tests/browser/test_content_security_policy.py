"""The main pages load under the Content-Security-Policy without a single violation."""

import pytest

from tests.conferences.conftest import acknowledged, meeting, submit_case  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each violation the page sees is logged to the console, where the test collects it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_main_pages_raise_no_csp_violation(acknowledged, sign_in, page, live_server):  # noqa: F811
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(REPORT_VIOLATIONS)

    login = page.goto(f"{live_server.url}/accounts/login/")
    assert "script-src 'self'" in login.headers["content-security-policy"]
    sign_in(page, "police.caseworker")
    case_id = acknowledged.agenda.first().referral_id
    paths = [
        "/",
        "/workspace/referrals/",
        "/workspace/referrals/new/",
        f"/workspace/referrals/{case_id}/",
        f"/workspace/referrals/{case_id}/timeline/",
        "/workspace/tasks/",
        "/workspace/tasks/notifications/",
        "/workspace/conferences/",
        f"/workspace/conferences/{acknowledged.pk}/",
        f"/workspace/conferences/{acknowledged.pk}/minutes/",
        "/workspace/audit/",
        "/accounts/2fa/enrol/",
        "/no-such-page/",
        "/api/docs/",
    ]
    seen = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        seen[path] = response.status
    assert seen["/no-such-page/"] == 404
    assert all(status in (200, 404) for status in seen.values()), seen
    violations = [m for m in messages if "Content Security Policy" in m or "CSP violation" in m]
    assert violations == [], violations

    # The listener does catch one: an inline script is refused.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert any("CSP violation: script-src" in m for m in messages), messages
