"""The justice system's decisions in the flow: offences, police and CPS decisions, court
outcomes and sentences, each with the updates and work it gives."""

from __future__ import annotations

from .registry import Completion

COMPLETION: dict[str, Completion] = {}
