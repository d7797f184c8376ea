"""The outcome reports, each a module with a `build(cohort)` that returns its tables.

`REPORTS` is the one list of them, in the order the workspace shows them; which a reader may
open is `agencies.policy.may_read_report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..cohort import Cohort
from ..tables import Table
from . import funnel


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    summary: str
    build: Callable[[Cohort], tuple[Table, ...]]


REPORTS: dict[str, ReportSpec] = {
    spec.key: spec
    for spec in (
        ReportSpec(
            "funnel",
            "Referrals and screening",
            "How many cases were referred, at what screened level, and what became of the "
            "referral: accepted, declined, asked for more information, risk lowered.",
            funnel.build,
        ),
    )
}
