"""Helpers for the assessments, interventions and victims reports' tests: cases moved through the
justice services, a reader whose agency sees only some cases, and a report's tables by key."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agencies.models import AgencyKind, Role
from agencies.services import agency_create, member_create
from justice.models import Offence
from justice.services import (
    ChargingDraft,
    OutcomeDraft,
    RequirementDraft,
    SentenceDraft,
    charging_decision_record,
    hearing_outcome_record,
)
from referral.access import involvement_grant
from referral.models import CourtHearing, InvolvementBasis, Referral
from reports.cohort import Cohort
from reports.selectors import cohort_for
from reports.tables import Table
from tests.justice.factories import offence_for
from workflows.services.assessments import hearing_record
from workflows.services.justice import sentence_log


def tables(built: tuple[Table, ...]) -> dict[str, Table]:
    return {t.key: t for t in built}


def figures(table: Table) -> dict[str, dict]:
    """{row key: values}, the total as "total"."""
    rows = {r.key: dict(r.values) for r in table.rows}
    if table.total is not None:
        rows["total"] = dict(table.total.values)
    return rows


def heard(referral: Referral, demo, kind: str = "bail", days: int = 0) -> CourtHearing:
    """A hearing recorded by police `days` days on (0: today, so held), with its assessments."""
    police = demo["police.caseworker"]
    return hearing_record(
        referral=referral,
        actor=police.user,
        membership=police,
        kind=kind,
        on=timezone.localdate() + timedelta(days=days),
        court="Leeds Magistrates",
    )


def convicted(referral: Referral, demo, hearing: CourtHearing) -> Offence:
    """An offence recorded by police, charged by CPS and convicted at `hearing` (held)."""
    police, cps = demo["police.caseworker"], demo["cps.caseworker"]
    offence = offence_for(referral, police)
    charging_decision_record(
        referral=referral,
        offence=offence,
        actor=cps.user,
        membership=cps,
        draft=ChargingDraft(decision="charge", decided_on=timezone.localdate()),
    )
    hearing_outcome_record(
        hearing=hearing,
        actor=cps.user,
        membership=cps,
        draft=OutcomeDraft(result="convicted", offence=offence),
    )
    offence.refresh_from_db()
    return offence


def sentenced(offence: Offence, demo, disposal: str, *requirements: str, **amounts) -> Offence:
    """The offence sentenced today by CPS as the workflow records it (`sentence_log`)."""
    cps = demo["cps.caseworker"]
    sentence_log(
        offence=offence,
        actor=cps.user,
        membership=cps,
        draft=SentenceDraft(
            disposal=disposal,
            sentenced_on=timezone.localdate(),
            requirements=tuple(RequirementDraft(kind=k) for k in requirements),
            **amounts,
        ),
    )
    offence.refresh_from_db()
    return offence


def reader_cohort(*seen: Referral) -> Cohort:
    """The cohort of a supervisor of another police force involved in `seen` cases only."""
    agency = agency_create(name="Other Force", slug="other-force", kind=AgencyKind.POLICE)
    supervisor = member_create(
        agency=agency, username="other.supervisor", password=None, roles=[Role.SUPERVISOR]
    )
    for referral in seen:
        involvement_grant(
            referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="test"
        )
    return cohort_for(membership=supervisor)


def referred_long_ago(referral: Referral, days: int = 400) -> None:
    """The case referred `days` days ago: out of a period that starts within the year."""
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=days))


def recent() -> Cohort:
    """Cases referred within the last 30 days (everything, for an oversight reader)."""
    return Cohort(since=timezone.localdate() - timedelta(days=30))


def people(n: int, *, enhanced: bool = False) -> dict:
    """Referral overrides naming a victim and suspect of their own (no duplicate referral)."""
    names = ("Ann", "Beth", "Cara", "Dana", "Edna", "Fay", "Gail", "Hope")
    return {
        "victim": {
            "name": f"{names[n]} Example",
            "date_of_birth": f"19{70 + n}-04-01",
            "enhanced_rights": enhanced,
        },
        "suspect": {"name": f"{names[n]}s Stalker", "date_of_birth": f"19{60 + n}-02-11"},
    }
