"""The outcome reports' API: the list, a report (always with small numbers suppressed), its CSV;
who may read which, the cohort a reader may count, bad input, and the trail it leaves."""

import csv
import io

import pytest

from agencies.models import Agency, Role
from audit.models import Event
from reports.sections import REPORTS
from tests.agencies.factories import MemberFactory

from . import caseload

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/"
F = "fewer than 5"


@pytest.fixture
def cases(demo):
    caseload.make(demo)
    return demo


def _month_table(body: dict) -> dict:
    return next(t for t in body["tables"] if t["key"] == "referred_by_month")


def _month_rows(content: bytes) -> list[list[str]]:
    """The CSV's header and its rows of the referrals-by-month table."""
    header, *rows = csv.reader(io.StringIO(content.decode()))
    return [header, *(row for row in rows if row[0] == "referred_by_month")]


def _funnel(client, query=""):
    response = client.get(f"{API}funnel/{query}")
    assert response.status_code == 200, response.content
    table = _month_table(response.json())
    return {r["key"]: r["values"]["count"] for r in (*table["rows"], table["total"])}


def test_the_list_names_every_report_an_oversight_reader_may_open(as_user):
    body = as_user("oversight.auditor").get(API).json()
    assert body["cohort_rule"]["version"] == 1
    assert body["cohort_rule"]["rule"].startswith("A case counts in the period")
    assert [r["key"] for r in body["results"]] == list(REPORTS)
    funnel = body["results"][0]
    assert funnel == {
        "key": "funnel",
        "title": "Referrals and screening",
        "summary": REPORTS["funnel"].summary,
        "url": "/api/v1/reports/funnel/",
        "csv": "/api/v1/reports/funnel/csv/",
    }


def test_a_case_agency_reader_is_listed_only_the_reports_its_agency_kind_may_read(api, demo):
    # Probation never reads the victim's voice: the Victims' Code report is not theirs.
    member = MemberFactory(agency=Agency.objects.get(slug="probation"), roles=[Role.SUPERVISOR])
    client = api(member.user)
    keys = [r["key"] for r in client.get(API).json()["results"]]
    assert keys == [k for k in REPORTS if k != "victims"]
    assert client.get(f"{API}victims/").status_code == 404
    assert client.get(f"{API}victims/csv/").status_code == 404


@pytest.mark.parametrize("path", ["", "funnel/", "funnel/csv/"])
def test_a_member_without_read_reports_is_refused(as_user, path):
    response = as_user("police.caseworker").get(API + path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", ["nope/", "nope/csv/"])
def test_an_unknown_report_is_not_found(as_user, path):
    assert as_user("oversight.auditor").get(API + path).status_code == 404


def test_anonymous_is_refused(api):
    assert api().get(API).status_code == 401


def test_the_report_has_its_shape_and_small_numbers_are_suppressed(cases, as_user):
    body = as_user("oversight.auditor").get(f"{API}funnel/").json()
    assert body["key"] == "funnel" and body["title"] == "Referrals and screening"
    assert body["cohort"] == {
        "version": 1,
        "rule": body["cohort"]["rule"],
        "since": None,
        "until": None,
        "region": "",
        "agency": None,
    }
    assert body["suppression"] == {"threshold": 5, "marker": F}
    assert [t["key"] for t in body["tables"]] == ["referred_by_month", "funnel", "screened_level"]
    table = _month_table(body)
    assert {k: table[k] for k in ("key", "title", "chart", "chart_column")} == {
        "key": "referred_by_month",
        "title": "Referrals by month",
        "chart": "series",
        "chart_column": "count",
    }
    assert table["note"] == "Each case in the month its referral was received."
    assert table["columns"] == [{"key": "count", "label": "Referrals", "kind": "count"}]
    assert table["rows"] == [
        {"key": "2025-01", "label": "Jan 2025", "values": {"count": F}},
        {"key": "2025-02", "label": "Feb 2025", "values": {"count": 7}},
        {"key": "2025-03", "label": "Mar 2025", "values": {"count": F}},
        {"key": "2025-04", "label": "Apr 2025", "values": {"count": 11}},
    ]
    assert table["total"] == {"key": "total", "label": "Total", "values": {"count": 23}}


def test_one_small_month_hides_another_beside_a_shown_total(cases, as_user):
    counts = _funnel(as_user("oversight.auditor"), "?since=2025-02-01&until=2025-03-31")
    assert counts == {"2025-02": F, "2025-03": F, "total": 9}


def test_a_case_agency_reader_counts_only_its_agencys_cases(cases, as_user):
    police = as_user("police.supervisor")
    assert _funnel(police) == {"2025-01": F, "2025-02": 6, "2025-03": F, "2025-04": 7, "total": 18}
    body = police.get(f"{API}funnel/?agency=police").json()
    assert body["cohort"]["agency"] == "police"
    # Another agency is not on the reader's list.
    refused = police.get(f"{API}funnel/?agency=hub")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"agency": ["Choose an agency from the list."]}


