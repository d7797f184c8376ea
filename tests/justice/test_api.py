"""Offences and what the police, CPS and the court did with them, through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from justice.models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    PoliceDecision,
    Sentence,
    WarningSigns,
)
from referral.models import ProtectiveOrder
from tests.justice.factories import offence_for
from tests.referral.factories import payload
from victims.models import RightToReview
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _url(referral, tail=""):
    return f"/api/v1/referrals/{referral.pk}/offences/{tail}"


def _updates(referral, task_type="victim_update"):
    """Why each update the Victims' Code made due on the case is due."""
    return sorted(
        AgencyTask.objects.filter(referral=referral, task_type=task_type).values_list(
            "process__data__context__reason", flat=True
        )
    )


def _letters(referral):
    """CPS's letters to the victim."""
    return _updates(referral, task_type="victim_letter")


def _police(as_user, referral, offence, **body):
    body.setdefault("decided_on", TODAY.isoformat())
    return as_user("police.caseworker").post(
        _url(referral, f"{offence.pk}/police-decisions/"), body, format="json"
    )


def _cps(as_user, referral, offence, **body):
    body.setdefault("decided_on", TODAY.isoformat())
    return as_user("cps.caseworker").post(
        _url(referral, f"{offence.pk}/charging-decisions/"), body, format="json"
    )


def _outcome(as_user, hearing, username="cps.caseworker", **body):
    return as_user(username).post(
        f"/api/v1/referrals/{hearing.referral_id}/hearings/{hearing.pk}/outcomes/", body,
        format="json",
    )


def _sentence(as_user, referral, offence, username="cps.caseworker", **body):
    body.setdefault("sentenced_on", TODAY.isoformat())
    return as_user(username).post(_url(referral, f"{offence.pk}/sentence/"), body, format="json")


@pytest.fixture
def offence(case, demo):
    referral = case()
    return offence_for(referral, demo["police.caseworker"], crime_reference="13/1234/26")


def _convicted(offence, as_user, held_hearing):
    referral = offence.referral
    assert _police(as_user, referral, offence, kind="charged").status_code == 201
    hearing = held_hearing(referral)
    assert _outcome(as_user, hearing, result="convicted", offence=offence.pk).status_code == 201
    return hearing


# --- Offences -----------------------------------------------------------------------------


def test_police_record_an_offence_and_list_it(case, as_user):
    referral = case()
    police = as_user("police.caseworker")
    created = police.post(_url(referral), {
        "kind": "pha_s4a", "crime_reference": "13/99/26", "domestic_abuse": True,
    }, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "open"
    listed = police.get(_url(referral)).json()
    assert [(o["kind"], o["crime_reference"]) for o in listed] == [("pha_s4a", "13/99/26")]
    assert Event.objects.filter(verb="offence.recorded", referral_id=referral.pk).exists()


def test_other_offence_needs_a_label(case, as_user):
    referral = case()
    response = as_user("police.caseworker").post(_url(referral), {"kind": "other"}, format="json")
    assert response.status_code == 400
    assert "label" in response.json()["error"]["fields"]


def test_an_agency_not_involved_gets_404(submit, as_user, demo):
    body = submit()
    referral = Offence(referral_id=body["id"]).referral
    offence = offence_for(referral, demo["police.caseworker"])
    probation = as_user("probation.caseworker")
    assert probation.get(_url(referral)).status_code == 404
    assert probation.post(_url(referral), {"kind": "pha_s2"}, format="json").status_code == 404
    response = probation.post(
        _url(referral, f"{offence.pk}/police-decisions/"),
        {"kind": "arrested", "decided_on": TODAY.isoformat()}, format="json",
    )
    assert response.status_code == 404


def test_a_reader_without_write_gets_403(offence, as_user):
    referral = offence.referral
    probation = as_user("probation.caseworker")
    assert probation.get(_url(referral)).status_code == 200
    assert probation.post(_url(referral), {"kind": "pha_s2"}, format="json").status_code == 403
    response = probation.post(
        _url(referral, f"{offence.pk}/police-decisions/"),
        {"kind": "arrested", "decided_on": TODAY.isoformat()}, format="json",
    )
    assert response.status_code == 403
    assert _cps(as_user, referral, offence, decision="charge").status_code == 201
    response = as_user("police.caseworker").post(
        _url(referral, f"{offence.pk}/charging-decisions/"),
        {"decision": "charge", "decided_on": TODAY.isoformat()}, format="json",
    )
    assert response.status_code == 403


def test_an_offence_of_another_case_is_404(offence, case, as_user, demo):
    other = case(victim={"name": "Carol Other", "date_of_birth": "1985-01-01"})
    response = _police(as_user, other, offence, kind="arrested")
    assert response.status_code == 404


# --- Police decisions ---------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status", "outcome", "trigger"), [
    ("arrested", "open", "", "suspect arrested"),
    ("voluntary_interview", "open", "", "suspect interviewed"),
    ("bailed", "open", "bailed", "bail conditions changed"),
    ("released_under_investigation", "open", "released_under_investigation",
     "suspect released under investigation"),
    ("referred_to_cps", "open", "referred_to_cps", None),
    ("charged", "charged", "charged", "suspect charged"),
    ("summonsed", "charged", "summonsed", "suspect charged"),
    ("cautioned", "out_of_court", "cautioned", None),
    ("community_resolution", "out_of_court", "community_resolution", None),
])
def test_each_police_decision_moves_the_offence(offence, as_user, kind, status, outcome, trigger):
    referral = offence.referral
    response = _police(as_user, referral, offence, kind=kind)
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert (offence.status, offence.police_outcome) == (status, outcome)
    assert offence.charged_on == (TODAY if status == "charged" else None)
    assert offence.closed_on == (TODAY if status == "out_of_court" else None)
    assert _updates(referral) == ([trigger] if trigger else [])
    assert Event.objects.filter(verb=f"police_decision.{kind}", referral_id=referral.pk).exists()
    assert [d["kind"] for d in response.json()["police_decisions"]] == [kind]


