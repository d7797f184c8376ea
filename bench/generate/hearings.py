"""Court hearings of charged cases, recorded as the app records them (`hearing_record`).

The court process is drawn when CPS charges: the first hearing after charge within four weeks; a
trial months later, unless the suspect pleads guilty at that first hearing; a bail hearing in
about a third of cases; on conviction, sentencing three to six weeks after the verdict (after a
pre-sentence report). Each hearing is recorded before its date, as the app requires: the first
hearing, the trial (listed at the first hearing) and the sentencing hearing by the charging
lawyer, a bail hearing by police (both write the court section); an order hearing by police
with their application for a stalking protection order (`orders.Applications`). Recording one
writes the hearing, its `hearing.recorded` event and the `CaseTaskFlow` tasks `HEARING_TASKS`
gives, due two working days before it (risk
assessments by advocacy and police, CPS's question whether to seek a psychiatric assessment,
and before sentencing probation's pre-sentence report), each assessment with its
`HearingAssessment` row; CPS's yes seeks a psychiatric assessment and gives the unit its
report for the court. What is
recorded by the generator's "now" is written, hearings still to come included: their tasks are
open in queues. The case stays under review until its court process is over (so the agencies
recording hearings are still involved in it), and its closure records the verdict.

What each hearing held decided is recorded after it (`Hearings.decide`): pleas, the court's
bail, verdicts and sentences (`study.SENTENCES`), each the victim is told of. A breach police
charge (`breach_charged`) is heard at the magistrates' within days, before the case closes:
mostly a guilty plea and a small fine on the day (`study.BREACH_FINE_MEDIAN_POUNDS`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.utils import timezone

from audit.events import MASK
from interventions.models import HearingAssessment, PsychiatricAssessment
from interventions.services import hearing_starts
from justice.models import Offence
from referral.models import CourtHearing, Referral
from workflows import calendar, services
from workflows.services.assessments import HEARING_TASKS

from . import study
from .justice import Justice
from .people import Directory, Member, Region
from .rows import Ids, Rows
from .tasks import Access, Done, Tasks
from .trail import Trail

# Of the psychiatric assessments CPS seeks, the share the unit reports done for the court (a
# guess: no published figure).
PSYCHIATRIC_DONE_SHARE = 0.7

# What each assessment before a hearing says, as its form takes it.
ASSESSMENT_RESULTS = {
    "pre_hearing_risk_assessment": lambda referral: {
        "risk_level": referral.risk_level,
        "summary": "Victim still frightened; suspect aware of the hearing.",
        "victim_views": "Asks for conditions keeping him away from her street.",
    },
    "pre_sentence_report": lambda referral: {
        "risk_of_serious_harm": "high" if referral.risk_level == "high" else "medium",
        "proposal": "Community order with a rehabilitation activity requirement.",
        "treatment_suitability": "Suitable for a stalking intervention.",
    },
}


@dataclass(frozen=True)
class Court:
    """A charged case's court process, as drawn at the charge: the verdict, the main offence's
    sentence (an `Offence.Disposal`), whether it has a treatment requirement and a restraining
    order, the court's bail decision at the first hearing, and the hearings recorded so far."""

    convicted: bool
    plea: bool
    sentence: str | None
    treatment: bool
    restraining_order: bool
    bail: str
    over: date  # the verdict, or the sentencing after it
    hearings: list[CourtHearing] = field(default_factory=list)


