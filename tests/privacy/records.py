"""One record of each kind `privacy.erasure` erases, on one case, every text in it marked."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils import timezone

from conferences.models import (
    AgendaItem,
    Conference,
    ConferenceAction,
    Decision,
    JudgementReferral,
    Note,
)
from interventions.models import (
    HearingAssessment,
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
    ThreatRecommendation,
)
from justice.models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    PoliceDecision,
    Sentence,
    SentenceRequirement,
)
from orders.models import Enforcement, OrderApplication, OrderChange
from referral.models import CourtHearing, Incident, PersonIdentifier, ProtectiveOrder, Referral
from victims.models import (
    AdvocateAssignment,
    ConsentScope,
    ContactEntry,
    Entitlement,
    PersonAtRisk,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)

# Personal data no erased case may still hold anywhere in the database.
MARK = "Quarrington"


def text(what: str) -> str:
    return f"{what} about Zelda {MARK}"


def add_every_record(referral: Referral, demo) -> None:
    """A row of each model of `privacy.erasure.FREE_TEXT` (and identifiers), texts marked."""
    police = demo["police.caseworker"]
    agency, user = police.agency, police.user
    by = {"agency": agency, "recorded_by": user}
    today = date.today()
    now = timezone.now()
    case = {"referral": referral}

    PersonIdentifier.objects.create(
        **case,
        **by,
        role="victim",
        kind="phone",
        value=f"07700 900{MARK[:3]}",
        normalised="07700900",
        platform="",
    )
    incident = Incident.objects.create(
        **case,
        reporting_agency=agency,
        recorded_by=user,
        occurred_at=now,
        behaviours=["texts"],
        description=text("incident"),
        severity=1,
    )
    order = ProtectiveOrder.objects.create(
        **case,
        **by,
        kind="restraining_order",
        conditions=text("conditions"),
        starts=today,
        requirements=text("requirements"),
    )
    offence = Offence.objects.create(
        **case,
        **by,
        kind="pha_s2a",
        crime_reference=f"CR-{MARK}",
        status="convicted",
    )
    PoliceDecision.objects.create(
        offence=offence,
        **by,
        kind="charged",
        decided_on=today,
        reason=text("police reason"),
    )
    ChargingDecision.objects.create(
        **case,
        **by,
        decision="charge",
        decided_on=today,
        reason=text("charging reason"),
        offence_named=text("offence named"),
    )
    hearing = CourtHearing.objects.create(**case, kind="sentencing", date=today, recorded_by=user)
    HearingOutcome.objects.create(
        hearing=hearing, **by, result="sentenced", note=text("outcome note")
    )
    sentence = Sentence.objects.create(
        offence=offence, **by, sentenced_on=today, disposal="community_order"
    )
    SentenceRequirement.objects.create(
        sentence=sentence, kind="curfew", detail=text("requirement detail")
    )
    OrderApplication.objects.create(**case, **by, applied_on=today, reason=text("application"))
    OrderChange.objects.create(
        order=order, **case, **by, kind="varied", on=today, reason=text("variation")
    )
    Enforcement.objects.create(
        **case,
        agency=agency,
        incident=incident,
        order=order,
        due=now,
        outcome="warned",
        outcome_reason=text("enforcement"),
    )
    HearingAssessment.objects.create(
        hearing=hearing,
        **case,
        agency=agency,
        kind="risk_assessment",
        due=now,
        summary=text("assessment summary"),
        victim_views=text("victim views"),
        bail_conditions_sought=text("bail conditions"),
        recommendation=text("recommendation"),
        treatment_suitability=text("treatment suitability"),
    )
    PsychiatricAssessment.objects.create(
        **case, **by, sought_on=today, reason=text("psychiatric reason")
    )
    ThreatRecommendation.objects.create(
        **case,
        agency=agency,
        recommendations=text("recommendations"),
        sharing_basis=text("sharing basis"),
        shared_by=user,
        shared_at=now,
    )
    plan = InterventionPlan.objects.create(
        **case, lead_agency=agency, opened_on=today, opened_by=user
    )
    PerpetratorAssessment.objects.create(
        plan=plan,
        **case,
        **by,
        instrument="srp",
        assessor_trained=True,
        assessor=f"Dr {MARK}",
        done_on=today,
        persistence="high",
        recurrence="high",
        violence="low",
        summary=text("formulation"),
    )
    Intervention.objects.create(
        plan=plan,
        **case,
        **by,
        kind="stalking_programme",
        vehicle="voluntary",
        offered_on=today,
        status="stopped",
        fit_reason=text("fit"),
        stop_reason=text("stop"),
    )
    Entitlement.objects.update_or_create(
        referral=referral,
        defaults={"enhanced": False, "decided_at": now, "opt_out_reason": text("opt out")},
    )
    victim_side = {**case, "agency": agency, "recorded_by": user}
    VictimWishes.objects.create(
        **victim_side, wishes=text("wishes"), contact_preferences=text("preferences")
    )
    ConsentScope.objects.create(**victim_side, given_on=today, covers=text("covers"))
    AdvocateAssignment.objects.create(
        **victim_side, advocate=user, role="isac", started_on=today, reason=text("advocate")
    )
    ContactEntry.objects.create(
        **victim_side, at=now, method="phone", reached=True, note=text("contact note")
    )
    safety = SafetyPlan.objects.create(
        **victim_side,
        agreed_on=today,
        review_on=today + timedelta(days=30),
        summary=text("safety plan"),
    )
    SafetyPlanReview.objects.create(
        plan=safety, agency=agency, recorded_by=user, reviewed_on=today, note=text("review")
    )
    StatementOffer.objects.create(
        **victim_side, offered_on=today, made=False, declined_reason=text("declined")
    )
    PersonAtRisk.objects.create(
        **victim_side,
        relation="child",
        name=f"Ben {MARK}",
        born=date(2015, 1, 1),
        notes=text("notes"),
        outcome=text("outcome"),
    )
    JudgementReferral.objects.create(**case, agency=agency, made_by=user, reason=text("judgement"))
    chair = demo["hub.chair"]
    conference = Conference.objects.create(
        title="Monthly conference",
        starts_at=now,
        chair=chair.user,
        coordinator=chair.agency,
    )
    item = AgendaItem.objects.create(conference=conference, **case, position=1)
    Decision.objects.create(
        item=item, text=text("decision"), reason=text("decision reason"), decided_by=chair.user
    )
    ConferenceAction.objects.create(
        item=item,
        agency=agency,
        description=text("action"),
        due=today,
        outcome="done",
        outcome_note=text("action outcome"),
        created_by=chair.user,
    )
    Note.objects.create(
        conference=conference,
        agenda_item=item,
        author=chair.user,
        agency=chair.agency,
        text=text("live note"),
        seq=1,
        client_id=uuid.uuid4(),
    )