def test_no_further_action_needs_a_reason(offence, as_user):
    response = _police(as_user, offence.referral, offence, kind="no_further_action")
    assert response.status_code == 400
    assert "nfa_reason" in response.json()["error"]["fields"]
    offence.refresh_from_db()
    assert offence.status == "open"


@pytest.mark.parametrize("reason", [c for c, _ in PoliceDecision.NfaReason.choices])
def test_no_further_action_with_each_reason_closes(offence, as_user, reason):
    body = {"kind": "no_further_action", "nfa_reason": reason}
    if reason == "other":
        body["reason"] = "The complainant emigrated."
    response = _police(as_user, offence.referral, offence, **body)
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert (offence.status, offence.police_outcome, offence.closed_on) == (
        "no_further_action", "no_further_action", TODAY,
    )
    assert _updates(offence.referral) == ["no further action decided"]
    event = Event.objects.get(verb="police_decision.no_further_action")
    assert event.changes["nfa_reason"] == reason


def test_other_nfa_reason_needs_words(offence, as_user):
    response = _police(as_user, offence.referral, offence, kind="no_further_action",
                       nfa_reason="other")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_police_bail_with_conditions_records_an_order(offence, as_user):
    response = _police(as_user, offence.referral, offence, kind="bailed",
                       bail_conditions="Not to contact the victim.")
    assert response.status_code == 201, response.content
    order = ProtectiveOrder.objects.get(referral=offence.referral)
    assert (order.kind, order.made_by) == ("bail_conditions", "police_bail")
    assert response.json()["police_decisions"][0]["bail_conditions"] == order.pk


def test_a_closed_offence_takes_no_police_decision(offence, as_user):
    _police(as_user, offence.referral, offence, kind="cautioned")
    response = _police(as_user, offence.referral, offence, kind="charged")
    assert response.status_code == 400


def test_a_future_decision_is_400(offence, as_user):
    response = _police(as_user, offence.referral, offence, kind="arrested",
                       decided_on=(TODAY + timedelta(days=2)).isoformat())
    assert response.status_code == 400
    assert "decided_on" in response.json()["error"]["fields"]


# --- CPS decisions ------------------------------------------------------------------------


def test_cps_decides_per_offence(case, as_user, demo):
    referral = case()
    first = offence_for(referral, demo["police.caseworker"])
    second = offence_for(referral, demo["police.caseworker"], kind="criminal_damage")
    assert _cps(as_user, referral, first, decision="charge", test="full_code").status_code == 201
    response = _cps(as_user, referral, second, decision="no_further_action",
                    reason="Not enough evidence of the damage.")
    assert response.status_code == 201
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.cps_decision, first.charged_on) == ("charged", "charge", TODAY)
    assert (second.status, second.cps_decision, second.closed_on) == (
        "no_further_action", "no_further_action", TODAY,
    )
    # The charge is the police's news to give; a decision not to prosecute is CPS's letter,
    # with the victim's right to review offered.
    assert _updates(referral) == ["charging decision made"]
    assert _letters(referral) == ["charging decision made"]
    assert RightToReview.objects.filter(referral=referral, decided_by_kind="cps").exists()
    rows = {o["id"]: o for o in as_user("cps.caseworker").get(_url(referral)).json()}
    assert [d["decision"] for d in rows[first.pk]["charging_decisions"]] == ["charge"]