class Hearings:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail, tasks: Tasks,
                 directory: Directory, anchor: datetime) -> None:
        self.rng, self.ids, self.rows, self.trail, self.tasks = rng, ids, rows, trail, tasks
        self.directory, self.anchor = directory, anchor
        self.holidays = calendar.holidays()

    def charged(self, referral: Referral, region: Region, access: Access, charge: Done) -> Court:
        """The hearings that follow CPS's decision to charge (`charge`, its charging review)."""
        rng = self.rng
        convicted = rng.random() < study.CONVICTED_SHARE
        sentence = study.weighted(rng, study.SENTENCES) if convicted else None
        treatment = (sentence == "community_order"
                     and rng.random() < study.TREATMENT_REQUIREMENT_SHARE)
        restraining = convicted and rng.random() < study.RESTRAINING_ORDER_ON_CONVICTION_SHARE
        bail = study.weighted(rng, study.COURT_BAIL)
        lawyer = charge.actor
        first = self._court_day(charge.at.date() + timedelta(days=rng.randint(1, 28)))
        plea = convicted and rng.random() < study.GUILTY_PLEA_SHARE
        verdict = first if plea else self._court_day(first + timedelta(days=rng.randint(56, 240)))
        sentencing = (self._court_day(verdict + timedelta(days=rng.randint(21, 42)))
                      if convicted else None)
        over = sentencing or verdict
        court = Court(convicted=convicted, plea=plea, sentence=sentence, treatment=treatment,
                      restraining_order=restraining, bail=bail, over=over)
        record = partial(self._record, referral, region, access, into=court.hearings)

        record(CourtHearing.Kind.CHARGE, first, lawyer,
               charge.at + timedelta(hours=rng.uniform(0.5, 4)))
        if not plea:
            # Listed at the first hearing, when the suspect pleads not guilty.
            record(CourtHearing.Kind.TRIAL, verdict, lawyer, self._office_hours(first, start=14))
        if (over - first).days > 21 and rng.random() < study.BAIL_HEARING_SHARE:
            on = self._court_day(first + timedelta(days=rng.randint(7, (over - first).days - 14)))
            officer = self.directory.staff[region.first("police").pk].pick(rng)
            at = max(self._office_hours(on - timedelta(days=rng.randint(2, 10))),
                     charge.at + timedelta(hours=1))
            record(CourtHearing.Kind.BAIL, on, officer, at)
        if sentencing is not None:
            # Set at the verdict, when the court adjourns for a pre-sentence report.
            record(CourtHearing.Kind.SENTENCING, sentencing, lawyer,
                   self._office_hours(verdict, start=15))
        return court

    def decide(self, court: Court, offences: list[Offence], justice: Justice,
               lawyer: Member) -> None:
        """What each hearing held by the generator's "now" decided, recorded by the charging
        lawyer after it (`hearing_outcome_log`, `sentence_log`): at the first hearing the plea
        on each charged offence and the court's bail; at a bail hearing bail with conditions;
        at the trial the verdict; at sentencing each convicted offence's sentence, the main
        offence the one drawn at the charge, the others (breaches) a fine or a discharge."""
        for hearing in sorted(court.hearings, key=lambda h: (h.date, h.pk)):
            at = self._office_hours(hearing.date, start=15)
            if at > self.anchor:
                return
            if hearing.kind == CourtHearing.Kind.CHARGE:
                for offence in offences:
                    justice.outcome(hearing, "plea_guilty" if court.plea else "plea_not_guilty",
                                    at, lawyer, offence)
                justice.outcome(hearing, court.bail, at, lawyer)
            elif hearing.kind == CourtHearing.Kind.BAIL:
                justice.outcome(hearing, "bail_with_conditions", at, lawyer)
            elif hearing.kind == CourtHearing.Kind.TRIAL:
                for offence in offences:
                    justice.outcome(hearing, "convicted" if court.convicted else "acquitted",
                                    at, lawyer, offence)
            elif hearing.kind == CourtHearing.Kind.SENTENCING:
                for n, offence in enumerate(offences):
                    if n == 0:
                        self._sentence_main(court, offence, hearing, at, lawyer, justice)
                    else:
                        self._sentence_breach(offence, hearing, at, lawyer, justice)

    def _sentence_main(self, court: Court, offence: Offence, hearing: CourtHearing,
                       at: datetime, lawyer: Member, justice: Justice) -> None:
        rng, disposal = self.rng, court.sentence
        requirements: tuple[str, ...] = ()
        custody = suspended = fine = None
        if disposal in ("immediate_custody", "suspended_sentence"):
            custody = rng.choice((84, 126, 182, 273, 365, 547))
        if disposal == "suspended_sentence":
            suspended, requirements = 365 * rng.choice((1, 2)), ("unpaid_work",)
        if disposal == "community_order":
            requirements = (rng.choice(("rehabilitation_activity", "unpaid_work", "curfew")),)
            if court.treatment:
                requirements += (rng.choice(("accredited_programme",
                                             "mental_health_treatment")),)
        if disposal == "fine":
            fine = 100 * round(rng.lognormvariate(5.3, 0.6))  # a median of about £200
        justice.sentenced(offence, hearing, at, lawyer, disposal, custody_days=custody,
                          suspended_for_days=suspended, fine_pence=fine,
                          requirements=requirements, restraining_order=court.restraining_order)

    def _sentence_breach(self, offence: Offence, hearing: CourtHearing, at: datetime,
                         recorder: Member, justice: Justice) -> None:
        """A breach's sentence: a small fine (`study.BREACH_FINE_MEDIAN_POUNDS`) or a
        conditional discharge."""
        rng = self.rng
        if rng.random() < study.BREACH_FINED_SHARE:
            pounds = max(20, round(study.BREACH_FINE_MEDIAN_POUNDS * rng.lognormvariate(0, 0.35)))
            justice.sentenced(offence, hearing, at, recorder, "fine", fine_pence=100 * pounds)
        else:
            justice.sentenced(offence, hearing, at, recorder, "conditional_discharge")

    def breach_day(self, charge_at: datetime) -> date:
        """The day a breach charged at `charge_at` is listed at the magistrates': within days."""
        return self._court_day(charge_at.date() + timedelta(days=self.rng.randint(1, 10)))

    def breach_charged(self, referral: Referral, region: Region, access: Access,
                       offence: Offence, charge_at: datetime, on: date, officer: Member,
                       justice: Justice) -> None:
        """A breach police charged (`police_decision_log`), listed for `on` (`breach_day`): at
        that first hearing a guilty plea, sentenced on the day, or CPS drops it."""
        rng = self.rng
        hearings: list[CourtHearing] = []
        self._record(referral, region, access, CourtHearing.Kind.CHARGE, on, officer,
                     charge_at + timedelta(hours=rng.uniform(0.5, 2)), into=hearings)
        at = self._office_hours(on, start=15)
        if not hearings or at > self.anchor:
            return
        hearing = hearings[0]
        if rng.random() < study.BREACH_GUILTY_SHARE:
            justice.outcome(hearing, "plea_guilty", at, officer, offence)
            self._sentence_breach(offence, hearing, at, officer, justice)
        else:
            justice.outcome(hearing, "discontinued", at, officer, offence)

    def _court_day(self, day: date) -> date:
        while not calendar.is_working_day(day, self.holidays):
            day += timedelta(days=1)
        return day

    def _office_hours(self, day: date, start: int = 9) -> datetime:
        at = timezone.make_aware(datetime.combine(day, time(start)))
        return (at + timedelta(minutes=self.rng.uniform(0, 60 * (17 - start)))).astimezone(UTC)

    def _record(self, referral: Referral, region: Region, access: Access, kind: str, on: date,
                recorder: Member, at: datetime, *, into: list[CourtHearing]) -> None:
        """`hearing_record` at `at`, if that is before the generator's "now"; the hearing is
        added to `into`."""
        if at > self.anchor:
            return
        rng, tasks = self.rng, self.tasks
        where = "Crown Court" if kind == CourtHearing.Kind.SENTENCING else "Magistrates' Court"
        hearing = self.rows.add(CourtHearing(
            id=self.ids.take(CourtHearing), referral_id=referral.pk, kind=kind, date=on,
            court=f"{region.name} {where}", recorded_by_id=recorder.id, created_at=at,
        ))
        into.append(hearing)
        self.trail.record(verb="hearing.recorded", at=at, actor=recorder, obj=hearing,
                          referral_id=referral.pk,
                          changes={"kind": kind, "date": on.isoformat()})
        due = services.hearing_tasks_due(on, now=at)
        context = {"hearing": hearing.pk, "kind": kind, "date": on.isoformat()}
        for task_type, agency_kind, assessment_kind in HEARING_TASKS[kind]:
            agency = self.directory.agency_of_kind(agency_kind, region)
            if task_type == "psychiatric_assessment_request":
                request = rng.random() < study.PSYCHIATRIC_REQUEST_SHARE
                reason = ("Fixation and escalation: ask the court for an assessment." if request
                          else "No sign of mental disorder in the file.")
                tasks.single(
                    task_type=task_type, agency=agency, referral_id=referral.pk, at=at, due=due,
                    context=context, access=access, result={"request": request, "reason": reason},
                    applied=partial(self._psychiatric_sought, referral, region, access, hearing,
                                    reason) if request else None,
                )
                continue
            result = ASSESSMENT_RESULTS[task_type](referral)
            done = tasks.single(
                task_type=task_type, agency=agency, referral_id=referral.pk, at=at, due=due,
                context=context, access=access, result=result,
            )
            # What the task's completion records (`hearing_assessment_complete`): nothing while
            # it is open.
            found = result if done.at is not None else {}
            self.rows.add(HearingAssessment(
                id=self.ids.take(HearingAssessment), hearing_id=hearing.pk,
                referral_id=referral.pk, agency_id=agency.pk, kind=assessment_kind,
                task_id=done.task.pk, due=due, completed_at=done.at,
                before_hearing=None if done.at is None else done.at < hearing_starts(hearing),
                risk_level=found.get("risk_level") or found.get("risk_of_serious_harm", ""),
                summary=found.get("summary", ""), victim_views=found.get("victim_views", ""),
                bail_conditions_sought=found.get("bail_conditions_sought", ""),
                recommendation=found.get("proposal", ""),
                treatment_suitability=found.get("treatment_suitability", ""),
                created_at=at,
            ))

    def _psychiatric_sought(self, referral: Referral, region: Region, access: Access,
                            hearing: CourtHearing, reason: str, done: Done) -> None:
        """CPS's yes (`services.COMPLETION`): a psychiatric assessment sought, and the unit's
        report for the court, done or not (`PSYCHIATRIC_DONE_SHARE`)."""
        sought = PsychiatricAssessment(
            id=self.ids.take(PsychiatricAssessment), referral_id=referral.pk,
            hearing_id=hearing.pk, sought_on=timezone.localdate(done.at), reason=reason,
            agency_id=done.task.agency_id, recorded_by_id=done.actor.id, created_at=done.at,
        )
        self.rows.add(sought)
        self._psychiatric_event(sought, done.actor, done.at)
        unit = self.directory.agency_of_kind("psychiatric", region)
        report_done = self.rng.random() < PSYCHIATRIC_DONE_SHARE
        result = ({"done": True, "provider": "Forensic psychiatry service"} if report_done
                  else {"done": False, "reason": "The suspect would not take part."})
        self.tasks.single(
            task_type="psychiatric_report", agency=unit, referral_id=referral.pk, at=done.at,
            due=services.hearing_tasks_due(hearing.date, now=done.at),
            context={"assessment": sought.pk, "hearing": hearing.pk,
                     "date": hearing.date.isoformat()},
            access=access, result=result,
            applied=partial(self._psychiatric_reported, sought, result),
        )

    def _psychiatric_reported(self, sought: PsychiatricAssessment, result: dict,
                              done: Done) -> None:
        """The unit's report (`interventions.services.psychiatric_report_done`): requested on the
        way, then done; or not ordered, with the reason."""
        day = timezone.localdate(done.at)
        sought.updated_at = done.at
        sought.provider = result.get("provider", "")
        if not result["done"]:
            sought.status, sought.reason = "not_ordered", result["reason"]
            self._psychiatric_event(sought, done.actor, done.at)
            return
        for status, name in (("requested", "requested_on"), ("done", "done_on")):
            sought.status = status
            setattr(sought, name, day)
            self._psychiatric_event(sought, done.actor, done.at)

    def _psychiatric_event(self, sought: PsychiatricAssessment, actor: Member,
                           at: datetime) -> None:
        """`interventions.events.psychiatric_assessment_event`, as the generator's trail."""
        def day(value):
            return value.isoformat() if value else None

        self.trail.record(
            verb=f"psychiatric_assessment.{sought.status}", at=at, actor=actor, obj=sought,
            referral_id=sought.referral_id,
            reason=sought.reason if sought.status == "not_ordered" else "",
            changes={
                "status": sought.status, "hearing": sought.hearing_id,
                "sought_on": day(sought.sought_on), "requested_on": day(sought.requested_on),
                "done_on": day(sought.done_on), "before_court_on": day(sought.before_court_on),
                "provider": MASK if sought.provider else "",
            },
        )
