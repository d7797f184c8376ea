"""Scoring a screening questionnaire; its questions and thresholds are data."""

from __future__ import annotations

from .models import RiskLevel, ScreeningInstrument


def check_answers(instrument: ScreeningInstrument, answers) -> dict[str, list[str]]:
    """Field errors for a set of answers: every question answered, each a boolean, nothing else."""
    if not isinstance(answers, dict):
        return {"answers": ["Expected an object of question: true/false."]}
    errors: dict[str, list[str]] = {}
    keys = instrument.question_keys
    for key in keys:
        if key not in answers:
            errors[key] = ["This question needs an answer (true or false)."]
        elif not isinstance(answers[key], bool):
            errors[key] = ["Must be true or false."]
    for key in answers:
        if key not in keys:
            errors[str(key)] = [f"Not a question of {instrument.slug}."]
    return errors


def score(instrument: ScreeningInstrument, answers: dict[str, bool]) -> tuple[int, str]:
    """The number of yes answers and the risk level the instrument's thresholds give it."""
    yes = sum(1 for key in instrument.question_keys if answers.get(key) is True)
    thresholds = instrument.thresholds
    if yes >= thresholds["high"]:
        return yes, RiskLevel.HIGH
    if yes >= thresholds["medium"]:
        return yes, RiskLevel.MEDIUM
    return yes, RiskLevel.STANDARD
