"""What a case's detail and page show of the interventions records: only the sections the
reader may read, in a fixed number of queries (none for a section it may not read)."""

from __future__ import annotations

from django.urls import reverse

from agencies import policy
from agencies.models import Membership
from referral.models import CourtHearing

from . import selectors
from .models import (
    HearingAssessment,
    Intervention,
    Level,
    PerpetratorAssessment,
    PsychiatricAssessment,
)

HEARING_KIND = dict(CourtHearing.Kind.choices)
ASSESSMENT_KIND = dict(HearingAssessment.Kind.choices)
PSYCHIATRIC_STATUS = dict(PsychiatricAssessment.Status.choices)
INSTRUMENT = dict(PerpetratorAssessment.Instrument.choices)
LEVEL = dict(Level.choices)
KIND = dict(Intervention.Kind.choices)
VEHICLE = dict(Intervention.Vehicle.choices)
SOURCE = dict(Intervention.Source.choices)
STATUS = dict(Intervention.Status.choices)
RISK = {"standard": "Standard", "medium": "Medium", "high": "High", "low": "Low",
        "very_high": "Very high"}


def detail_sections(*, referral, membership: Membership) -> dict:
    """The detail's keys of this app, absent when unreadable: `assessments` (before hearings,
    pre-sentence reports, psychiatric), `threat_recommendations` (as shared), `interventions`
    (null until a plan is open)."""
    sections: dict = {}
    if policy.can_read(membership, "assessments"):
        sections["assessments"] = selectors.assessments(referral=referral)
    if policy.can_read(membership, "threat_recommendations"):
        sections["threat_recommendations"] = selectors.threat_recommendations(referral=referral)
    if policy.can_read(membership, "interventions"):
        sections["interventions"] = selectors.interventions(referral=referral)
    return sections


def _url(name: str, referral_id: int) -> str:
    return reverse(f"workspace:referrals:{name}", kwargs={"referral_id": referral_id})


def agency_slugs(sections: dict) -> set[str]:
    """The agencies this app's cards name, of the detail's `sections`."""
    slugs = set()
    for row in sections.get("assessments", {}).get("hearing_assessments", []):
        slugs.add(row["agency"])
    for row in sections.get("threat_recommendations", []):
        slugs.add(row["agency"])
    plan = sections.get("interventions")
    if plan:
        slugs.add(plan["plan"]["lead_agency"])
    return slugs


def _assessments_card(data: dict, names: dict, links: list) -> dict:
    return {
        "hearing_assessments": [
            {
                **row,
                "hearing_label": HEARING_KIND.get(row["hearing"]["kind"], row["hearing"]["kind"]),
                "hearing_date": row["hearing"]["date"],
                "kind_label": ASSESSMENT_KIND.get(row["kind"], row["kind"]),
                "agency_name": names.get(row["agency"], row["agency"]),
                "risk_label": RISK.get(row["risk_level"], row["risk_level"]),
            }
            for row in data["hearing_assessments"]
        ],
        "psychiatric": [
            {**row, "status_label": PSYCHIATRIC_STATUS.get(row["status"], row["status"])}
            for row in data["psychiatric"]
        ],
        "links": links,
    }


def _interventions_card(data: dict | None, names: dict, links: list) -> dict:
    if not data:
        return {"plan": None, "links": links}
    return {
        "plan": {
            **data["plan"],
            "lead_agency_name": names.get(data["plan"]["lead_agency"], data["plan"]["lead_agency"]),
        },
        "assessments": [
            {
                **row,
                "instrument_label": INSTRUMENT.get(row["instrument"], row["instrument"]),
                "persistence_label": LEVEL.get(row["persistence"], row["persistence"]),
                "recurrence_label": LEVEL.get(row["recurrence"], row["recurrence"]),
                "violence_label": LEVEL.get(row["violence"], row["violence"]),
            }
            for row in data["assessments"]
        ],
        "interventions": [
            {
                **row,
                "kind_label": KIND.get(row["kind"], row["kind"]),
                "vehicle_label": VEHICLE.get(row["vehicle"], row["vehicle"]),
                "source_label": SOURCE.get(row["source"], row["source"]),
                "status_label": STATUS.get(row["status"], row["status"]),
                "treatment": row["kind"] != Intervention.Kind.OTHER,
            }
            for row in data["interventions"]
        ],
        "links": links,
    }


def page_context(*, referral, membership: Membership, sections: dict,
                 names: dict[str, str]) -> dict:
    """The case page's cards of this app ("Assessments for court", "Threat assessment
    recommendations", "Interventions and treatment"), each only when readable, from the
    detail's `sections` and the agencies' `names` (those of `agency_slugs`; no query), with
    the forms the member may use."""
    context: dict = {}
    if "assessments" in sections:
        links = []
        if policy.can_track_psychiatric(membership) and sections["assessments"]["psychiatric"]:
            links.append({
                "url": _url("interventions_psychiatric", referral.pk),
                "label": "Record a psychiatric assessment's next step",
            })
        context["court_assessments"] = _assessments_card(sections["assessments"], names, links)
    if "threat_recommendations" in sections:
        context["threat_recommendations"] = [
            {**row, "agency_name": names.get(row["agency"], row["agency"])}
            for row in sections["threat_recommendations"]
        ]
    if "interventions" in sections:
        links = []
        if policy.can_write(membership, "interventions"):
            links += [
                {"url": _url("interventions_new", referral.pk),
                 "label": "Record an intervention"},
                {"url": _url("interventions_perpetrator_assessment", referral.pk),
                 "label": "Record an assessment of the perpetrator"},
            ]
            if sections["interventions"] and sections["interventions"]["interventions"]:
                links.append({"url": _url("interventions_status", referral.pk),
                              "label": "Update an intervention"})
        context["perpetrator_interventions"] = _interventions_card(
            sections["interventions"], names, links
        )
    return context
