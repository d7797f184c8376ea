"""Scoring a screening questionnaire; its questions are data, its thresholds local policy.

An answer is yes (true), no (false) or not known (null). A not-known answer counts towards the
level like a yes, never as a no: a question nobody could answer is no reassurance. The counts that
turn answers into a level are each region's local policy (`screening.thresholds`, versioned):
the published screening tools give no cut-offs, and the screen informs professional judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

from .local_policy import NoLocalPolicy, local_policy
from .models import LocalPolicy, RiskLevel, ScreeningInstrument

THRESHOLDS_KEY = LocalPolicy.Key.SCREENING_THRESHOLDS


def check_answers(instrument: ScreeningInstrument, answers) -> dict[str, list[str]]:
    """Field errors for a set of answers: every question answered, each true, false or null
    (not known), nothing else."""
    if not isinstance(answers, dict):
        return {"answers": ["Expected an object of question: true, false or null (not known)."]}
    errors: dict[str, list[str]] = {}
    keys = instrument.question_keys
    for key in keys:
        if key not in answers:
            errors[key] = ["This question needs an answer (true, false or null for not known)."]
        elif answers[key] is not None and not isinstance(answers[key], bool):
            errors[key] = ["Must be true, false or null (not known)."]
    for key in answers:
        if key not in keys:
            errors[str(key)] = [f"Not a question of {instrument.slug}."]
    return errors


@dataclass(frozen=True)
class Thresholds:
    """The counts of yes or not-known answers that make a screen medium and high, and the local
    policy version they come from (None: the instrument's own, with no policy for it)."""

    medium: int
    high: int
    policy: LocalPolicy | None = None

    @property
    def version(self) -> int | None:
        return self.policy.version if self.policy else None

    @property
    def region(self) -> str:
        return self.policy.region if self.policy else ""


@dataclass(frozen=True)
class Screen:
    yes: int
    not_known: int
    level: str


def thresholds_for(instrument: ScreeningInstrument, *, region: str) -> Thresholds:
    """The region's thresholds in effect for this instrument (its own when the policy has none)."""
    try:
        policy = local_policy(THRESHOLDS_KEY, region=region)
    except NoLocalPolicy:
        policy = None
    found = (policy.value or {}).get(instrument.slug) if policy else None
    if not found:
        own = instrument.thresholds
        return Thresholds(medium=own["medium"], high=own["high"])
    return Thresholds(medium=found["medium"], high=found["high"], policy=policy)


def level_of(count: int, *, medium: int, high: int) -> str:
    if count >= high:
        return RiskLevel.HIGH
    if count >= medium:
        return RiskLevel.MEDIUM
    return RiskLevel.STANDARD


def screen(
    instrument: ScreeningInstrument, answers: dict[str, bool | None], thresholds: Thresholds
) -> Screen:
    """The yes and not-known counts and the level they give together."""
    keys = instrument.question_keys
    yes = sum(1 for key in keys if answers.get(key) is True)
    not_known = sum(1 for key in keys if key in answers and answers[key] is None)
    level = level_of(yes + not_known, medium=thresholds.medium, high=thresholds.high)
    return Screen(yes=yes, not_known=not_known, level=level)


def score(
    instrument: ScreeningInstrument, answers: dict[str, bool | None],
    thresholds: Thresholds | None = None,
) -> tuple[int, str]:
    """The number of yes answers and the level (not-known answers counted with the yeses), by
    `thresholds` or else the instrument's own."""
    if thresholds is None:
        own = instrument.thresholds
        thresholds = Thresholds(medium=own["medium"], high=own["high"])
    found = screen(instrument, answers, thresholds)
    return found.yes, found.level
