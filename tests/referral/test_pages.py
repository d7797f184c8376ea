"""The referral pages: the form, the case page as each agency sees it, the list, the timeline."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from audit.models import Event
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral, ScreeningInstrument
from tests.referral.factories import ANSWER_KEYS, incident_body
from tests.referral.test_queries import _bulk_referrals

pytestmark = pytest.mark.django_db

LIST_URL = "/workspace/referrals/"
NEW_URL = "/workspace/referrals/new/"
PHONE = "07700 900123"


def case_url(referral_id) -> str:
    return f"/workspace/referrals/{referral_id}/"


def form_data(yes: int = 2, **overrides) -> dict:
    """A valid referral as the browser posts it; keyword arguments replace fields."""
    data = {
        "victim_name": "Alice Example",
        "victim_date_of_birth": "1990-04-01",
        "victim_address": "",
        "contact_phone": PHONE,
        "contact_email": "alice@example.org",
        "contact_address": "1 High Street",
        "contact_safe_method": "Text first, never call after 6pm",
        "suspect_name": "Bob Sample",
        "suspect_date_of_birth": "1975-02-11",
        "suspect_address": "9 Low Road",
        "suspect_aliases": "Robert Sample\n\n  Bobby S  \n",
        "relationship": ["former_partner", "neighbour"],
        "behaviours": ["phone_calls", "following"],
        "stalking_since": "2025-09-01",
        "consent": "on",
        "summary": "Calls and follows the victim since the relationship ended.",
        "risk_level": "",
        "risk_reason": "",
        "classification": "stalking",
        "not_stalking_reason": "",
        **{f"q_{key}": "yes" if i < yes else "no" for i, key in enumerate(ANSWER_KEYS)},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_error(response, field: str, message: str) -> bool:
    """Whether `message` is rendered as the error of `field` (beside it, not only at the top)."""
    return f'data-testid="error-{field}">{escape(message)}</p>' in response.content.decode()


@pytest.fixture
def police(client, demo):
    client.force_login(demo["police.caseworker"].user)
    return client


# --- The form --------------------------------------------------------------------------------


def test_form_renders_the_instruments_questions_with_yes_no_and_not_known(police):
    response = police.get(NEW_URL)
    assert response.status_code == 200
    html = response.content.decode()
    questions = ScreeningInstrument.objects.get(slug="stalking-screen-v1").questions
    assert len(questions) == 11
    for question in questions:
        assert escape(question["text"]) in html
        assert html.count(f'name="q_{question["key"]}"') == 3  # yes, no and not known
        assert f'name="q_{question["key"]}" value="not_known"' in html
    assert 'name="contact_phone"' in html
    assert 'name="suspect_aliases"' in html


def test_form_leaves_out_contact_fields_the_agency_may_not_write(client, demo):
    client.force_login(demo["cps.caseworker"].user)
    html = client.get(NEW_URL).content.decode()
    assert 'name="victim_name"' in html
    assert 'name="contact_phone"' not in html


def test_a_role_that_may_not_refer_is_refused(client, demo):
    client.force_login(demo["oversight.auditor"].user)
    assert client.get(NEW_URL).status_code == 403
    assert client.post(NEW_URL, form_data()).status_code == 403
    assert Referral.objects.count() == 0


def test_pages_need_sign_in(client):
    for url in (LIST_URL, NEW_URL, case_url(1), case_url(1) + "timeline/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_valid_post_creates_the_referral_and_shows_the_case(police):
    before = Referral.objects.count()
    response = police.post(NEW_URL, form_data(yes=3))
    assert Referral.objects.count() == before + 1
    referral = Referral.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == case_url(referral.pk)
    assert referral.victim.name == "Alice Example"
    assert referral.suspect.aliases == ["Robert Sample", "Bobby S"]
    assert referral.relationship == ["former_partner", "neighbour"]
    assert referral.victim_contact.phone == PHONE
    assert referral.screening.score == 3 and referral.risk_level == "medium"
    page = police.get(response["Location"]).content.decode()
    assert f"Referral {referral.reference} submitted" in page
    assert referral.reference.startswith("STK-") and referral.reference in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"victim_name": ""}, "victim_name", "This field is required."),
        (
            {"stalking_since": str(timezone.localdate() + timedelta(days=2))},
            "stalking_since",
            "Cannot be in the future.",
        ),
        (
            {"victim_date_of_birth": str(timezone.localdate() + timedelta(days=1))},
            "victim_date_of_birth",
            "Cannot be in the future.",
        ),
        ({"classification": "harassment"}, "not_stalking_reason", "Say why this is not stalking."),
        ({"stalking_since": "1980-01-01"}, "stalking_since", "before the victim's date of birth"),
        ({"q_loitering": None}, "q_loitering", "Answer yes, no or not known."),
        ({"relationship": None}, "relationship", "Choose at least one."),
    ],
)
def test_invalid_post_shows_the_error_by_the_field_and_saves_nothing(
    police, overrides, field, message
):
    before = Referral.objects.count()
    response = police.post(NEW_URL, form_data(**overrides))
    assert response.status_code == 200
    assert Referral.objects.count() == before
    html = response.content.decode()
    assert f'data-testid="error-{field}">' in html and escape(message) in html
    assert response.context["form"].errors[field]
    # What was typed is kept.
    assert "Bob Sample" in html


def test_a_risk_below_the_screening_needs_a_reason(police):
    """The service's own refusal (DomainError) is shown beside the field it names."""
    before = Referral.objects.count()
    response = police.post(NEW_URL, form_data(yes=6, risk_level="standard"))
    assert response.status_code == 200 and Referral.objects.count() == before
    assert field_error(
        response, "risk_reason", "Say why the risk is lower than the screening gives."
    )
    response = police.post(
        NEW_URL, form_data(yes=6, risk_level="standard", risk_reason="Suspect now abroad.")
    )
    assert response.status_code == 302
    # Proposed, not applied: the case keeps the screening's level until it is approved.
    assert Referral.objects.latest("id").risk_level == "high"


