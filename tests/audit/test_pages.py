"""The auditor's pages: the trail, a case's decision timeline, the access report."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from agencies.models import Role
from agencies.services import member_create
from audit import chain
from audit.models import Event
from audit.urls import AuditViewset
from audit.views import PAGE_SIZE
from referral.models import Referral
from tests.agencies.factories import sign_in_verified
from tests.referral.conftest import submit  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

TRAIL = "/workspace/audit/"
ACCESS = "/workspace/audit/access/"
EXPORT = "/api/v1/audit/events/export/"
REASON = "A single dispute between neighbours over parking; no fixation, no fear."

EVENT_ROW = re.compile(
    r'data-testid="event-row" data-verb="([^"]*)" data-agency="([^"]*)" '
    r'data-actor="([^"]*)" data-referral="([^"]*)"'
)
READ_ROW = re.compile(
    r'data-testid="read-row" data-actor="([^"]*)" data-referral="([^"]*)" data-section="([^"]*)"'
)


def case_trail(referral_id) -> str:
    return f"/workspace/audit/referrals/{referral_id}/"


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    found = EVENT_ROW.findall(response.content.decode())
    return [dict(zip(("verb", "agency", "actor", "referral"), row, strict=True)) for row in found]


def field_error(response, field: str) -> bool:
    return f'data-testid="error-{field}"' in response.content.decode()


@pytest.fixture
def sign_in(client, demo):
    """sign_in("oversight.auditor") -> the test client, signed in as that demo account."""

    def do(username):
        client.force_login(demo[username].user)
        return client

    return do


@pytest.fixture
def cases(submit):  # noqa: F811
    """One referral from the police, one from the advocacy service; {slug: referral id}."""
    return {
        "police": submit("police.caseworker")["id"],
        "advocacy": submit(
            "advocacy.caseworker",
            victim={"name": "Carol Other", "date_of_birth": "1988-06-30", "enhanced_rights": False},
            suspect={"name": "Dan Other", "date_of_birth": "1970-01-20", "aliases": []},
        )["id"],
    }


def today() -> str:
    return timezone.localdate().isoformat()


# --- Who may open the pages ------------------------------------------------------------------


def test_members_without_a_trail_capability_are_refused(client, demo):
    admin = member_create(
        agency=demo["police.caseworker"].agency,
        username="police.admin",
        password=None,
        roles=[Role.ADMIN],
    )
    sign_in_verified(client, admin.user)
    for url in (TRAIL, ACCESS, case_trail(1)):
        assert client.get(url).status_code == 403
    assert not AuditViewset(app_name="audit").has_view_permission(admin.user)
    assert AuditViewset(app_name="audit").has_view_permission(demo["oversight.auditor"].user)
    assert AuditViewset(app_name="audit").has_view_permission(demo["police.caseworker"].user)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(TRAIL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_menu_links_to_the_trail(sign_in, demo):
    html = sign_in("oversight.auditor").get(TRAIL).content.decode()
    assert 'href="/workspace/audit/"' in html
    assert "Decision trail" in html


# --- The trail -------------------------------------------------------------------------------


def test_auditor_sees_every_agencys_events_but_no_case_content(sign_in, cases):
    response = sign_in("oversight.auditor").get(TRAIL)
    events = rows(response)
    assert {"police", "advocacy"} <= {e["agency"] for e in events}
    assert {str(cases["police"]), str(cases["advocacy"])} <= {e["referral"] for e in events}
    assert "referral.submitted" in {e["verb"] for e in events}
    html = response.content.decode()
    assert "Alice Example" not in html and "07700 900123" not in html  # case content


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"kind": "referral"}, lambda e, ids: e["verb"].startswith("referral.")),
        ({"kind": "access"}, lambda e, ids: e["verb"].startswith("access.")),
        ({"agency": "advocacy"}, lambda e, ids: e["agency"] == "advocacy"),
        ({"case": "police"}, lambda e, ids: e["referral"] == str(ids["police"])),
        ({"person": "advocacy.caseworker"}, lambda e, ids: e["actor"] == "advocacy.caseworker"),
        ({"person": " advocacy  CASEWORKER "},
         lambda e, ids: e["actor"] == "advocacy.caseworker"),  # by name, any case and spacing
        ({"since": "today", "until": "today"}, lambda e, ids: True),
    ],
)
def test_filters_narrow_the_trail(sign_in, cases, params, check):
    client = sign_in("oversight.auditor")
    everything = rows(client.get(TRAIL))
    placeholders = {
        "police": Referral.objects.get(pk=cases["police"]).reference.lower(), "today": today()
    }
    query = {key: placeholders.get(value, value) for key, value in params.items()}
    narrowed = rows(client.get(TRAIL, query))
    assert narrowed
    assert all(check(e, cases) for e in narrowed), narrowed
    if "since" not in params:
        assert len(narrowed) < len(everything)


def test_a_name_several_people_share_asks_which_one_is_meant(sign_in, cases):
    response = sign_in("oversight.auditor").get(TRAIL, {"person": "caseworker"})
    assert field_error(response, "person") and rows(response) == []
    html = response.content.decode()
    assert "Several people match" in html and "Advocacy Caseworker (advocacy.caseworker)" in html


def test_a_member_finds_by_name_only_people_of_their_own_agency(sign_in, demo, cases):
    client = sign_in("police.caseworker")
    response = client.get(TRAIL, {"person": "Advocacy Caseworker"})
    assert field_error(response, "person") and rows(response) == []
    police = demo["police.caseworker"].agency.name
    assert escape(f"No one in {police} is called \u201cAdvocacy Caseworker\u201d.") in (
        response.content.decode()
    )
    mine = rows(client.get(TRAIL, {"person": "Police Caseworker"}))
    assert mine and {e["actor"] for e in mine} == {"police.caseworker"}


def test_date_filters_leave_out_other_days(sign_in, cases):
    client = sign_in("oversight.auditor")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert rows(client.get(TRAIL, {"since": tomorrow})) == []
    assert rows(client.get(TRAIL, {"until": yesterday})) == []
    assert rows(client.get(TRAIL, {"since": yesterday, "until": today()}))


def test_police_caseworker_sees_only_police_events(sign_in, cases):
    response = sign_in("police.caseworker").get(TRAIL)
    events = rows(response)
    assert events
    assert {e["agency"] for e in events} == {"police"}
    assert str(cases["advocacy"]) not in {e["referral"] for e in events}
    assert 'name="agency"' not in response.content.decode()  # nothing else to choose


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-13-45"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"kind": "triage."}, "kind"),
        ({"case": "STK-1"}, "case"),
        ({"person": "nobody.here"}, "person"),
        ({"agency": "nowhere"}, "agency"),
    ],
)
def test_bad_filters_are_shown_beside_their_field(sign_in, cases, params, field):
    response = sign_in("oversight.auditor").get(TRAIL, params)
    assert response.status_code == 200
    assert field_error(response, field)
    assert rows(response) == []


def test_text_is_escaped(sign_in, demo):
    Event.objects.create(
        at=timezone.now(),
        verb="test.escape",
        reason="<script>alert(1)</script>",
        changes={"note": "<b>bold</b>"},
    )
    html = sign_in("oversight.auditor").get(TRAIL, {"order": "newest"}).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    assert escape("<script>alert(1)</script>") in html and escape("<b>bold</b>") in html


def test_export_links_only_for_auditors_and_they_carry_the_filters(sign_in, cases):
    client = sign_in("oversight.auditor")
    html = client.get(TRAIL, {"kind": "referral", "since": today()}).content.decode()
    links = re.findall(r'href="([^"]+)" data-testid="export-link"', html)
    assert len(links) == 2
    assert {re.search(r"format=(\w+)", link).group(1) for link in links} == {"csv", "jsonl"}
    csv_link = next(link for link in links if "format=csv" in link).replace("&amp;", "&")
    assert csv_link.startswith(EXPORT) and "verb=referral." in csv_link and "since=" in csv_link
    response = client.get(csv_link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    exported = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert exported and all(row["verb"].startswith("referral.") for row in exported)

    police = sign_in("police.caseworker").get(TRAIL, {"kind": "referral"}).content.decode()
    assert 'data-testid="export-link"' not in police and EXPORT not in police


def test_verify_panel_runs_when_asked_and_says_ok(sign_in, cases):
    chain.seal()  # creates the chain head the first time
    client = sign_in("oversight.auditor")
    html = client.get(TRAIL).content.decode()
    assert 'data-testid="chain-panel"' in html and 'data-testid="chain-status"' not in html
    html = client.get(TRAIL, {"verify": "1"}).content.decode()
    assert 'data-testid="chain-status" data-ok="true"' in html
    assert "The chain is intact." in html
    events = int(re.search(r'data-testid="chain-events">(\d+)<', html).group(1))
    assert events == Event.objects.filter(seal__isnull=False).count() > 0

    police = sign_in("police.caseworker").get(TRAIL, {"verify": "1"}).content.decode()
    assert 'data-testid="chain-panel"' not in police


def _bulk_events(count: int, start: int = 0) -> None:
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            at=now,
            actor_username=f"person.{i}",
            agency_slug="police",
            verb=f"test.bulk{i}",
            referral_id=900_000 + i,
            reason=f"Reason number {i}",
            changes={"n": i, "risk_level": {"before": "standard", "after": "high"}},
            recipients=["police", "hub"],
        )
        for i in range(start, start + count)
    )


def test_trail_queries_do_not_grow_with_the_page(sign_in, demo):
    client = sign_in("oversight.auditor")
    params = {"order": "newest"}
    _bulk_events(1)
    client.get(TRAIL, params)  # settle the session
    with CaptureQueriesContext(connection) as one:
        assert len(rows(client.get(TRAIL, params))) >= 1
    _bulk_events(49, start=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(TRAIL, params)
        assert len(rows(response)) == PAGE_SIZE == 25
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
    # Newest first: the next page keeps the order and holds the next 25; it leads back.
    assert [r["verb"] for r in rows(response)] == [f"test.bulk{i}" for i in range(49, 24, -1)]
    nxt = _page_link(response, "Next")
    assert "order=newest" in nxt and "cursor=" in nxt
    second = client.get(nxt)
    assert [r["verb"] for r in rows(second)] == [f"test.bulk{i}" for i in range(24, -1, -1)]
    back = client.get(_page_link(second, "Previous"))
    assert [r["verb"] for r in rows(back)] == [r["verb"] for r in rows(response)]


def _page_link(response, label: str) -> str:
    html = response.content.decode()
    href = re.search(rf'href="([^"]+)">{label}</a>', html)
    assert href, f"no {label} link"
    return href.group(1).replace("&amp;", "&")


def test_a_page_of_the_trail_that_does_not_exist_is_404(sign_in, demo):
    assert sign_in("oversight.auditor").get(TRAIL, {"cursor": "not-a-cursor"}).status_code == 404


def test_the_trail_names_cases_people_agencies_and_events_in_words(sign_in, cases, demo):
    """The Referral column shows the case's reference, not its id; people and agencies by
    name; what happened in words; and the filters take the same words."""
    reference = Referral.objects.get(pk=cases["police"]).reference
    user = demo["police.caseworker"].user
    user.first_name, user.last_name = "Paula", "Constable"
    user.save(update_fields=["first_name", "last_name"])
    html = sign_in("oversight.auditor").get(TRAIL, {"case": reference}).content.decode()
    assert f'data-testid="event-case">{reference}</a>' in html
    assert f">{cases['police']}</a>" not in html
    assert "Paula Constable" in html and "Police Public Protection Unit" in html
    assert "Referral submitted" in html and ">referral.submitted<" not in html
    assert '<option value="charging_review">Task done: Charging review</option>' in html
    by_name = rows(sign_in("oversight.auditor").get(TRAIL, {"person": "paula constable"}))
    assert by_name and {e["actor"] for e in by_name} == {"police.caseworker"}


def test_a_case_the_agency_may_not_see_is_answered_like_one_that_does_not_exist(
    sign_in, cases
):
    hidden = Referral.objects.get(pk=cases["advocacy"]).reference
    client = sign_in("police.caseworker")
    for reference in (hidden, "STK-1999-999999"):
        response = client.get(TRAIL, {"case": reference})
        assert response.status_code == 200
        assert rows(response) == []
        assert f"No case your agency may see has the reference {reference}." in (
            response.content.decode()
        )
        assert "<title>Error: " in response.content.decode()


def test_filtered_trail_queries_do_not_grow_with_the_page(sign_in, cases, as_user):
    client = sign_in("oversight.auditor")
    reference = Referral.objects.get(pk=cases["police"]).reference
    params = {"case": reference, "agency": "police", "order": "newest"}
    client.get(TRAIL, params)
    with CaptureQueriesContext(connection) as few:
        shown = len(rows(client.get(TRAIL, params)))
    for n in range(3):
        as_user("police.caseworker").post(
            f"/api/v1/referrals/{cases['police']}/incidents/",
            {"occurred_at": timezone.now().isoformat(), "behaviours": ["texts"],
             "description": f"Texts, {n}"}, format="json",
        )
    with CaptureQueriesContext(connection) as more:
        assert len(rows(client.get(TRAIL, params))) > shown
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]


# --- A case's decision timeline --------------------------------------------------------------


def test_case_trail_puts_the_reasons_forward(sign_in, submit):  # noqa: F811
    referral = submit("police.caseworker", classification="harassment", not_stalking_reason=REASON)
    for username in ("oversight.auditor", "police.caseworker"):
        response = sign_in(username).get(case_trail(referral["id"]))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-testid="reason">{escape(REASON)}</blockquote>' in html
        assert 'data-verb="referral.submitted"' in html
        assert "Alice Example" not in html


def test_case_trail_can_show_decisions_only(sign_in, as_user, cases):
    referral_id = cases["police"]
    as_user("police.caseworker").get(f"/api/v1/referrals/{referral_id}/")
    html = sign_in("oversight.auditor").get(case_trail(referral_id), {"decisions": "1"})
    verbs = set(re.findall(r'data-testid="trail-entry" data-verb="([^"]*)"', html.content.decode()))
    assert "referral.submitted" in verbs
    assert "section.read" not in verbs and "access.granted" not in verbs


def test_case_trail_is_oldest_first(sign_in, cases):
    html = sign_in("oversight.auditor").get(case_trail(cases["police"])).content.decode()
    seen = re.findall(r'data-testid="trail-entry" data-verb="([^"]*)"', html)
    expected = list(
        Event.objects.filter(referral_id=cases["police"])
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert seen == expected and seen


def test_case_trail_is_404_for_an_uninvolved_agency(sign_in, cases):
    assert sign_in("probation.caseworker").get(case_trail(cases["police"])).status_code == 404
    assert sign_in("police.caseworker").get(case_trail(cases["advocacy"])).status_code == 404
    assert sign_in("oversight.auditor").get(case_trail(987654)).status_code == 404


# --- The access report -----------------------------------------------------------------------


def test_access_report_lists_reads_of_the_chosen_section_only(sign_in, as_user, cases):
    referral_id = cases["police"]
    assert as_user("police.caseworker").get(f"/api/v1/referrals/{referral_id}/").status_code == 200
    reads = Event.objects.filter(verb="section.read", referral_id=referral_id)
    contact_reads = reads.filter(changes__section="victim_contact").count()
    assert contact_reads >= 1
    assert reads.exclude(changes__section="victim_contact").exists()  # e.g. charging

    reference = Referral.objects.get(pk=referral_id).reference
    for username in ("oversight.auditor", "police.caseworker"):
        client = sign_in(username)
        response = client.get(ACCESS, {"case": reference, "section": "victim_contact"})
        assert response.status_code == 200
        found = READ_ROW.findall(response.content.decode())
        assert len(found) == contact_reads
        assert all(
            row == ("police.caseworker", str(referral_id), "victim_contact") for row in found
        )

    by_person = sign_in("oversight.auditor").get(
        ACCESS, {"person": "police.caseworker", "section": "victim_contact"}
    )
    assert len(READ_ROW.findall(by_person.content.decode())) == contact_reads
    by_name = sign_in("oversight.auditor").get(
        ACCESS, {"person": "Police Caseworker", "section": "victim_contact"}
    )
    assert len(READ_ROW.findall(by_name.content.decode())) == contact_reads


def test_access_report_offers_only_the_sensitive_sections(sign_in, cases):
    client = sign_in("oversight.auditor")
    html = client.get(ACCESS).content.decode()
    offered = set(re.findall(r'<option value="([a-z_]+)"', html))
    assert offered == {
        "victim_contact", "threat_assessment", "charging", "threat_recommendations",
        "interventions", "victim_voice", "safeguarding",
    }
    reference = Referral.objects.get(pk=cases["police"]).reference
    response = client.get(ACCESS, {"case": reference, "section": "victim"})
    assert field_error(response, "section")
    response = client.get(ACCESS, {"section": "victim_contact"})
    assert 'data-testid="error-summary"' in response.content.decode()
    assert "Give a case reference, a person, or both." in response.content.decode()


def test_access_report_answers_a_hidden_case_like_a_missing_one(sign_in, cases):
    client = sign_in("probation.caseworker")
    hidden = Referral.objects.get(pk=cases["police"]).reference
    for reference in (hidden, "STK-1999-999999"):
        response = client.get(ACCESS, {"case": reference, "section": "victim_contact"})
        assert response.status_code == 200
        assert f"No case your agency may see has the reference {reference}." in (
            response.content.decode()
        )
        assert READ_ROW.findall(response.content.decode()) == []
