"""One case from referral to sentence and order, with a breach and its outcome, through the API
as each agency works it: the README's "One case, referral to sentence" walkthrough."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interventions.models import Intervention
from justice.models import Offence, OffenceKind, PoliceDecision
from orders.models import Enforcement
from referral.models import CourtHearing, ProtectiveOrder
from tests.referral.factories import incident_body
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

RESEARCH = {"summary": "Two prior harassment convictions.", "withheld": False}


def _victim_updates(referral_id) -> list[tuple[str, str, str]]:
    """(agency kind, duty holder, trigger) of each update the Victims' Code made due."""
    return sorted(
        (agency, context.get("duty_holder", ""), context.get("trigger", ""))
        for agency, context in AgencyTask.objects.filter(
            referral_id=referral_id, task_type__in=("victim_update", "victim_letter")
        ).values_list("agency__kind", "process__data__context")
    )


def _hold(hearing_id: int) -> None:
    """The hearing's day comes: a hearing is recorded before it is held, its outcome after."""
    CourtHearing.objects.filter(pk=hearing_id).update(date=timezone.localdate())


def test_a_case_from_referral_to_sentence_and_order_with_a_breach(
    refer, work, as_user, client, demo
):
    police, cps = as_user("police.caseworker"), as_user("cps.caseworker")
    today = timezone.localdate()
    soon = (today + timedelta(days=7)).isoformat()

    # 1. Police refer: the four warning signs, and the offence as the crime is recorded.
    case = refer(
        yes=7,
        warning_signs={"fixated": True, "obsessive": True, "unwanted": True, "repeated": True},
        offences=[{"kind": "pha_s4a", "crime_reference": "13/4471/26", "domestic_abuse": True}],
    )
    rid = case["id"]
    assert case["warning_signs"]["fixated"] is True
    [stalking] = Offence.objects.filter(referral_id=rid)
    assert (stalking.kind, stalking.status) == ("pha_s4a", "open")

    # 2. Triage, research, and the charging review police ask for.
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    work("police.caseworker", "research", rid, {**RESEARCH, "request_charging_advice": True})
    work("probation.caseworker", "research", rid, RESEARCH)
    work("advocacy.caseworker", "research", rid, RESEARCH)
    work("cps.caseworker", "charging_review", rid,
         {"decision": "charge", "offence": "s.4A PHA 1997", "reason": "Both stages met."})
    stalking.refresh_from_db()
    assert (stalking.status, stalking.cps_decision) == ("charged", "charge")
    assert ("police", "police", "cps_decision") in _victim_updates(rid)

    # 3. The first hearing after charge: bail with conditions, the victim told by witness care.
    hearing = police.post(f"/api/v1/referrals/{rid}/hearings/",
                          {"kind": "charge", "date": soon, "court": "Leeds Magistrates"},
                          format="json")
    assert hearing.status_code == 201, hearing.content
    first = hearing.json()["id"]
    _hold(first)
    bailed = cps.post(
        f"/api/v1/referrals/{rid}/hearings/{first}/outcomes/",
        {"result": "bail_with_conditions", "offence": stalking.pk,
         "bail_conditions": "Not to contact the victim; not to enter Headingley."},
        format="json",
    )
    assert bailed.status_code == 201, bailed.content
    assert ProtectiveOrder.objects.filter(
        referral_id=rid, kind="bail_conditions", made_by="court_bail"
    ).exists()
    assert ("police", "witness_care", "bail_by_court") in _victim_updates(rid)

    # 4. Police apply for a stalking protection order; the court makes it.
    applied = police.post(f"/api/v1/referrals/{rid}/order-applications/",
                          {"applied_on": today.isoformat(), "court": "Leeds Magistrates"},
                          format="json")
    assert applied.status_code == 201, applied.content
    made = police.post(
        f"/api/v1/referrals/{rid}/order-applications/{applied.json()['id']}/decision/",
        {"decision": "made", "on": today.isoformat(), "conditions": "No contact of any kind.",
         "requirements": "Attend a stalking intervention programme."},
        format="json",
    )
    assert made.status_code == 201, made.content
    spo = ProtectiveOrder.objects.get(pk=made.json()["order"])
    assert spo.kind == "stalking_protection_order" and spo.expires is None

    # 5. A breach of the order is an offence: police get an enforcement task, arrest him on it.
    breach = police.post(
        f"/api/v1/referrals/{rid}/incidents/",
        incident_body(0, ["texts"], breach_of_order=spo.pk),
        format="json",
    )
    assert breach.status_code == 201, breach.content
    [breach_offence] = Offence.objects.filter(referral_id=rid, breach_of_order=spo)
    assert breach_offence.kind == OffenceKind.SPA_S8
    enforcement = Enforcement.objects.get(offence=breach_offence)
    assert enforcement.task.task_type == "enforcement" and enforcement.task.agency.kind == "police"
    work("police.caseworker", "enforcement", rid,
         {"action_taken": "Arrested at home the same evening.", "arrested": True,
          "outcome": "arrested"})
    assert PoliceDecision.objects.filter(offence=breach_offence, kind="arrested").exists()
    assert ("police", "police", "arrest") in _victim_updates(rid)

    # The breach is charged, he pleads guilty and is fined 80 pounds.
    charged = cps.post(
        f"/api/v1/referrals/{rid}/offences/{breach_offence.pk}/charging-decisions/",
        {"decision": "charge", "decided_on": today.isoformat(), "test": "full_code"},
        format="json",
    )
    assert charged.status_code == 201, charged.content
    plea = police.post(f"/api/v1/referrals/{rid}/hearings/",
                       {"kind": "sentencing", "date": soon}, format="json").json()["id"]
    _hold(plea)
    assert cps.post(f"/api/v1/referrals/{rid}/hearings/{plea}/outcomes/",
                    {"result": "plea_guilty", "offence": breach_offence.pk},
                    format="json").status_code == 201
    fined = cps.post(
        f"/api/v1/referrals/{rid}/offences/{breach_offence.pk}/sentence/",
        {"disposal": "fine", "sentenced_on": today.isoformat(), "hearing": plea,
         "fine_pence": 8000},
        format="json",
    )
    assert fined.status_code == 201, fined.content
    orders = police.get(f"/api/v1/referrals/{rid}/orders/").json()["orders"]
    [summary] = [o["breach_summary"] for o in orders if o["id"] == spo.pk]
    assert (summary["breaches"], summary["arrests"], summary["charged"], summary["convicted"],
            summary["fines_pence"]) == (1, 1, 1, 1, 8000)

    # 6. Trial of the stalking: convicted; a community order with a mental health treatment
    # requirement, and a restraining order on conviction.
    trial = police.post(f"/api/v1/referrals/{rid}/hearings/",
                        {"kind": "trial", "date": soon}, format="json").json()["id"]
    _hold(trial)
    assert cps.post(f"/api/v1/referrals/{rid}/hearings/{trial}/outcomes/",
                    {"result": "convicted", "offence": stalking.pk},
                    format="json").status_code == 201
    sentenced = cps.post(
        f"/api/v1/referrals/{rid}/offences/{stalking.pk}/sentence/",
        {"disposal": "community_order", "sentenced_on": today.isoformat(), "hearing": trial,
         "requirements": [{"kind": "mental_health_treatment", "length_days": 365}],
         "orders": [{"kind": "restraining_order", "conditions": "No contact with the victim.",
                     "starts": today.isoformat()}]},
        format="json",
    )
    assert sentenced.status_code == 201, sentenced.content
    stalking.refresh_from_db()
    assert (stalking.status, stalking.disposal, stalking.treatment_required) == (
        "convicted", "community_order", True,
    )
    assert ProtectiveOrder.objects.filter(
        referral_id=rid, kind="restraining_order", made_by="court_on_conviction"
    ).exists()
    assert ("police", "witness_care", "sentence") in _victim_updates(rid)

    # 7. The treatment requirement is the perpetrator's intervention; probation starts it.
    detail = as_user("probation.caseworker").get(f"/api/v1/referrals/{rid}/").json()
    [treatment] = detail["interventions"]["treatment"]
    assert (treatment["kind"], treatment["source"], treatment["status"]) == (
        "mental_health_treatment", "sentence", "offered",
    )
    started = as_user("probation.caseworker").post(
        f"/api/v1/referrals/{rid}/interventions/{treatment['id']}/status/",
        {"status": "started"}, format="json",
    )
    assert started.status_code == 200, started.content
    assert Intervention.objects.get(pk=treatment["id"]).status == "started"

    # The case page tells the whole course to police.
    client.force_login(demo["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{rid}/").content.decode()
    for shown in ("Stalking involving fear of violence", "Community order",
                  "Breach of a stalking protection order", "Mental health treatment"):
        assert shown in page, shown
