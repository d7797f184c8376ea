"""Screening thresholds and escalation rules, with properties checked by hypothesis."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import Event
from referral import case_file, escalation, screening
from referral.access import involvement_grant
from referral.models import (
    RISK_ORDER,
    Behaviour,
    InvolvementBasis,
    Referral,
    Screening,
    ScreeningInstrument,
)
from tests.referral.factories import ANSWER_KEYS, answers, payload
from tests.referral.test_pages import NEW_URL, form_data

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def instrument(db):
    return ScreeningInstrument.objects.get(slug="stalking-screen-v1")


def test_instrument_is_data_with_the_eleven_questions(instrument):
    assert instrument.version == 1
    assert instrument.question_keys == ANSWER_KEYS
    assert instrument.thresholds == {"medium": 3, "high": 6}
    assert instrument.escalation["incidents_in_12_months"] == 3


@pytest.mark.parametrize(
    "yes,level",
    [(0, "standard"), (2, "standard"), (3, "medium"), (5, "medium"), (6, "high"), (11, "high")],
)
def test_thresholds(instrument, yes, level):
    answers = {k: i < yes for i, k in enumerate(ANSWER_KEYS)}
    assert screening.score(instrument, answers) == (yes, level)


def test_check_answers_accepts_null_as_not_known_and_refuses_strings_and_numbers(instrument):
    good = {k: False for k in ANSWER_KEYS}
    assert screening.check_answers(instrument, good) == {}
    assert screening.check_answers(instrument, {**good, "loitering": None}) == {}
    for wrong in ("no", 1, 0, "null"):
        assert screening.check_answers(instrument, {**good, "loitering": wrong}) == {
            "loitering": ["Must be true, false or null (not known)."]
        }
    assert "extra" in screening.check_answers(instrument, {**good, "extra": True})
    assert screening.check_answers(instrument, []) == {
        "answers": ["Expected an object of question: true, false or null (not known)."]
    }


answer_sets = st.fixed_dictionaries({k: st.booleans() for k in ANSWER_KEYS})


@settings(max_examples=200, deadline=None)
@given(answers=answer_sets, flip=st.sampled_from(ANSWER_KEYS))
def test_risk_never_goes_down_when_an_answer_turns_to_yes(answers, flip):
    inst = ScreeningInstrument(
        slug="s",
        version=1,
        questions=[{"key": k, "text": k} for k in ANSWER_KEYS],
        thresholds={"medium": 3, "high": 6},
    )
    _, before = screening.score(inst, {**answers, flip: False})
    _, after = screening.score(inst, {**answers, flip: True})
    assert RISK_ORDER[after] >= RISK_ORDER[before]


# --- Escalation ------------------------------------------------------------------------------


def fact(days_ago, behaviours=("phone_calls",), breach=False):
    return escalation.IncidentFacts(
        occurred_at=NOW - timedelta(days=days_ago),
        behaviours=tuple(behaviours),
        severity=escalation.severity_of(behaviours),
        is_breach=breach,
    )


def test_quiet_case_is_standard_and_not_escalating():
    signal = escalation.evaluate([fact(100)], now=NOW)
    assert (signal.level, signal.escalating) == ("standard", False)


def test_frequency_rising_is_escalating():
    signal = escalation.evaluate([fact(100), fact(5), fact(3), fact(1)], now=NOW)
    assert signal.escalating
    assert any("3 incidents in the last 30 days" in r for r in signal.reasons)


def test_steady_frequency_is_not_escalating_on_its_own():
    incidents = [fact(d) for d in (110, 100, 90, 80, 70, 60, 50, 40, 20)]
    signal = escalation.evaluate(incidents, now=NOW)
    assert not signal.escalating


def test_new_behaviour_is_escalating():
    signal = escalation.evaluate([fact(60), fact(2, ["following"])], now=NOW)
    assert signal.escalating and signal.figures["new_behaviours"] == ["following"]


def test_severity_step_up_is_escalating():
    signal = escalation.evaluate([fact(60, ["following"]), fact(2, ["property_damage"])], now=NOW)
    assert signal.escalating
    assert any("stepped up from following or loitering to property" in r for r in signal.reasons)


def test_threats_make_it_high():
    signal = escalation.evaluate([fact(200, ["threats"])], now=NOW)
    assert signal.level == "high"


@pytest.mark.parametrize(
    "breaches,level", [(0, "standard"), (1, "medium"), (2, "medium"), (3, "high"), (50, "high")]
)
def test_breaches_count(breaches, level):
    incidents = [fact(400 + i, breach=True) for i in range(breaches)]
    assert escalation.evaluate(incidents, now=NOW).level == level
    assert escalation.evaluate(incidents, now=NOW).figures["breaches"] == breaches


def test_three_incidents_in_a_year_is_medium():
    assert escalation.evaluate([fact(300), fact(200), fact(100)], now=NOW).level == "medium"
    assert escalation.evaluate([fact(500), fact(400), fact(100)], now=NOW).level == "standard"


incident_facts = st.builds(
    lambda days, behaviours, breach: fact(days, behaviours, breach),
    st.floats(min_value=0, max_value=800),
    st.lists(st.sampled_from(Behaviour.values), min_size=1, max_size=4, unique=True),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(existing=st.lists(incident_facts, max_size=12), added=incident_facts)
def test_adding_an_incident_never_lowers_the_level(existing, added):
    before = escalation.evaluate(existing, now=NOW).level
    after = escalation.evaluate([*existing, added], now=NOW).level
    assert RISK_ORDER[after] >= RISK_ORDER[before]


# --- Not known: counted towards the level like a yes, never as a no ---------------------------

answer_values = st.fixed_dictionaries(
    {k: st.sampled_from([True, False, None]) for k in ANSWER_KEYS}
)


@settings(max_examples=300, deadline=None)
@given(
    answers=answer_values,
    unknown=st.sets(st.sampled_from(ANSWER_KEYS), min_size=1),
    medium=st.integers(1, 11),
    extra=st.integers(0, 11),
)
def test_replacing_any_answer_by_not_known_never_lowers_the_level(answers, unknown, medium, extra):
    inst = ScreeningInstrument(
        slug="s", version=1, questions=[{"key": k, "text": k} for k in ANSWER_KEYS],
        thresholds={"medium": 3, "high": 6},
    )
    thresholds = screening.Thresholds(medium=medium, high=medium + extra)
    before = screening.screen(inst, answers, thresholds)
    after = screening.screen(inst, {**answers, **dict.fromkeys(unknown)}, thresholds)
    assert RISK_ORDER[after.level] >= RISK_ORDER[before.level]
    assert after.not_known >= before.not_known


def test_not_known_counts_like_a_yes(instrument):
    thresholds = screening.Thresholds(medium=3, high=6)
    two_yes = {k: i < 2 for i, k in enumerate(ANSWER_KEYS)}
    assert screening.screen(instrument, two_yes, thresholds).level == "standard"
    unknown = {**two_yes, ANSWER_KEYS[5]: None}
    assert screening.screen(instrument, unknown, thresholds) == screening.Screen(
        yes=2, not_known=1, level="medium"
    )


def _not_known_answers():
    return {**answers(2), "loitering": None, "substance_abuse": None}


def test_api_accepts_null_as_not_known_and_reports_the_count(submit, as_user):
    body = submit(screening={"instrument": "stalking-screen-v1", "answers": _not_known_answers()})
    assert body["screening"]["answers"]["loitering"] is None
    assert (body["screening"]["score"], body["screening"]["not_known"]) == (2, 2)
    # Two yes and two not known: four, medium at the default thresholds (never standard).
    assert body["risk_level"] == "medium" and body["screening"]["risk_level"] == "medium"
    detail = as_user("police.caseworker").get(f"/api/v1/referrals/{body['id']}/").json()
    assert detail["screening"]["not_known"] == 2
    assert detail["screening"]["thresholds"] == {
        "version": 1, "region": "", "medium": 3, "high": 6
    }
    row = Screening.objects.get(referral_id=body["id"])
    assert (row.not_known, row.thresholds_policy.version) == (2, 1)


def test_boolean_only_clients_are_unchanged(submit):
    body = submit(screening={"instrument": "stalking-screen-v1", "answers": answers(3)})
    assert body["screening"]["not_known"] == 0 and body["risk_level"] == "medium"


@pytest.mark.parametrize("wrong", ["not known", "null", 0, 1, [], {}])
def test_strings_and_numbers_stay_a_400(as_user, wrong):
    body = payload(screening={"instrument": "stalking-screen-v1",
                              "answers": {**answers(2), "loitering": wrong}})
    response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["screening"]["answers"]["loitering"] == [
        "Must be true, false or null (not known)."
    ]


def test_not_known_is_shown_on_the_page_and_in_the_pdf(submit, demo):
    body = submit(screening={"instrument": "stalking-screen-v1", "answers": _not_known_answers()})
    client = Client()
    client.force_login(demo["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{body['id']}/").content.decode()
    assert page.count("<em>Not known</em>") == 2
    assert "(2 not known)" in page
    assert ("Levels use the default local thresholds, version 1: medium at 3, high at 6 answers "
            "of yes or not known.") in page
    assert ("The screen informs professional judgement; the published tools give no "
            "cut-offs.") in page
    assert "2 not known (counted like a yes)" in page
    html = case_file.render_to_string(
        "referral/case_file_pdf.html",
        case_file.build(membership=demo["police.caseworker"], referral_id=body["id"]).context,
    )
    assert html.count("<em>Not known</em>") == 2


# --- Answering the screen again ----------------------------------------------------------------


def test_a_not_known_answer_found_out_updates_the_screen_and_raises_never_lowers(
    submit, as_user
):
    body = submit(screening={"instrument": "stalking-screen-v1", "answers": _not_known_answers()})
    url = f"/api/v1/referrals/{body['id']}/screening/"
    police = as_user("police.caseworker")
    # Both not-known answers turn out yes: still four, still medium.
    same = police.post(url, {"answers": {**answers(2), "loitering": True,
                                         "substance_abuse": True}}, format="json")
    assert same.status_code == 200, same.content
    assert (same.json()["score"], same.json()["not_known"]) == (4, 0)
    raised = police.post(url, {"answers": answers(6)}, format="json").json()
    assert raised["risk_level"] == "high" and raised["case_risk_level"] == "high"
    lower = police.post(url, {"answers": answers(0)}, format="json").json()
    # The screen says standard; the case stays high until a supervisor approves a lower level.
    assert lower["risk_level"] == "standard" and lower["case_risk_level"] == "high"
    event = Event.objects.filter(verb="screening.updated", referral_id=body["id"]).latest("id")
    assert event.changes["risk_level"] == {"before": "high", "after": "standard"}
    assert "answers" not in event.changes


def test_screening_update_refuses_strings_and_other_agencies(submit, as_user, demo):
    body = submit()
    url = f"/api/v1/referrals/{body['id']}/screening/"
    bad = as_user("police.caseworker").post(
        url, {"answers": {**answers(2), "loitering": "no"}}, format="json"
    )
    assert bad.status_code == 400
    assert as_user("cps.caseworker").post(url, {"answers": answers(2)},
                                          format="json").status_code == 404


def test_the_referral_form_sends_not_known_as_null(demo):
    client = Client()
    client.force_login(demo["police.caseworker"].user)
    response = client.post(NEW_URL, form_data(yes=2, q_loitering="not_known"))
    assert response.status_code == 302
    row = Screening.objects.latest("id")
    assert row.answers["loitering"] is None and row.not_known == 1
    assert row.risk_level == "medium"  # two yes and one not known: three


@pytest.mark.django_db
def test_the_screen_is_answered_again_from_the_case_page(submit, demo):
    case = submit(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})
    url = f"/workspace/referrals/{case['id']}/screening/edit/"
    police = Client()
    police.force_login(demo["police.caseworker"].user)
    html = police.get(url).content.decode()
    first, last = ANSWER_KEYS[0], ANSWER_KEYS[-1]
    # Each question starts from the answer the case holds.
    assert re.search(rf'<input[^>]*name="q_{first}" value="yes"[^>]*checked', html)
    assert re.search(rf'<input[^>]*name="q_{last}" value="no"[^>]*checked', html)
    data = {f"q_{key}": "yes" if i < 2 else "no" for i, key in enumerate(ANSWER_KEYS)}
    data[f"q_{last}"] = "not_known"
    assert police.post(url, data).status_code == 302
    row = Screening.objects.get(referral_id=case["id"])
    assert (row.score, row.not_known, row.answers[last]) == (2, 1, None)
    assert Event.objects.filter(verb="screening.updated", referral_id=case["id"]).exists()

    missing = dict(data)
    del missing[f"q_{first}"]
    refused = police.post(url, missing)
    assert refused.status_code == 200 and "Answer yes, no or not known." in refused.content.decode()


@pytest.mark.django_db
def test_only_writers_of_the_victim_section_answer_the_screen_again(submit, demo):
    case = submit()
    url = f"/workspace/referrals/{case['id']}/screening/edit/"
    cps = Client()
    cps.force_login(demo["cps.caseworker"].user)
    assert cps.get(url).status_code == 404
    involvement_grant(referral=Referral.objects.get(pk=case["id"]),
                      agency=demo["cps.caseworker"].agency, basis=InvolvementBasis.TASK,
                      source="test")
    assert cps.get(url).status_code == 403
