"""Court hearings of charged cases, recorded as the app records them (`hearing_record`).

The court process is drawn when CPS charges: the first hearing after charge within four weeks; a
trial months later, unless the suspect pleads guilty at that first hearing; a bail hearing in
about a third of cases; on conviction, sentencing three to six weeks after the verdict (after a
pre-sentence report). Each hearing is recorded before its date, as the app requires: the first
and the sentencing hearing by the charging lawyer (CPS may write charging material), a bail
hearing by police (orders and bail). Recording one writes the hearing, its `hearing.recorded`
event and three `CaseTaskFlow` tasks due two working days before it: risk assessments by
advocacy and police, and CPS's question whether to request a psychiatric assessment. What is
recorded by the generator's "now" is written, hearings still to come included: their tasks are
open in queues. The case stays under review until its court process is over (so the agencies
recording hearings are still involved in it), and its closure records the verdict.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from referral.models import CourtHearing, Referral
from workflows import calendar, services

from . import study
from .people import Directory, Member, Region
from .rows import Ids, Rows
from .tasks import Access, Done, Tasks
from .trail import Trail


@dataclass(frozen=True)
class Court:
    """A charged case's court process, as drawn at the charge."""

    convicted: bool
    sentence: str | None
    over: date  # the verdict, or the sentencing after it


class Hearings:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail, tasks: Tasks,
                 directory: Directory, anchor: datetime) -> None:
        self.rng, self.ids, self.rows, self.trail, self.tasks = rng, ids, rows, trail, tasks
        self.directory, self.anchor = directory, anchor
        self.holidays = calendar.holidays()

    def charged(self, referral: Referral, region: Region, access: Access, charge: Done) -> Court:
        """The hearings that follow CPS's decision to charge (`charge`, its charging review)."""
        rng = self.rng
        roll = rng.random()
        convicted = roll < study.CONVICTED_SHARE
        sentence = None
        if roll < study.CUSTODY_SHARE / study.CHARGED_SHARE:
            sentence = "custody"
        elif convicted:
            sentence = rng.choice(("community order", "fine"))
        lawyer = charge.actor
        first = self._court_day(charge.at.date() + timedelta(days=rng.randint(1, 28)))
        plea = convicted and rng.random() < study.GUILTY_PLEA_SHARE
        verdict = first if plea else self._court_day(first + timedelta(days=rng.randint(56, 240)))
        sentencing = (self._court_day(verdict + timedelta(days=rng.randint(21, 42)))
                      if convicted else None)
        over = sentencing or verdict

        self._record(referral, region, access, CourtHearing.Kind.CHARGE, first, lawyer,
                     charge.at + timedelta(hours=rng.uniform(0.5, 4)))
        if (over - first).days > 21 and rng.random() < study.BAIL_HEARING_SHARE:
            on = self._court_day(first + timedelta(days=rng.randint(7, (over - first).days - 14)))
            officer = self.directory.staff[region.first("police").pk].pick(rng)
            at = max(self._office_hours(on - timedelta(days=rng.randint(2, 10))),
                     charge.at + timedelta(hours=1))
            self._record(referral, region, access, CourtHearing.Kind.BAIL, on, officer, at)
        if sentencing is not None:
            # Set at the verdict, when the court adjourns for a pre-sentence report.
            self._record(referral, region, access, CourtHearing.Kind.SENTENCING, sentencing,
                         lawyer, self._office_hours(verdict, start=15))
        return Court(convicted=convicted, sentence=sentence, over=over)

    def _court_day(self, day: date) -> date:
        while not calendar.is_working_day(day, self.holidays):
            day += timedelta(days=1)
        return day

    def _office_hours(self, day: date, start: int = 9) -> datetime:
        at = timezone.make_aware(datetime.combine(day, time(start)))
        return (at + timedelta(minutes=self.rng.uniform(0, 60 * (17 - start)))).astimezone(UTC)

    def _record(self, referral: Referral, region: Region, access: Access, kind: str, on: date,
                recorder: Member, at: datetime) -> None:
        """`hearing_record` at `at`, if that is before the generator's "now"."""
        if at > self.anchor:
            return
        rng, tasks = self.rng, self.tasks
        where = "Crown Court" if kind == CourtHearing.Kind.SENTENCING else "Magistrates' Court"
        hearing = self.rows.add(CourtHearing(
            id=self.ids.take(CourtHearing), referral_id=referral.pk, kind=kind, date=on,
            court=f"{region.name} {where}", recorded_by_id=recorder.id, created_at=at,
        ))
        self.trail.record(verb="hearing.recorded", at=at, actor=recorder, obj=hearing,
                          referral_id=referral.pk,
                          changes={"kind": kind, "date": on.isoformat()})
        due = services.hearing_tasks_due(on, now=at)
        context = {"hearing": hearing.pk, "kind": kind, "date": on.isoformat()}
        for agency_kind in ("advocacy", "police"):
            tasks.single(
                task_type="pre_hearing_risk_assessment",
                agency=self.directory.agency_of_kind(agency_kind, region),
                referral_id=referral.pk, at=at, due=due, context=context, access=access,
                result={"risk_level": referral.risk_level,
                        "summary": "Victim still frightened; suspect aware of the hearing.",
                        "victim_views": "Asks for conditions keeping him away from her street."},
            )
        request = rng.random() < study.PSYCHIATRIC_REQUEST_SHARE
        reason = ("Fixation and escalation: ask the court for an assessment." if request
                  else "No sign of mental disorder in the file.")
        tasks.single(
            task_type="psychiatric_assessment_request",
            agency=self.directory.agency_of_kind("cps", region),
            referral_id=referral.pk, at=at, due=due, context=context, access=access,
            result={"request": request, "reason": reason},
        )