def test_a_duplicate_asks_for_confirmation_and_a_reason(police):
    police.post(NEW_URL, form_data())
    first = Referral.objects.latest("id")
    count = Referral.objects.count()

    response = police.post(NEW_URL, form_data())
    html = response.content.decode()
    assert response.status_code == 200 and Referral.objects.count() == count
    assert "An open referral for the same victim and suspect already exists" in html
    assert 'name="confirm_new"' in html and 'name="confirm_reason"' in html
    assert first.reference in html

    response = police.post(NEW_URL, form_data(confirm_new="on"))
    assert response.status_code == 200 and Referral.objects.count() == count
    assert field_error(response, "confirm_reason", "Required with confirm_new.")

    response = police.post(
        NEW_URL, form_data(confirm_new="on", confirm_reason="A new course of conduct.")
    )
    assert response.status_code == 302 and Referral.objects.count() == count + 1
    page = police.get(response["Location"]).content.decode()
    assert "Linked to earlier referral(s)" in page and first.reference in page


def test_user_text_is_escaped(police):
    police.post(NEW_URL, form_data(victim_name="<script>alert(1)</script>", summary="<b>x</b>"))
    referral = Referral.objects.latest("id")
    for url in (case_url(referral.pk), LIST_URL):
        html = police.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in police.get(case_url(referral.pk)).content.decode()


# --- The case page, as each agency sees it -----------------------------------------------------


@pytest.fixture
def case(submit, demo):
    body = submit(
        incidents=[incident_body(5, ["threats"]), incident_body(2, ["texts"])],
        orders=[{"kind": "bail_conditions", "conditions": "No contact", "starts": "2025-01-01"}],
    )
    referral = Referral.objects.get(pk=body["id"])
    for slug in ("cps", "probation", "ftac", "hub"):
        agency = next(m.agency for m in demo.values() if m.agency.slug == slug)
        involvement_grant(referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="t")
    return referral


def _page(client, demo, username, url):
    client.force_login(demo[username].user)
    return client.get(url)


