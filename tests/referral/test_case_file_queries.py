"""A fully populated case's API detail and case page (`case_file.build`) read each practice
section once: a fixed number of queries per agency kind, the same for one row in each section as
for many."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interventions.models import (
    HearingAssessment,
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
    ThreatRecommendation,
)
from justice.models import WarningSigns
from justice.services import (
    ChargingDraft,
    OutcomeDraft,
    PoliceDecisionDraft,
    RequirementDraft,
    SentenceDraft,
    charging_decision_record,
    hearing_outcome_record,
    police_decision_record,
    sentence_record,
)
from orders.models import Enforcement, NotificationDuty, OrderApplication, OrderChange
from referral import case_file
from referral.access import involvement_grant
from referral.models import (
    CourtHearing,
    Incident,
    InvolvementBasis,
    ProtectiveOrder,
    Referral,
)
from tests.justice.factories import offence_for
from tests.referral.factories import payload
from victims.models import (
    AdvocateAssignment,
    ConsentScope,
    ContactEntry,
    Entitlement,
    PersonAtRisk,
    RightToReview,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)

pytestmark = pytest.mark.django_db

READERS = ("police.caseworker", "cps.caseworker", "probation.caseworker",
           "advocacy.caseworker", "ftac.caseworker")


def involved_case(as_user, demo) -> Referral:
    """A police referral with orders, that every practice agency is involved in."""
    body = payload(orders=[
        {"kind": "restraining_order", "conditions": "No contact.", "starts": "2025-01-01"},
        {"kind": "stalking_protection_order", "conditions": "No contact.",
         "starts": "2025-01-01"},
    ])
    response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    for username in ("cps.caseworker", "probation.caseworker", "advocacy.caseworker",
                     "ftac.caseworker", "hub.caseworker"):
        involvement_grant(referral=referral, agency=demo[username].agency,
                          basis=InvolvementBasis.TASK, source="test")
    return referral


def populate(referral: Referral, demo, n: int) -> None:
    """`n` more rows in every practice section of the case: offences that went from arrest to
    sentence, hearings with outcomes and assessments, order changes, breaches with their
    offences and enforcements, psychiatric assessments, recommendations, interventions, the
    victim's voice, contacts and others at risk."""
    police, cps = demo["police.caseworker"], demo["cps.caseworker"]
    by = {"agency": police.agency, "recorded_by": police.user}
    now, today = timezone.now(), timezone.localdate()
    orders = list(ProtectiveOrder.objects.filter(referral=referral).order_by("id"))
    spo = orders[-1]
    WarningSigns.objects.bulk_create([
        WarningSigns(referral=referral, stage="referral", fixated=True, obsessive=None,
                     unwanted=True, repeated=False, offences_considered=["pha_s4a"], **by)
        for _ in range(n)
    ])
    for _ in range(n):
        hearing = CourtHearing.objects.create(referral=referral, kind=CourtHearing.Kind.CHARGE,
                                              date=today, court="Leeds Magistrates",
                                              recorded_by=police.user)
        offence = offence_for(referral, police)
        police_decision_record(offence=offence, actor=police.user, membership=police,
                               draft=PoliceDecisionDraft(kind="arrested", decided_on=today))
        charging_decision_record(referral=referral, offence=offence, actor=cps.user,
                                 membership=cps,
                                 draft=ChargingDraft(decision="charge", decided_on=today))
        hearing_outcome_record(hearing=hearing, actor=cps.user, membership=cps,
                               draft=OutcomeDraft(result="convicted", offence=offence))
        sentence_record(offence=offence, actor=cps.user, membership=cps, draft=SentenceDraft(
            disposal="community_order", sentenced_on=today, hearing=hearing,
            requirements=(RequirementDraft(kind="unpaid_work"),),
        ))
        HearingAssessment.objects.create(
            hearing=hearing, referral=referral, agency=police.agency, kind="risk_assessment",
            due=now, completed_at=now, before_hearing=True, risk_level="high", summary="s",
        )
        breach = Incident.objects.create(
            referral=referral, occurred_at=now - timedelta(days=1), behaviours=["texts"],
            description="breach", severity=1, reporting_agency=police.agency,
            recorded_by=police.user, breach_of_order=orders[0],
        )
        Enforcement.objects.create(referral=referral, incident=breach, order=orders[0],
                                   agency=police.agency, due=now, outcome="arrested",
                                   on_time=True)
        offence_for(referral, police, kind="pha_s5_5", breach_of_order=orders[0])
    OrderChange.objects.bulk_create([
        OrderChange(order=orders[0], referral=referral, kind="varied", on=today, **by)
        for _ in range(n)
    ])
    if not NotificationDuty.objects.filter(order=spo).exists():
        NotificationDuty.objects.create(order=spo, referral=referral, served_on=today,
                                        due_on=today + timedelta(days=3))
    OrderApplication.objects.bulk_create([
        OrderApplication(referral=referral, applied_on=today, **by)
        for _ in range(n)
    ])
    PsychiatricAssessment.objects.bulk_create([
        PsychiatricAssessment(referral=referral, sought_on=today, agency=cps.agency,
                              recorded_by=cps.user)
        for _ in range(n)
    ])
    ftac = demo["ftac.caseworker"]
    ThreatRecommendation.objects.bulk_create([
        ThreatRecommendation(referral=referral, agency=ftac.agency, recommendations="r",
                             sharing_basis="b", shared_by=ftac.user, shared_at=now)
        for _ in range(n)
    ])
    plan, _ = InterventionPlan.objects.get_or_create(
        referral=referral, defaults={"lead_agency": police.agency, "opened_on": today,
                                     "opened_by": police.user},
    )
    Intervention.objects.bulk_create([
        Intervention(plan=plan, referral=referral, kind="stalking_programme",
                     vehicle="voluntary", offered_on=today, **by)
        for _ in range(n)
    ])
    PerpetratorAssessment.objects.bulk_create([
        PerpetratorAssessment(plan=plan, referral=referral, instrument="srp",
                              assessor_trained=True, done_on=today, persistence="low",
                              recurrence="low", violence="low", **by)
        for _ in range(n)
    ])
    Entitlement.objects.get_or_create(referral=referral, defaults={
        "enhanced": True, "basis": "", "decided_by": police.user, "decided_at": now,
    })
    VictimWishes.objects.bulk_create([
        VictimWishes(referral=referral, supports_prosecution=True, wishes="w",
                     given_under_consent=True, **by)
        for _ in range(n)
    ])
    ConsentScope.objects.bulk_create([
        ConsentScope(referral=referral, agency_kinds=["police", "cps"], given_on=today, **by)
        for _ in range(n)
    ])
    if not AdvocateAssignment.objects.filter(referral=referral).exists():
        advocacy = demo["advocacy.caseworker"]
        AdvocateAssignment.objects.create(
            referral=referral, advocate=advocacy.user, role="isac", started_on=today,
            agency=advocacy.agency, recorded_by=advocacy.user,
        )
    safety_plan = SafetyPlan.objects.filter(referral=referral).first() or (
        SafetyPlan.objects.create(referral=referral, agreed_on=today, review_on=today, **by)
    )
    SafetyPlanReview.objects.bulk_create([
        SafetyPlanReview(plan=safety_plan, reviewed_on=today, **by) for _ in range(n)
    ])
    StatementOffer.objects.bulk_create([
        StatementOffer(referral=referral, offered_on=today, **by) for _ in range(n)
    ])
    RightToReview.objects.bulk_create([
        RightToReview(referral=referral, decided_by_kind="police", decision_on=today,
                      offered_on=today)
        for _ in range(n)
    ])
    PersonAtRisk.objects.bulk_create([
        PersonAtRisk(referral=referral, relation="child", **by) for _ in range(n)
    ])
    ContactEntry.objects.bulk_create([
        ContactEntry(referral=referral, at=now - timedelta(minutes=i), method="phone",
                     reached=True, **by)
        for i in range(n)
    ])


