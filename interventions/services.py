"""Every change to a case's assessments for court and the perpetrator's interventions."""

from __future__ import annotations


def intervention_from_sentence(*, offence, requirement_kind: str, actor) -> None:
    """A sentence's treatment requirement, entered as the perpetrator's intervention."""