@pytest.mark.parametrize(
    ("username", "sees_contact"),
    [
        ("police.caseworker", True),
        ("cps.caseworker", False),
        ("probation.caseworker", False),
        ("ftac.caseworker", False),
        ("hub.caseworker", True),
    ],
)
def test_victim_contact_details_only_where_the_policy_allows(
    client, demo, case, username, sees_contact
):
    response = _page(client, demo, username, case_url(case.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html
    assert (PHONE in html) is sees_contact
    assert ('data-testid="section-victim-contact"' in html) is sees_contact
    assert "Alice Example" in html  # every involved case agency reads the victim section


@pytest.mark.parametrize(
    ("username", "sees_assessment"),
    [
        ("hub.caseworker", False),
        ("hub.chair", True),
        ("hub.supervisor", True),
        ("ftac.caseworker", True),
        ("police.caseworker", False),
        ("cps.caseworker", False),
    ],
)
def test_threat_assessment_section_only_where_the_policy_allows(
    client, demo, case, username, sees_assessment
):
    html = _page(client, demo, username, case_url(case.pk)).content.decode()
    assert ('data-testid="section-threat_assessment"' in html) is sees_assessment
    assert ("Threat assessment</h2>" in html) is sees_assessment


def test_reading_contact_details_is_logged(client, demo, case):
    reads = Event.objects.filter(
        verb="section.read", referral_id=case.pk, changes__section="victim_contact"
    )
    before = reads.filter(actor=demo["police.caseworker"].user).count()  # the API's own read
    _page(client, demo, "police.caseworker", case_url(case.pk))
    assert reads.filter(actor=demo["police.caseworker"].user).count() == before + 1
    _page(client, demo, "cps.caseworker", case_url(case.pk))
    assert not reads.filter(actor=demo["cps.caseworker"].user).exists()


def test_the_case_page_tells_the_risk_with_what_the_incidents_imply(client, demo, case):
    html = _page(client, demo, "police.caseworker", case_url(case.pk)).content.decode()
    assert 'data-testid="risk-story"' in html
    assert "Risk: High" in html
    assert "The incidents recorded imply the same level, High, because of threats or" in html
    assert "No contact" in html and "Bail conditions" in html


def test_an_uninvolved_agency_gets_404_like_a_missing_case(client, demo, submit):
    body = submit()
    client.force_login(demo["cps.caseworker"].user)
    for url in (case_url(body["id"]), case_url(body["id"]) + "timeline/", case_url(999999)):
        assert client.get(url).status_code == 404
    assert body["reference"] not in client.get(LIST_URL).content.decode()


# --- The timeline -----------------------------------------------------------------------------


def test_timeline_is_oldest_first_with_the_signal(client, demo, case):
    response = _page(client, demo, "police.caseworker", case_url(case.pk) + "timeline/")
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert {"referral", "order", "incident"} <= {e["kind"] for e in entries}
    html = response.content.decode()
    assert html.count('data-testid="timeline-entry"') == len(entries)
    assert "Threats or violence recorded" in html and 'data-testid="escalation-panel"' in html


# --- The list ---------------------------------------------------------------------------------


def test_list_shows_names_only_to_agencies_that_may_read_them(client, demo, case):
    html = _page(client, demo, "police.caseworker", LIST_URL).content.decode()
    assert case.reference in html and "Alice Example" in html and "Bob Sample" in html
    assert 'data-testid="refer-case"' in html
    html = _page(client, demo, "oversight.auditor", LIST_URL).content.decode()
    assert case.reference not in html and 'data-testid="refer-case"' not in html


def test_list_queries_do_not_grow_with_the_rows(police, demo):
    membership = demo["police.caseworker"]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = police.get(LIST_URL)
        assert response.status_code == 200
        return len(ctx), response

    police.get(LIST_URL)  # the session's first request also saves it
    _bulk_referrals(membership, 1, 0)
    one, response = count()
    assert len(response.context["rows"]) == 1
    _bulk_referrals(membership, 29, 1)
    many, response = count()
    assert len(response.context["rows"]) == 25
    assert response.context["paginator"].count == 30
    assert one == many
    assert police.get(LIST_URL + "?page=2").context["rows"][0]["reference"]


def test_timeline_page_shows_decisions_with_their_reasons(demo, client, submit):
    from workflows.models import AgencyTask

    case = submit()
    task = AgencyTask.objects.get(referral_id=case["id"], task_type="triage")
    from workflows.services import task_claim, task_complete

    hub = demo["hub.caseworker"].user
    task_claim(actor=hub, task_id=task.pk)
    task_complete(actor=hub, task_id=task.pk, data={
        "decision": "request_info", "risk_level": "standard",
        "reason": "Which dates did the calls happen on?"})
    client.force_login(demo["police.caseworker"].user)
    response = client.get(f"/workspace/referrals/{case['id']}/timeline/")
    body = response.content.decode()
    assert 'data-testid="timeline-decision"' in body
    assert "Triage: more information asked for" in body
    assert "Which dates did the calls happen on?" in body


def test_the_form_gives_a_stalking_victim_enhanced_rights_unless_the_referrer_says_why_not(
    client, demo
):
    client.force_login(demo["police.caseworker"].user)
    html = client.get(NEW_URL).content.decode()
    assert re.search(r'<input[^>]*name="victim_enhanced_rights"[^>]*checked', html)
    assert 'name="victim_enhanced_rights_opt_out_reason"' in html

    client.post(NEW_URL, form_data(victim_enhanced_rights="on"))
    kept = Referral.objects.latest("id")
    assert kept.victim_enhanced_rights is True
    client.post(NEW_URL, form_data(
        victim_name="Carol Other", victim_date_of_birth="1985-05-05",
        victim_enhanced_rights_opt_out_reason="The victim asked for weekly updates only.",
    ))
    opted_out = Referral.objects.latest("id")
    assert opted_out.pk != kept.pk and opted_out.victim_enhanced_rights is False
    [event] = Event.objects.filter(verb="entitlement.opted_out", referral_id=opted_out.pk)
    assert event.reason == "The victim asked for weekly updates only."
    assert event.changes["without_reason"] is False
