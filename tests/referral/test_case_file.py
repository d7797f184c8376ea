"""The case file: its page (the risk told once, who holds the work, the timeline, the conference
outcomes), the forms that record incidents, breaches, orders and hearings from it, and its PDF
export, each as the reader's agency may see it."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from audit.models import Event
from conferences.models import AgendaItem, Conference, ConferenceAction, Decision
from referral import case_file
from referral.access import involvement_grant
from referral.escalation import EscalationSignal
from referral.forms import HearingForm, IncidentForm, OrderForm
from referral.models import (
    CourtHearing,
    Incident,
    InvolvementBasis,
    ProtectiveOrder,
    Referral,
)
from tests.referral.factories import incident_body
from tests.referral.test_pages import form_data
from workflows.models import AgencyTask
from workflows.services import case_task_start

pytestmark = pytest.mark.django_db

PHONE = "07700 900123"


def url(referral_id, name="") -> str:
    paths = {
        "": "",
        "incident": "incidents/new/",
        "breach": "breaches/new/",
        "order": "orders/new/",
        "hearing": "hearings/new/",
        "pdf": "case-file.pdf",
    }
    return f"/workspace/referrals/{referral_id}/{paths[name]}"


NEW_URLS = ("incident", "breach", "order", "hearing", "pdf")


def _agency(demo, slug):
    return next(m.agency for m in demo.values() if m.agency.slug == slug)


@pytest.fixture
def case(submit, demo):
    """A police referral with a bail order, involving CPS, probation, the unit and the hub."""
    body = submit(
        incidents=[incident_body(5, ["texts"])],
        orders=[{"kind": "bail_conditions", "conditions": "No contact with the victim",
                 "starts": (timezone.localdate() - timedelta(days=30)).isoformat()}],
    )
    referral = Referral.objects.get(pk=body["id"])
    for slug in ("cps", "probation", "ftac", "hub"):
        involvement_grant(referral=referral, agency=_agency(demo, slug),
                          basis=InvolvementBasis.TASK, source="t")
    return referral


def _as(client, demo, username):
    client.force_login(demo[username].user)
    return client


def _when(days_ago: float) -> str:
    return timezone.localtime(timezone.now() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")


# --- The risk, told once ---------------------------------------------------------------------


def _story(risk_level, source, signal, screened="high", reason=""):
    case = {
        "risk_level": risk_level,
        "risk_source": source,
        "risk_reason": reason,
        "screening": {"title": "Stalking screen", "risk_label": screened.capitalize(),
                      "score": 6, "answers": [("q", True)] * 11},
    }
    return case_file.risk_story(case, signal)


def test_a_screened_high_case_without_incidents_tells_one_level():
    story = _story("high", "screening", EscalationSignal())
    text = " ".join(story["lines"])
    assert story["label"] == "High"
    assert "gave High: 6 of 11 questions answered yes" in text
    assert "No incident is recorded in the last 12 months, so none adds to it" in text
    assert "Standard" not in text  # no second, contradicting level


def test_incidents_implying_less_are_explained_against_the_cases_level():
    signal = EscalationSignal(level="medium", reasons=["1 breach of an order"],
                              figures={"incidents_last_12_months": 1})
    text = " ".join(_story("high", "screening", signal)["lines"])
    assert ("would imply Medium, because of 1 breach of an order; the case stays High, as the "
            "screening gave it") in text


def test_escalation_reasons_are_told_apart_from_the_levels_reasons():
    signal = EscalationSignal(
        level="high", escalating=True,
        reasons=["3 incidents in the last 30 days against a usual 0.3",
                 "threats or violence recorded"],
        figures={"incidents_last_12_months": 3},
    )
    story = _story("high", "escalation", signal, screened="medium")
    assert "raised the level to High" in " ".join(story["lines"])
    assert "because of threats or violence recorded." in " ".join(story["lines"])
    assert story["escalating_line"] == (
        "The stalking is escalating: 3 incidents in the last 30 days against a usual 0.3."
    )


def test_the_referral_forms_incidents_make_one_story(client, demo):
    response = _as(client, demo, "police.caseworker").post("/workspace/referrals/new/", form_data(
        yes=2,
        incident_1_occurred_at=_when(3),
        incident_1_behaviours=["threats"],
        incident_1_description="Said he would hurt her.",
        incident_2_occurred_at=_when(1),
        incident_2_behaviours=["texts", "phone_calls"],
        incident_2_description="Twenty texts overnight.",
    ), follow=True)
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert Incident.objects.filter(referral=referral).count() == 2
    assert referral.risk_level == "high"
    html = response.content.decode()
    assert "Risk: High" in html
    assert "The incidents recorded imply the same level, High" in html
    assert "Implied risk" not in html


def test_a_begun_incident_row_is_judged_and_its_errors_listed_with_the_rest(client, demo):
    response = _as(client, demo, "police.caseworker").post("/workspace/referrals/new/", form_data(
        victim_name="",
        incident_2_occurred_at=(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        incident_2_description="Tomorrow?",
    ))
    html = response.content.decode()
    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert 'class="concord-error-summary"' in html
    assert "<title>Error: Refer a case" in html
    assert 'href="#id_victim_name"' in html
    assert 'href="#id_incident_2_occurred_at"' in html
    assert 'data-testid="error-incident_2_occurred_at">Cannot be in the future.' in html
    assert 'data-testid="error-incident_2_behaviours">' in html


def test_agencies_that_may_not_record_incidents_get_no_incident_rows(client, demo):
    html = _as(client, demo, "cps.caseworker").get("/workspace/referrals/new/").content.decode()
    assert 'data-testid="incidents-section"' not in html
    html = _as(client, demo, "police.caseworker").get("/workspace/referrals/new/").content.decode()
    assert 'data-testid="incidents-section"' in html


# --- The forms: one round of checks -----------------------------------------------------------


def test_the_incident_form_lists_field_and_breach_errors_together(case, demo):
    police = demo["police.caseworker"]
    order = ProtectiveOrder.objects.get(referral=case)
    form = IncidentForm(
        data={"occurred_at": _when(60), "description": "", "breach_of_order": str(order.pk)},
        referral=case, membership=police, orders=[order], breach=True,
    )
    assert not form.is_valid()
    assert form.errors["description"] == ["Describe what happened."]
    assert form.errors["behaviours"] == ["Choose at least one."]
    assert form.errors["breach_of_order"][0].startswith("The order was not yet in force then")


def test_the_breach_form_needs_the_order(case, demo):
    form = IncidentForm(
        data={"occurred_at": _when(1), "behaviours": ["texts"], "description": "x"},
        referral=case, membership=demo["police.caseworker"],
        orders=list(ProtectiveOrder.objects.filter(referral=case)), breach=True,
    )
    assert not form.is_valid()
    assert form.errors["breach_of_order"] == ["Choose the order that was breached."]


def test_the_hearing_form_lists_the_kind_and_the_past_date_together(case, demo):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    form = HearingForm(data={"date": past, "court": ""}, referral=case,
                       membership=demo["police.caseworker"])
    assert not form.is_valid()
    assert form.errors["kind"] == ["Choose the kind of hearing."]
    assert form.errors["date"] == ["The hearing date has passed: give a date from today on."]


def test_the_order_form_checks_its_dates_as_the_api_does(case, demo):
    form = OrderForm(
        data={"kind": "restraining_order", "conditions": "Stay away",
              "starts": "2026-03-01", "expires": "2026-02-01"},
        referral=case, membership=demo["police.caseworker"],
    )
    assert not form.is_valid()
    assert form.errors["expires"] == ["Must be after the start date."]


# --- The pages: who may record what -------------------------------------------------------------


def test_police_record_an_incident_a_breach_an_order_and_a_hearing(client, demo, case):
    police = _as(client, demo, "police.caseworker")
    order = ProtectiveOrder.objects.get(referral=case)
    response = police.post(url(case.pk, "incident"), {
        "occurred_at": _when(1), "behaviours": ["following"], "description": "At the station.",
        "breach_of_order": "",
    }, follow=True)
    assert response.redirect_chain[-1][0] == url(case.pk)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0].startswith(f"Incident logged on {case.reference}")

    police.post(url(case.pk, "breach"), {
        "occurred_at": _when(1), "behaviours": ["phone_calls"], "description": "Rang her.",
        "breach_of_order": str(order.pk),
    })
    assert Incident.objects.filter(referral=case, breach_of_order=order).count() == 1
    assert AgencyTask.objects.filter(referral=case, task_type="enforcement").exists()

    police.post(url(case.pk, "order"), {
        "kind": "restraining_order", "conditions": "Not to enter Leeds",
        "starts": timezone.localdate().isoformat(), "expires": "",
    })
    assert ProtectiveOrder.objects.filter(referral=case, kind="restraining_order").exists()

    police.post(url(case.pk, "hearing"), {
        "kind": "bail", "date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "court": "Leeds Magistrates' Court",
    })
    assert CourtHearing.objects.filter(referral=case, kind="bail").exists()
    html = police.get(url(case.pk)).content.decode()
    assert "Bail hearing" in html and "Leeds Magistrates&#x27; Court" in html
    assert "Pre-hearing risk assessment" in html  # the work the hearing gave


@pytest.mark.parametrize(
    ("username", "page", "allowed"),
    [
        ("police.caseworker", "incident", True),
        ("advocacy.caseworker", "incident", True),
        ("hub.caseworker", "incident", True),
        ("cps.caseworker", "incident", False),
        ("probation.caseworker", "incident", False),
        ("ftac.caseworker", "incident", False),
        ("advocacy.caseworker", "breach", True),
        ("cps.caseworker", "breach", False),
        ("police.caseworker", "order", True),
        # Advocacy records the non-molestation orders victims obtain, CPS restraining orders,
        # probation licence conditions (`policy.ORDER_KIND_WRITERS`).
        ("advocacy.caseworker", "order", True),
        ("cps.caseworker", "order", True),
        ("probation.caseworker", "order", True),
        ("hub.caseworker", "order", False),
        ("police.caseworker", "hearing", True),
        ("cps.caseworker", "hearing", True),
        ("probation.caseworker", "hearing", False),
        ("advocacy.caseworker", "hearing", False),
    ],
)
def test_a_form_is_offered_and_accepted_only_where_the_policy_allows(
    client, demo, case, username, page, allowed
):
    if username == "advocacy.caseworker":
        involvement_grant(referral=case, agency=_agency(demo, "advocacy"),
                          basis=InvolvementBasis.TASK, source="t")
    member = _as(client, demo, username)
    html = member.get(url(case.pk)).content.decode()
    assert (f'href="{url(case.pk, page)}"' in html) is allowed
    assert member.get(url(case.pk, page)).status_code == (200 if allowed else 403)
    before = (Incident.objects.count(), ProtectiveOrder.objects.count(),
              CourtHearing.objects.count())
    if not allowed:
        assert member.post(url(case.pk, page), {"description": "x"}).status_code == 403
        assert (Incident.objects.count(), ProtectiveOrder.objects.count(),
                CourtHearing.objects.count()) == before


@pytest.mark.parametrize("page", NEW_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_new_url_is_a_404_for_an_agency_that_may_not_see_the_case(
    client, demo, submit, page, method
):
    case = submit()
    member = _as(client, demo, "cps.caseworker")
    before = Event.objects.filter(verb="case_file.exported").count()
    response = getattr(member, method)(url(case["id"], page), {})
    assert response.status_code in ((404,) if method == "get" or page != "pdf" else (404, 405))
    assert getattr(member, method)(url(999999, page), {}).status_code in (404, 405)
    assert Event.objects.filter(verb="case_file.exported").count() == before
    if method == "get":
        assert Event.objects.filter(
            verb="access.refused", actor=demo["cps.caseworker"].user, referral_id=case["id"]
        ).exists()


def test_an_auditor_sees_no_case_page_form_or_export(client, demo, case):
    auditor = _as(client, demo, "oversight.auditor")
    for page in ("", *NEW_URLS):
        assert auditor.get(url(case.pk, page)).status_code in (403, 404)


# --- The PDF and its event ----------------------------------------------------------------------


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)
                                  if response.streaming else response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_holds_the_sections_the_police_may_see(client, demo, case):
    text = _pdf_text(_as(client, demo, "police.caseworker").get(url(case.pk, "pdf")))
    assert case.reference in text
    assert "Victim's contact details" in text and PHONE in text
    assert "No contact with the victim" in text  # the order
    assert "Threat assessment" not in text


def test_the_pdf_leaves_out_what_cps_may_not_see(client, demo, case):
    text = _pdf_text(_as(client, demo, "cps.caseworker").get(url(case.pk, "pdf")))
    assert case.reference in text
    assert "Alice Example" in text  # the victim section: CPS reads it
    assert PHONE not in text and "Victim's contact details" not in text


def test_the_pdf_of_a_hub_chair_holds_the_threat_assessment_and_a_caseworkers_does_not(
    client, demo, case
):
    chair = _pdf_text(_as(client, demo, "hub.chair").get(url(case.pk, "pdf")))
    assert "Threat assessment" in chair
    worker = _pdf_text(_as(client, demo, "hub.caseworker").get(url(case.pk, "pdf")))
    assert "Threat assessment" not in worker


def test_each_export_is_an_event_naming_its_sections(client, demo, case):
    _as(client, demo, "cps.caseworker").get(url(case.pk, "pdf"))
    _as(client, demo, "police.caseworker").get(url(case.pk, "pdf"))
    exports = Event.objects.filter(verb="case_file.exported", referral_id=case.pk).order_by("id")
    cps, police = exports
    assert cps.actor == demo["cps.caseworker"].user
    assert cps.changes["format"] == "pdf"
    assert "victim_contact" not in cps.changes["sections"]
    assert "victim_contact" in police.changes["sections"]
    assert police.object_type == "referral.referral" and police.object_id == str(case.pk)
    contact_reads = Event.objects.filter(verb="section.read", referral_id=case.pk,
                                         actor=demo["police.caseworker"].user,
                                         changes__section="victim_contact", id__gt=cps.id)
    assert contact_reads.count() == 1


# --- The case page: the work in hand, outcomes, queries ----------------------------------------


def _meeting(case, demo, *, decisions=1, actions=1):
    chair = demo["hub.chair"]
    conference = Conference.objects.create(
        title="Leeds stalking MASIP", starts_at=timezone.now() - timedelta(hours=2),
        started_at=timezone.now() - timedelta(hours=2), chair=chair.user,
        coordinator=chair.agency, status=Conference.Status.CLOSED,
    )
    item = AgendaItem.objects.create(conference=conference, referral=case, position=1,
                                     status=AgendaItem.Status.CLOSED)
    Decision.objects.bulk_create([
        Decision(item=item, text=f"Apply for a stalking protection order ({n})",
                 reason="Breaches continue", decided_by=chair.user) for n in range(decisions)
    ])
    ConferenceAction.objects.bulk_create([
        ConferenceAction(item=item, agency=_agency(demo, "police"), created_by=chair.user,
                         description=f"Serve the order ({n})",
                         due=timezone.localdate() + timedelta(days=7)) for n in range(actions)
    ])
    return conference


def test_the_case_page_shows_who_holds_the_work_by_name(client, demo, case):
    task = AgencyTask.objects.filter(referral=case, task_type="triage").first()
    if task is None:
        task = case_task_start(referral=case, task_type="triage", agency=_agency(demo, "hub"),
                               due=timezone.now() + timedelta(days=1))
    hub = demo["hub.caseworker"].user
    AgencyTask.objects.filter(pk=task.pk).update(owner=hub)
    html = _as(client, demo, "police.caseworker").get(url(case.pk)).content.decode()
    assert 'data-testid="case-tasks"' in html
    assert "Triage" in html and "Hub" in html
    assert hub.get_full_name() in html
    assert ">hub<" not in html and ">triage<" not in html


def test_work_of_a_section_the_reader_may_not_read_is_not_shown_but_its_own_is(
    client, demo, case
):
    # An update of the victim belongs to the victim's contact section, which CPS may not read.
    case_task_start(referral=case, task_type="victim_update",
                    agency=_agency(demo, "advocacy"), due=timezone.now() + timedelta(days=3))
    title = "Update the victim"
    cps = _as(client, demo, "cps.caseworker").get(url(case.pk)).content.decode()
    assert title not in cps
    advocacy = _as(client, demo, "advocacy.caseworker").get(url(case.pk)).content.decode()
    assert title in advocacy  # its own agency's task
    chair = _as(client, demo, "hub.chair").get(url(case.pk)).content.decode()
    assert title in chair


def test_the_case_page_shows_the_conference_outcomes_by_name(client, demo, case):
    _meeting(case, demo)
    html = _as(client, demo, "police.caseworker").get(url(case.pk)).content.decode()
    assert 'data-testid="section-outcomes"' in html
    assert "Apply for a stalking protection order (0)" in html and "Breaches continue" in html
    assert "Serve the order (0)" in html
    assert demo["hub.chair"].user.get_full_name() in html


def test_the_case_pages_queries_do_not_grow_with_incidents_tasks_and_decisions(
    client, demo, case
):
    police = _as(client, demo, "police.caseworker")
    police.get(url(case.pk))  # warm the caches a first page fills (membership, session)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = police.get(url(case.pk))
        assert response.status_code == 200
        return len(ctx)

    _meeting(case, demo, decisions=1, actions=1)
    one = count()
    member = demo["police.caseworker"]
    Incident.objects.bulk_create([
        Incident(referral=case, occurred_at=timezone.now() - timedelta(days=n % 300),
                 behaviours=["texts"], description="d", severity=1,
                 reporting_agency=member.agency, recorded_by=member.user)
        for n in range(60)
    ])
    for n in range(8):
        case_task_start(referral=case, task_type="enforcement", agency=member.agency,
                        due=timezone.now() + timedelta(hours=n))
    _meeting(case, demo, decisions=5, actions=5)
    many = count()
    assert one == many


# --- The API's case-file read ---------------------------------------------------------------------


def test_the_api_exports_the_same_case_file_with_its_event(as_user, case, demo):
    response = as_user("cps.caseworker").get(f"/api/v1/referrals/{case.pk}/case-file/")
    text = _pdf_text(response)
    assert case.reference in text and PHONE not in text
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-case-file.pdf"'
    )
    event = Event.objects.get(verb="case_file.exported", referral_id=case.pk)
    assert event.actor == demo["cps.caseworker"].user


def test_the_api_export_is_a_404_for_an_agency_that_may_not_see_the_case(as_user, submit):
    body = submit()
    response = as_user("cps.caseworker").get(f"/api/v1/referrals/{body['id']}/case-file/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Event.objects.filter(verb="case_file.exported").exists()