def test_discontinued_and_charge_altered_go_by_letter(offence, as_user):
    referral = offence.referral
    _cps(as_user, referral, offence, decision="charge")
    response = _cps(as_user, referral, offence, decision="charge_altered")
    assert response.status_code == 400
    assert "charged_as" in response.json()["error"]["fields"]
    assert _cps(as_user, referral, offence, decision="charge_altered",
                charged_as="pha_s2a").status_code == 201
    assert _cps(as_user, referral, offence, decision="discontinued").status_code == 201
    offence.refresh_from_db()
    assert (offence.status, offence.cps_decision) == ("discontinued", "discontinued")
    # The charge is told by police; an altered charge and a discontinuance by CPS's letter.
    assert _updates(referral) == ["charging decision made"]
    assert _letters(referral) == ["charge altered", "prosecution discontinued"]


def test_discontinuing_an_offence_not_charged_is_400(offence, as_user):
    response = _cps(as_user, offence.referral, offence, decision="discontinued")
    assert response.status_code == 400


def test_psychiatric_reads_offences_without_charging_decisions(offence, as_user):
    referral = offence.referral
    _police(as_user, referral, offence, kind="arrested")
    _cps(as_user, referral, offence, decision="charge")
    ftac = as_user("ftac.caseworker")
    [row] = ftac.get(_url(referral)).json()
    assert "charging_decisions" not in row
    assert [d["kind"] for d in row["police_decisions"]] == ["arrested"]
    detail = ftac.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert "charging_decisions" not in detail["offences"][0]
    assert "court" in detail


# --- Court ------------------------------------------------------------------------------


def test_plea_and_verdict(offence, as_user, held_hearing):
    referral = offence.referral
    _police(as_user, referral, offence, kind="charged")
    hearing = held_hearing(referral)
    response = _outcome(as_user, hearing, result="plea_not_guilty", offence=offence.pk)
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert offence.status == "charged"
    trial = held_hearing(referral, kind="trial")
    assert _outcome(as_user, trial, result="convicted", offence=offence.pk).status_code == 201
    offence.refresh_from_db()
    assert (offence.status, offence.convicted_on) == ("convicted", TODAY)
    assert "verdict given" in _updates(referral)
    assert Event.objects.filter(verb="hearing_outcome.convicted").exists()


def test_acquittal_closes(offence, as_user, held_hearing):
    referral = offence.referral
    _police(as_user, referral, offence, kind="charged")
    hearing = held_hearing(referral, kind="trial")
    assert _outcome(as_user, hearing, result="acquitted", offence=offence.pk).status_code == 201
    offence.refresh_from_db()
    assert (offence.status, offence.closed_on) == ("acquitted", TODAY)


def test_a_verdict_needs_an_offence(offence, as_user, held_hearing):
    hearing = held_hearing(offence.referral)
    response = _outcome(as_user, hearing, result="convicted")
    assert response.status_code == 400
    assert "offence" in response.json()["error"]["fields"]


def test_bail_with_conditions_records_an_order(offence, as_user, held_hearing):
    hearing = held_hearing(offence.referral, kind="bail")
    response = _outcome(as_user, hearing, username="police.caseworker",
                        result="bail_with_conditions", bail_conditions="Not to enter Leeds.")
    assert response.status_code == 201, response.content
    order = ProtectiveOrder.objects.get(pk=response.json()["bail_conditions"])
    assert (order.kind, order.made_by, order.starts) == ("bail_conditions", "court_bail", TODAY)
    assert "bail decided by the court" in _updates(offence.referral)
    missing = _outcome(as_user, hearing, result="bail_with_conditions")
    assert "bail_conditions" in missing.json()["error"]["fields"]


