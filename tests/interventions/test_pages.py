"""The case page's cards and forms of assessments and interventions: 404 before 403, one
round of checks, labels not codes, and reads in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Event
from interventions import case_file
from interventions.models import (
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
)
from referral.models import Referral
from tests.seed import seeded_demo

from .factories import RISK_ASSESSMENT, intervention

pytestmark = pytest.mark.django_db


def _page(case, rest=""):
    return f"/workspace/referrals/{case['id']}/{rest}"


def test_assessments_card_shows_labels_and_before_the_hearing(refer, hearing, work, signed_in):
    case = refer()
    hearing(case, "sentencing")
    work("police.caseworker", "pre_hearing_risk_assessment", case["id"], RISK_ASSESSMENT)
    html = signed_in("police.caseworker").get(_page(case)).content.decode()
    assert 'data-testid="section-assessments"' in html
    assert html.count('data-testid="hearing-assessment-row"') == 3
    assert "Pre-sentence report" in html and "Sentencing hearing" in html
    assert "before the hearing" in html and "pre_sentence_report" not in html


def test_interventions_card_offers_forms_only_to_writers(submit, as_user, signed_in):
    case = submit()
    as_user("police.caseworker").post(
        f"/api/v1/referrals/{case['id']}/interventions/", intervention(), format="json"
    )
    html = signed_in("police.caseworker").get(_page(case)).content.decode()
    assert 'data-testid="section-interventions"' in html
    assert "Stalking intervention programme" in html
    assert _page(case, "intervention/") in html and _page(case, "intervention/status/") in html


def test_intervention_form_records_and_refuses_in_one_round(submit, signed_in):
    case = submit()
    client = signed_in("police.caseworker")
    assert client.get(_page(case, "intervention/")).status_code == 200
    refused = client.post(_page(case, "intervention/"), {
        "kind": "domestic_abuse_programme", "vehicle": "spo_requirement",
    })
    assert refused.status_code == 200
    form = refused.context["form"]
    assert {"fit_reason", "vehicle"} <= set(form.errors)
    assert not Intervention.objects.filter(referral_id=case["id"]).exists()
    done = client.post(_page(case, "intervention/"), {
        "kind": "psychological_treatment", "vehicle": "voluntary", "provider": "NHS",
    })
    assert done.status_code == 302
    row = Intervention.objects.get(referral_id=case["id"])
    status = client.post(_page(case, "intervention/status/"), {
        "intervention": row.pk, "status": "stopped",
    })
    assert status.status_code == 200 and "reason" in status.context["form"].errors
    status = client.post(_page(case, "intervention/status/"), {
        "intervention": row.pk, "status": "started",
    })
    assert status.status_code == 302
    row.refresh_from_db()
    assert row.status == "started"


def test_perpetrator_assessment_form(submit, signed_in):
    case = submit()
    client = signed_in("police.caseworker")
    done = client.post(_page(case, "perpetrator-assessment/"), {
        "instrument": "sam", "assessor_trained": "no", "persistence": "low",
        "recurrence": "low", "violence": "moderate",
    })
    assert done.status_code == 302, done.content
    row = PerpetratorAssessment.objects.get(referral_id=case["id"])
    assert row.instrument == "sam" and row.assessor_trained is False


@pytest.mark.parametrize("path", [
    "intervention/", "intervention/status/", "perpetrator-assessment/", "psychiatric-assessment/",
])
def test_forms_answer_404_before_403(submit, signed_in, work, path):
    case = submit()
    assert signed_in("advocacy.caseworker").get(_page(case, path)).status_code == 404
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "medium"})
    assert signed_in("advocacy.caseworker").get(_page(case, path)).status_code == 403
    assert signed_in("advocacy.caseworker").post(_page(case, path), {}).status_code == 403


def test_psychiatric_form_records_the_next_step(refer, hearing, work, signed_in):
    case = refer()
    hearing(case, "bail")
    work("cps.caseworker", "psychiatric_assessment_request", case["id"],
         {"request": True, "reason": "Possible psychosis."})
    client = signed_in("ftac.caseworker")
    html = client.get(_page(case)).content.decode()
    assert _page(case, "psychiatric-assessment/") in html
    assessment = PsychiatricAssessment.objects.get(referral_id=case["id"])
    refused = client.post(_page(case, "psychiatric-assessment/"),
                          {"assessment": assessment.pk, "status": "done"})
    assert refused.status_code == 200 and "status" in refused.context["form"].errors
    done = client.post(_page(case, "psychiatric-assessment/"),
                       {"assessment": assessment.pk, "status": "requested"})
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "requested"


def _many(case, demo, n):
    referral = Referral.objects.get(pk=case["id"])
    police = demo["police.caseworker"]
    plan, _ = InterventionPlan.objects.get_or_create(
        referral=referral, defaults={"lead_agency": police.agency,
                                     "opened_on": timezone.localdate(), "opened_by": police.user},
    )
    Intervention.objects.bulk_create([
        Intervention(plan=plan, referral=referral, kind="stalking_programme", vehicle="voluntary",
                     offered_on=timezone.localdate(), agency=police.agency,
                     recorded_by=police.user)
        for _ in range(n)
    ])
    PerpetratorAssessment.objects.bulk_create([
        PerpetratorAssessment(plan=plan, referral=referral, instrument="srp",
                              assessor_trained=True, done_on=timezone.localdate(),
                              persistence="low", recurrence="low", violence="low",
                              agency=police.agency, recorded_by=police.user)
        for _ in range(n)
    ])


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_and_page_read_in_a_fixed_number_of_queries(
    refer, hearing, work, demo, as_user, signed_in
):
    case = refer()
    hearing(case, "bail")
    work("cps.caseworker", "psychiatric_assessment_request", case["id"],
         {"request": True, "reason": "r"})
    _many(case, demo, 1)
    api, page = as_user("police.caseworker"), signed_in("police.caseworker")
    page.get(_page(case))  # the session's first request checks its second factor
    detail_one = _count(api, f"/api/v1/referrals/{case['id']}/")
    page_one = _count(page, _page(case))
    list_one = _count(api, f"/api/v1/referrals/{case['id']}/interventions/")
    _many(case, demo, 30)
    for _ in range(5):
        hearing(case, "sentencing")
    detail = api.get(f"/api/v1/referrals/{case['id']}/").json()
    assert len(detail["interventions"]["interventions"]) == 31
    assert len(detail["assessments"]["hearing_assessments"]) == 2 + 5 * 3
    assert _count(api, f"/api/v1/referrals/{case['id']}/") == detail_one
    assert _count(page, _page(case)) == page_one
    assert _count(api, f"/api/v1/referrals/{case['id']}/interventions/") == list_one


def test_an_unreadable_section_costs_no_query(submit, as_user, signed_in, work):
    case = submit()
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "medium"})
    referral = Referral.objects.get(pk=case["id"])
    advocacy = seeded_demo()["advocacy.caseworker"]
    with CaptureQueriesContext(connection) as ctx:
        sections = case_file.detail_sections(referral=referral, membership=advocacy)
    assert "threat_recommendations" not in sections
    # Advocacy reads assessments and interventions: two queries, none for the recommendations.
    assert len(ctx.captured_queries) == 3


def test_an_empty_interventions_section_is_not_a_logged_read(submit, as_user, demo):
    case = submit()
    as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/")
    sections = set(Event.objects.filter(referral_id=case["id"], verb="section.read")
                   .values_list("changes__section", flat=True))
    assert "interventions" not in sections and "threat_recommendations" not in sections
