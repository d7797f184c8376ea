"""The outcome reports' pages: the outcomes workspace, a report with its charts and tables, the
CSV download; filter errors listed and linked, 403 for a member without the reports."""

import csv
import io
import re

import pytest
from django.utils.html import escape

from audit.models import Event
from reports.sections import REPORTS

from . import caseload

pytestmark = pytest.mark.django_db

INDEX = "/workspace/reports/"
FUNNEL = "/workspace/reports/funnel/"
F = "fewer than 5"
ROW = re.compile(
    r'data-testid="figure-row" data-key="([^"]*)">\s*<th scope="row">[^<]*</th>\s*'
    r"<td[^>]*>([^<]*)</td>"
)


@pytest.fixture
def cases(demo):
    caseload.make(demo)
    return demo


@pytest.fixture
def sign_in(client, demo):
    def do(username):
        client.force_login(demo[username].user)
        return client

    return do


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_outcomes_workspace_lists_the_reports_with_the_rule(sign_in):
    page = _text(sign_in("oversight.auditor").get(INDEX))
    assert "<title>Outcome reports · Concord</title>" in page
    assert page.count("<h1") == 1
    assert "Which cases count: rule version 1" in page
    assert escape("A case counts in the period in which it was referred") in page
    assert re.findall(r'data-testid="report-item" data-key="([^"]+)"', page) == list(REPORTS)
    assert f'href="{FUNNEL}"' in page
    assert "You count every case of every agency." in page
    for name in ("since", "until", "region", "agency"):
        assert f'<label for="id_{name}">' in page


def test_the_workspace_keeps_the_filter_in_its_links(cases, sign_in):
    page = _text(sign_in("oversight.auditor").get(INDEX + "?since=2025-02-01&agency=police"))
    assert f'href="{FUNNEL}?since=2025-02-01&amp;agency=police"' in page


def test_the_report_shows_each_table_with_its_chart_note_and_csv_link(cases, sign_in):
    page = _text(sign_in("oversight.auditor").get(FUNNEL))
    assert "<title>Referrals and screening · Outcome reports · Concord</title>" in page
    assert page.count("<h1") == 1
    assert ROW.findall(page)[:5] == [
        ("2025-01", F),
        ("2025-02", "7"),
        ("2025-03", F),
        ("2025-04", "11"),
        ("total", "23"),
    ]
    assert "Each case in the month its referral was received." in page
    svg = re.search(r"<svg role=\"img\" aria-labelledby=\"([^\"]+)\".*?</svg>", page, re.S)
    assert svg and svg.group(1) == "chart-referred_by_month-title chart-referred_by_month-desc"
    assert (
        '<desc id="chart-referred_by_month-desc">Referrals, by row. Jan 2025: fewer than 5; '
        "Feb 2025: 7; Mar 2025: fewer than 5; Apr 2025: 11.</desc>"
    ) in page
    assert svg.group(0).count('fill="url(#hatch-referred_by_month)"') == 2
    assert "Hatched: fewer than 5" in page
    assert f'href="{FUNNEL}csv/"' in page and "Download CSV" in page
    assert "@media print" in page
    assert "http://" not in svg.group(0).replace("http://www.w3.org", "")


def test_a_case_agency_reader_sees_its_own_cases(cases, sign_in):
    page = _text(sign_in("police.supervisor").get(FUNNEL))
    assert ROW.findall(page)[-1] == ("total", "18")
    assert "You count only the cases Police Public Protection Unit may see." in page


def test_filter_errors_are_listed_at_the_top_and_linked_to_their_fields(cases, sign_in):
    page = _text(
        sign_in("oversight.auditor").get(
            FUNNEL + "?since=2025-04-02&until=2025-04-01&region=Nowhere"
        )
    )
    assert "<title>Error: Referrals and screening" in page
    summary = page[page.index('data-testid="error-summary"') :]
    assert '<a href="#id_until">Referred until: The last day cannot be before the first.</a>' in (
        summary
    )
    assert '<a href="#id_region">Region: Choose a region from the list.</a>' in summary
    assert 'id="id_until_error_1"' in page
    assert "Correct the filter above to see the report." in page
    assert ROW.findall(page) == []
    assert "Download CSV" not in page


def test_the_csv_downloads_from_the_page_and_is_on_the_trail(cases, sign_in):
    response = sign_in("oversight.auditor").get(FUNNEL + "csv/?since=2025-04-01")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="concord-funnel-rule1-2025-04-01.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    assert [row for row in rows if row[0] == "referred_by_month"] == [
        ["referred_by_month", "2025-04", "Apr 2025", "count", "Referrals", "11"],
        ["referred_by_month", "total", "Total", "count", "Referrals", "11"],
    ]
    event = Event.objects.filter(verb="report.exported").latest("id")
    assert event.changes["since"] == "2025-04-01" and event.referral_id is None


def test_a_csv_asked_for_with_a_bad_filter_shows_the_page_with_its_errors(cases, sign_in):
    response = sign_in("oversight.auditor").get(FUNNEL + "csv/?since=soon")
    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()


def test_reading_a_report_page_is_on_the_trail(cases, sign_in):
    sign_in("oversight.auditor").get(FUNNEL + "?region=" + caseload.REGION)
    event = Event.objects.filter(verb="report.read").latest("id")
    assert event.changes["region"] == caseload.REGION and event.referral_id is None


@pytest.mark.parametrize("path", [INDEX, FUNNEL, FUNNEL + "csv/"])
def test_a_member_without_the_reports_is_refused(sign_in, path):
    assert sign_in("police.caseworker").get(path).status_code == 403


def test_an_unknown_report_is_not_found(sign_in):
    assert sign_in("oversight.auditor").get(INDEX + "nope/").status_code == 404


def test_the_menu_shows_the_reports_only_to_their_readers(sign_in):
    def menu(username):
        return _text(sign_in(username).get("/workspace/access/"))

    assert 'href="/workspace/reports/"' in menu("oversight.auditor")
    assert 'href="/workspace/reports/"' not in menu("police.caseworker")
