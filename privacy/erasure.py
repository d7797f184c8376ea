"""Erasing a closed case's personal data while its decision trail still verifies."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class ErasureSummary:
    """What one erasure removed, counted per kind of record (no personal data: counts only)."""

    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def case_erase(*, referral, actor, reason: str) -> ErasureSummary:
    """Pseudonymise a closed case's personal data and erase it from the case's events, in one
    transaction. Refuses an open case and a case already erased (domain errors)."""
    raise NotImplementedError("case_erase is being built on branch h-erase")