def test_an_outcome_before_the_hearing_is_400(offence, as_user, held_hearing):
    hearing = held_hearing(offence.referral)
    hearing.date = TODAY + timedelta(days=3)
    hearing.save(update_fields=["date"])
    response = _outcome(as_user, hearing, result="adjourned")
    assert response.status_code == 400


def test_probation_may_not_record_an_outcome(offence, as_user, held_hearing):
    hearing = held_hearing(offence.referral)
    assert _outcome(as_user, hearing, username="probation.caseworker",
                    result="adjourned").status_code == 403


# --- Sentences ------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"disposal": "fine"}, "fine_pence"),
    ({"disposal": "fine", "fine_pence": 0}, "fine_pence"),
    ({"disposal": "immediate_custody"}, "custody_days"),
    ({"disposal": "suspended_sentence", "custody_days": 120}, "suspended_for_days"),
    ({"disposal": "conditional_discharge", "custody_days": 10}, "custody_days"),
    ({"disposal": "community_order", "fine_pence": 8000}, "fine_pence"),
    ({"disposal": "fine", "fine_pence": 8000,
      "requirements": [{"kind": "unpaid_work"}]}, "requirements"),
    ({"disposal": "community_order",
      "orders": [{"kind": "non_molestation_order", "conditions": "x",
                  "starts": TODAY.isoformat()}]}, "orders"),
])
def test_sentence_validation(offence, as_user, held_hearing, body, field):
    _convicted(offence, as_user, held_hearing)
    response = _sentence(as_user, offence.referral, offence, **body)
    assert response.status_code == 400, response.content
    assert field in str(response.json()["error"]["fields"])
    assert not Sentence.objects.exists()


def test_only_a_conviction_is_sentenced(offence, as_user):
    response = _sentence(as_user, offence.referral, offence, disposal="fine", fine_pence=8000)
    assert response.status_code == 400


def test_custody_with_its_length(offence, as_user, held_hearing):
    hearing = _convicted(offence, as_user, held_hearing)
    response = _sentence(as_user, offence.referral, offence, disposal="immediate_custody",
                         custody_days=540, hearing=hearing.pk)
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert (offence.disposal, offence.custody_days, offence.sentenced_on) == (
        "immediate_custody", 540, TODAY,
    )
    assert response.json()["sentence"]["custody_days"] == 540
    assert "sentence passed" in _updates(offence.referral)


def test_suspended_sentence(offence, as_user, held_hearing):
    _convicted(offence, as_user, held_hearing)
    response = _sentence(as_user, offence.referral, offence, disposal="suspended_sentence",
                         custody_days=180, suspended_for_days=730,
                         requirements=[{"kind": "accredited_programme"}])
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert (offence.disposal, offence.custody_days, offence.treatment_required) == (
        "suspended_sentence", 180, True,
    )


def test_community_order_with_requirements(offence, as_user, held_hearing):
    _convicted(offence, as_user, held_hearing)
    response = _sentence(as_user, offence.referral, offence, disposal="community_order",
                         requirements=[
                             {"kind": "mental_health_treatment", "length_days": 365},
                             {"kind": "unpaid_work", "detail": "150 hours"},
                         ])
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert offence.treatment_required is True
    kinds = [r["kind"] for r in response.json()["sentence"]["requirements"]]
    assert kinds == ["mental_health_treatment", "unpaid_work"]


def test_community_order_without_treatment(offence, as_user, held_hearing):
    _convicted(offence, as_user, held_hearing)
    _sentence(as_user, offence.referral, offence, disposal="community_order",
              requirements=[{"kind": "curfew"}])
    offence.refresh_from_db()
    assert offence.treatment_required is False


def test_fine_with_its_amount_and_no_free_text_on_the_trail(offence, as_user, held_hearing):
    _convicted(offence, as_user, held_hearing)
    response = _sentence(as_user, offence.referral, offence, disposal="fine", fine_pence=8000,
                         compensation_pence=2500)
    assert response.status_code == 201, response.content
    offence.refresh_from_db()
    assert (offence.disposal, offence.fine_pence, offence.custody_days) == ("fine", 8000, None)
    event = Event.objects.get(verb="sentence.recorded")
    assert event.changes["disposal"] == "fine"
    assert event.changes["fine_pence"] == 8000
    assert event.changes["compensation_pence"] == 2500
    assert not any(
        isinstance(v, str) and " " in v for v in event.changes.values()
    ), event.changes


