"""The clinical formulations kept in model fields are encrypted at rest: the perpetrator
assessment's summary, and an assessment for court's summary and treatment suitability."""

import pytest
from django.db import connection

from .factories import PERPETRATOR_ASSESSMENT, PSR

pytestmark = pytest.mark.django_db

FORMULATION = "Rejected ex-partner; grievance, rumination, no insight."


def _stored(table: str, columns: str, referral_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE referral_id = %s", [referral_id])
        return cursor.fetchall()


def test_the_perpetrator_assessment_summary_is_stored_encrypted(submit, as_user):
    case = submit()
    police = as_user("police.caseworker")
    response = police.post(f"/api/v1/referrals/{case['id']}/perpetrator-assessments/",
                           {**PERPETRATOR_ASSESSMENT, "summary": FORMULATION}, format="json")
    assert response.status_code == 201, response.content
    [(summary,)] = _stored("interventions_perpetratorassessment", "summary", case["id"])
    assert summary.startswith("gAAAAA") and "grievance" not in summary
    assert response.json()["assessments"][0]["summary"] == FORMULATION
    detail = police.get(f"/api/v1/referrals/{case['id']}/interventions/").json()
    assert detail["assessments"][0]["summary"] == FORMULATION


def test_a_pre_sentence_reports_treatment_suitability_is_stored_encrypted(refer, hearing, work,
                                                                          as_user):
    case = refer()
    hearing(case, "sentencing")
    work("probation.caseworker", "pre_sentence_report", case["id"],
         {**PSR, "summary": FORMULATION})
    stored = _stored("interventions_hearingassessment", "kind, summary, treatment_suitability",
                     case["id"])
    [(_, summary, suitability)] = [row for row in stored if row[0] == "pre_sentence_report"]
    assert "grievance" not in summary and "mental health" not in suitability
    assert summary.startswith("gAAAAA") and suitability.startswith("gAAAAA")
    listed = as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/assessments/")
    [psr] = [a for a in listed.json()["hearing_assessments"] if a["kind"] == "pre_sentence_report"]
    assert psr["treatment_suitability"] == PSR["treatment_suitability"]
    assert psr["summary"] == FORMULATION
