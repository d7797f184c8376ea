"""Screening thresholds and escalation rules, with properties checked by hypothesis."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral import escalation, screening
from referral.models import RISK_ORDER, Behaviour, ScreeningInstrument
from tests.referral.factories import ANSWER_KEYS

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


def test_check_answers(instrument):
    good = {k: False for k in ANSWER_KEYS}
    assert screening.check_answers(instrument, good) == {}
    assert screening.check_answers(instrument, {**good, "loitering": "no"}) == {
        "loitering": ["Must be true or false."]
    }
    assert "extra" in screening.check_answers(instrument, {**good, "extra": True})
    assert screening.check_answers(instrument, []) == {
        "answers": ["Expected an object of question: true/false."]
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