def test_discharge(offence, as_user, held_hearing):
    _convicted(offence, as_user, held_hearing)
    assert _sentence(as_user, offence.referral, offence,
                     disposal="conditional_discharge").status_code == 201
    offence.refresh_from_db()
    assert offence.disposal == "conditional_discharge"


def test_a_restraining_order_on_conviction(offence, as_user, held_hearing):
    hearing = _convicted(offence, as_user, held_hearing)
    response = _sentence(as_user, offence.referral, offence, disposal="community_order",
                         hearing=hearing.pk, orders=[{
                             "kind": "restraining_order", "conditions": "No contact.",
                             "starts": TODAY.isoformat(),
                             "expires": (TODAY + timedelta(days=1825)).isoformat(),
                         }])
    assert response.status_code == 201, response.content
    order = ProtectiveOrder.objects.get(referral=offence.referral)
    assert (order.kind, order.made_by, order.court) == (
        "restraining_order", "court_on_conviction", "Leeds Magistrates",
    )
    assert response.json()["sentence"]["orders"] == [order.pk]
    assert Event.objects.get(verb="sentence.recorded").changes["orders"] == [order.pk]


def test_a_second_sentence_is_400(offence, as_user, held_hearing):
    _convicted(offence, as_user, held_hearing)
    _sentence(as_user, offence.referral, offence, disposal="absolute_discharge")
    assert _sentence(as_user, offence.referral, offence,
                     disposal="absolute_discharge").status_code == 400


def test_offence_state_follows_each_step(case, as_user, demo, held_hearing):
    referral = case()
    offence = offence_for(referral, demo["police.caseworker"])
    states = []

    def state():
        offence.refresh_from_db()
        states.append((offence.status, offence.police_outcome, offence.cps_decision,
                       offence.disposal))

    _police(as_user, referral, offence, kind="arrested")
    state()
    _police(as_user, referral, offence, kind="referred_to_cps")
    state()
    _cps(as_user, referral, offence, decision="charge")
    state()
    hearing = held_hearing(referral)
    _outcome(as_user, hearing, result="plea_guilty", offence=offence.pk)
    state()
    _sentence(as_user, referral, offence, disposal="fine", fine_pence=8000)
    state()
    assert states == [
        ("open", "", "", ""),
        ("open", "referred_to_cps", "", ""),
        ("charged", "referred_to_cps", "charge", ""),
        ("convicted", "referred_to_cps", "charge", ""),
        ("convicted", "referred_to_cps", "charge", "fine"),
    ]
    court = as_user("probation.caseworker").get(f"/api/v1/referrals/{referral.pk}/").json()[
        "court"
    ]
    assert [o["result"] for o in court["hearings"][0]["outcomes"]] == ["plea_guilty"]
    assert court["sentences"][0]["fine_pence"] == 8000
    assert ChargingDecision.objects.count() == 1
    assert HearingOutcome.objects.count() == 1


# --- Intake ---------------------------------------------------------------------------------


def test_police_intake_records_signs_and_offences(submit):
    body = submit(
        warning_signs={"fixated": True, "obsessive": None, "unwanted": True, "repeated": False},
        offences=[{"kind": "pha_s4a", "crime_reference": "13/1/26", "domestic_abuse": True}],
    )
    assert body["warning_signs"]["fixated"] is True
    assert body["warning_signs"]["obsessive"] is None
    assert body["warning_signs"]["offences_considered"] == []
    assert [(o["kind"], o["crime_reference"]) for o in body["offences"]] == [
        ("pha_s4a", "13/1/26")
    ]


def test_other_referrers_record_offences_considered(submit):
    body = submit(
        "advocacy.caseworker",
        warning_signs={"fixated": True},
        offences=[{"kind": "pha_s2a"}],
    )
    signs = WarningSigns.objects.get(referral_id=body["id"])
    assert signs.offences_considered == ["pha_s2a"]
    assert (signs.stage, signs.fixated, signs.repeated) == ("referral", True, None)
    assert not Offence.objects.filter(referral_id=body["id"]).exists()


def test_intake_refuses_a_bad_sign(as_user):
    response = as_user("police.caseworker").post(
        "/api/v1/referrals/", payload(warning_signs={"fixated": "yes"}), format="json"
    )
    assert response.status_code == 400
    assert "warning_signs" in response.json()["error"]["fields"]


def test_intake_without_the_new_fields_records_nothing(submit):
    body = submit()
    assert body["warning_signs"] is None
    assert body["offences"] == []
    assert not WarningSigns.objects.exists()