def count_queries(call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result


# Queries of a fully populated case, as each agency kind reads it: the API detail (with the
# caller's token and the logged reads) and the case page's `case_file.build`.
DETAIL_QUERIES = {
    "police.caseworker": 29, "cps.caseworker": 27, "probation.caseworker": 24,
    "advocacy.caseworker": 27, "ftac.caseworker": 23,
}
BUILD_QUERIES = {
    "police.caseworker": 38, "cps.caseworker": 36, "probation.caseworker": 33,
    "advocacy.caseworker": 36, "ftac.caseworker": 32,
}
# Tables of the practice sections, each read at most once by the detail and by the page.
PRACTICE_TABLES = (
    "justice_warningsigns", "justice_offence", "justice_policedecision",
    "justice_chargingdecision", "justice_hearingoutcome", "justice_sentence",
    "justice_sentencerequirement", "justice_sentence_orders", "interventions_hearingassessment",
    "interventions_psychiatricassessment", "interventions_threatrecommendation",
    "interventions_interventionplan", "interventions_perpetratorassessment",
    "interventions_intervention", "orders_orderapplication", "victims_righttoreview",
    "victims_safetyplanreview", "victims_personatrisk", "victims_contactentry",
)


def _tables_read(queries) -> dict[str, int]:
    """How many statements read each practice table as their own (not in a subquery, whose
    tables Django names U0, U1...)."""
    return {
        table: sum(bool(re.search(rf'FROM "{table}"(?! U\d)', q["sql"])) for q in queries)
        for table in PRACTICE_TABLES
    }


@pytest.fixture
def populated(as_user, demo):
    referral = involved_case(as_user, demo)
    populate(referral, demo, 1)
    return referral


def _detail(client, referral):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json(), ctx.captured_queries


@pytest.mark.parametrize("username", READERS)
def test_the_detail_reads_a_fixed_number_of_queries_whatever_the_rows(
    populated, as_user, demo, username
):
    client = as_user(username)
    client.get(f"/api/v1/referrals/{populated.pk}/")  # the token's first use
    one, first, queries = _detail(client, populated)
    assert one == DETAIL_QUERIES[username]
    read = _tables_read(queries)
    assert all(n <= 1 for n in read.values()), {t: n for t, n in read.items() if n > 1}
    populate(populated, demo, 4)
    many, detail, _ = _detail(client, populated)
    assert many == one
    if "offences" in detail:
        assert len(first["offences"]) == 2 and len(detail["offences"]) == 10
    if "victim_voice" in detail:
        assert len(detail["victim_voice"]["reviews"]) == 5


@pytest.mark.parametrize("username", READERS)
def test_the_case_file_reads_each_practice_table_once(populated, demo, username):
    member = demo[username]
    case_file.build(membership=member, referral_id=populated.pk)
    one, file = count_queries(lambda: case_file.build(membership=member,
                                                      referral_id=populated.pk))
    with CaptureQueriesContext(connection) as ctx:
        case_file.build(membership=member, referral_id=populated.pk)
    read = _tables_read(ctx.captured_queries)
    assert all(n <= 1 for n in read.values()), {t: n for t, n in read.items() if n > 1}
    assert one == BUILD_QUERIES[username]
    populate(populated, demo, 4)
    many, more = count_queries(lambda: case_file.build(membership=member,
                                                       referral_id=populated.pk))
    assert many == one
    if "justice_offences" in more.context:
        assert len(more.context["justice_offences"]) == 10
    if "contacts" in more.context["victims"]:
        assert len(more.context["victims"]["contacts"]) == 5


def test_the_case_page_shows_the_sections_it_read_once(populated, demo):
    file = case_file.build(membership=demo["police.caseworker"], referral_id=populated.pk)
    context = file.context
    [offence] = [o for o in context["justice_offences"] if o["sentenced"]]
    assert offence["outcomes"] == [{"label": "Convicted", "on": timezone.localdate()}]
    assert offence["charging"][0]["label"] and not offence["charging"][0]["case_wide"]
    assert context["justice_signs"]["created_at"] is not None
    assert context["justice_hearings"][0]["outcomes"] == ["Convicted"]
    assert context["court_assessments"]["hearing_assessments"][0]["agency_name"] == (
        demo["police.caseworker"].agency.name
    )
    assert context["perpetrator_interventions"]["plan"]["lead_agency_name"] == (
        demo["police.caseworker"].agency.name
    )
    victims = context["victims"]
    assert victims["reads_contacts"] and len(victims["contacts"]) == 1
    # The card's latest contacts are the detail's log, read once.
    assert victims["contacts"] == context["case"]["victim_contact"]["log"]
    assert victims["victim_voice"]["safety_plan"]["reviews"]
    assert victims["opted_out_without_reason"] is False
    assert "safeguarding_url" in victims["safeguarding"]["others_at_risk"][0]
    assert "safeguarding_url" not in file.context["case"]["safeguarding"]["others_at_risk"][0]


def test_the_detail_holds_the_contact_log_for_its_readers(populated, as_user, demo):
    police = as_user("police.caseworker")
    populate(populated, demo, 2)
    detail = police.get(f"/api/v1/referrals/{populated.pk}/").json()
    listed = police.get(f"/api/v1/referrals/{populated.pk}/contacts/").json()["results"]
    assert len(detail["victim_contact"]["log"]) == 3
    assert detail["victim_contact"]["log"] == listed
    assert detail["victim_contact"]["phone"]  # the contact details stay beside it
    times = [row["at"] for row in listed]
    assert times == sorted(times, reverse=True)
    probation = as_user("probation.caseworker").get(f"/api/v1/referrals/{populated.pk}/").json()
    assert "victim_contact" not in probation


def test_a_contact_log_alone_makes_the_section(as_user, demo):
    body = payload()
    del body["victim_contact"]
    client = as_user("police.caseworker")
    referral_id = client.post("/api/v1/referrals/", body, format="json").json()["id"]
    assert client.get(f"/api/v1/referrals/{referral_id}/").json()["victim_contact"] is None
    police = demo["police.caseworker"]
    ContactEntry.objects.create(referral_id=referral_id, at=timezone.now(), method="phone",
                                reached=False, agency=police.agency, recorded_by=police.user)
    section = client.get(f"/api/v1/referrals/{referral_id}/").json()["victim_contact"]
    assert section["phone"] == "" and section["identifiers"] == []
    assert [row["reached"] for row in section["log"]] == [False]