def test_oversight_cuts_by_agency_region_and_period(cases, as_user):
    auditor = as_user("oversight.auditor")
    police_only = {"2025-01": F, "2025-02": 6, "2025-03": F, "2025-04": 7, "total": 18}
    assert _funnel(auditor, "?agency=police") == police_only
    assert _funnel(auditor, f"?region={caseload.REGION}") == police_only
    assert _funnel(auditor, "?agency=hub") == {"2025-02": F, "2025-04": F, "total": 5}
    assert _funnel(auditor, "?since=2025-04-01") == {"2025-04": 11, "total": 11}


@pytest.mark.parametrize(
    "query,fields",
    [
        ("?since=2025-13-01", {"since": ["Enter a real date, as year-month-day: 2025-04-01."]}),
        ("?since=yesterday", {"since": ["Enter a real date, as year-month-day: 2025-04-01."]}),
        (
            "?since=2025-04-02&until=2025-04-01",
            {"until": ["The last day cannot be before the first."]},
        ),
        ("?region=Nowhere", {"region": ["Choose a region from the list."]}),
        ("?agency=no-such-agency", {"agency": ["Choose an agency from the list."]}),
    ],
)
@pytest.mark.parametrize("path", ["funnel/", "funnel/csv/"])
def test_bad_input_is_a_400_naming_its_field(cases, as_user, query, fields, path):
    response = as_user("oversight.auditor").get(API + path + query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["fields"] == fields


def test_the_csv_is_the_publishable_report_in_long_format(cases, as_user):
    response = as_user("oversight.auditor").get(
        f"{API}funnel/csv/?since=2025-01-01&until=2025-04-30"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="concord-funnel-rule1-2025-01-01-2025-04-30.csv"'
    )
    assert _month_rows(response.content) == [
        ["table", "row", "label", "column", "column_label", "value"],
        ["referred_by_month", "2025-01", "Jan 2025", "count", "Referrals", F],
        ["referred_by_month", "2025-02", "Feb 2025", "count", "Referrals", "7"],
        ["referred_by_month", "2025-03", "Mar 2025", "count", "Referrals", F],
        ["referred_by_month", "2025-04", "Apr 2025", "count", "Referrals", "11"],
        ["referred_by_month", "total", "Total", "count", "Referrals", "23"],
    ]


def test_each_read_and_export_is_on_the_trail_without_a_case(cases, as_user, demo):
    auditor = as_user("oversight.auditor")
    before = Event.objects.filter(verb__startswith="report.").count()
    auditor.get(f"{API}funnel/?since=2025-02-01&agency=police")
    auditor.get(f"{API}funnel/csv/?region={caseload.REGION}")
    auditor.get(f"{API}funnel/?since=2025-13-01")  # refused: nothing read
    events = list(Event.objects.filter(verb__startswith="report.").order_by("id"))[before:]
    assert [(e.verb, e.referral_id, e.actor_username, e.agency_slug) for e in events] == [
        ("report.read", None, "oversight.auditor", "oversight"),
        ("report.exported", None, "oversight.auditor", "oversight"),
    ]
    assert events[0].changes == {
        "report": "funnel",
        "version": 1,
        "since": "2025-02-01",
        "until": None,
        "region": "",
        "agency": "police",
    }
    assert events[1].changes == {
        "report": "funnel",
        "version": 1,
        "since": None,
        "until": None,
        "region": caseload.REGION,
        "agency": None,
        "format": "csv",
    }


def test_the_openapi_document_describes_the_reports(document):
    paths = document["paths"]
    for path in ("/api/v1/reports/", "/api/v1/reports/{key}/", "/api/v1/reports/{key}/csv/"):
        assert "get" in paths[path], path
    report = paths["/api/v1/reports/{key}/"]["get"]
    assert {p["name"] for p in report["parameters"]} == {
        "key",
        "since",
        "until",
        "region",
        "agency",
    }
    assert {"200", "400", "403", "404"} <= set(report["responses"])
    assert "text/csv" in paths["/api/v1/reports/{key}/csv/"]["get"]["responses"]["200"]["content"]
