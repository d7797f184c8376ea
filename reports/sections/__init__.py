"""The outcome reports, each a module with a `build(cohort)` that returns its tables.

`REPORTS` is the one list of them, in the order the workspace shows them; which a reader may
open is `agencies.policy.may_read_report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..cohort import Cohort
from ..tables import Table
from . import (
    assessments,
    breaches,
    funnel,
    interventions,
    justice,
    people,
    timeliness,
    victims,
    workload,
)


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
        ReportSpec(
            "justice",
            "Criminal-justice outcomes",
            "What became of each case and each offence: the police outcome, charge, conviction "
            "and sentence (custody, community sentence, fine and its amount, discharge), the "
            "orders made, and how long from referral to each.",
            justice.build,
        ),
        ReportSpec(
            "breaches",
            "Orders and breaches",
            "How often each order was breached and what each breach led to: arrest, charge, "
            "sentence, the fine and its amount; the cases with the most breaches.",
            breaches.build,
        ),
        ReportSpec(
            "assessments",
            "Assessments for court",
            "Whether a risk assessment was done before each bail and sentencing hearing, and "
            "whether psychiatric assessments were asked for, requested, done and put before "
            "the court.",
            assessments.build,
        ),
        ReportSpec(
            "interventions",
            "Perpetrator interventions",
            "Interventions offered, started and completed, and the share of convicted "
            "perpetrators given treatment.",
            interventions.build,
        ),
        ReportSpec(
            "victims",
            "The Victims' Code",
            "Whether each duty holder kept the victim informed on time, and how many victims "
            "had a named advocate and a safety plan.",
            victims.build,
        ),
        ReportSpec(
            "people",
            "Repeat victims and suspects",
            "Victims and suspects known in more than one case.",
            people.build,
        ),
        ReportSpec(
            "timeliness",
            "Time to each step",
            "How long from referral to triage, to research complete and to a case conference.",
            timeliness.build,
        ),
        ReportSpec(
            "workload",
            "Overdue work",
            "Overdue tasks and conference actions, by agency.",
            workload.build,
        ),
    )
}
