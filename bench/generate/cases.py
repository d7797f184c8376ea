"""One referral as it would be after its history: the facts referred, then the flow played out.

`Cases.referral` draws the case from the study figures, writes what `referral_submit` writes,
then plays the referral flow forward from the day it was referred (triage, research in parallel,
a conference or a single-agency plan, reviews, closure) until the generator's "now": whatever
is not finished by then is the open task in someone's queue.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from audit.events import MASK
from conferences import criteria
from justice.models import Offence
from referral import escalation, linking, screening
from referral.local_policy import local_policy
from referral.models import (
    Incident,
    InvolvementBasis,
    Person,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    Referral,
    Screening,
    ScreeningInstrument,
    VictimContact,
    higher_risk,
)
from victims.models import RightToReview
from workflows.flows import ReferralFlow

from . import study
from .hearings import Court, Hearings
from .interventions import Interventions
from .justice import Justice
from .meetings import Meetings
from .orders import Applications
from .people import Directory, Member, Region
from .rows import Ids, Rows
from .tasks import Access, Done, Tasks
from .trail import Trail
from .voice import Voice

REFERRER_KINDS = {"police": 0.55, "advocacy": 0.25, "probation": 0.08, "coordinator": 0.07,
                  "cps": 0.03, "psychiatric": 0.02}
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Pair:
    """A victim and a suspect, remembered so that a later referral can repeat them."""

    victim: str
    victim_born: date
    suspect: str
    suspect_born: date
    timeline_id: int
    region: int


class Cases:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail,
                 directory: Directory, tasks: Tasks, meetings: Meetings, hearings: Hearings,
                 anchor: datetime, instrument: ScreeningInstrument) -> None:
        self.rng, self.ids, self.rows, self.trail = rng, ids, rows, trail
        self.directory, self.tasks, self.meetings = directory, tasks, meetings
        self.hearings = hearings
        self.voice = Voice(rng=rng, ids=ids, rows=rows, trail=trail, anchor=anchor)
        self.interventions = Interventions(rng=rng, ids=ids, rows=rows, trail=trail, tasks=tasks,
                                           directory=directory, anchor=anchor)
        self.justice = Justice(ids=ids, rows=rows, trail=trail)
        self.applications = Applications(rng=rng, ids=ids, rows=rows, trail=trail, tasks=tasks,
                                         hearings=hearings, directory=directory, anchor=anchor)
        self.anchor, self.instrument = anchor, instrument
        self.pairs: list[Pair] = []
        # The conference criteria the flows apply (the default's: the generated regions set
        # none of their own), when each pair was last heard at a conference, and how many
        # referrals each route put on agendas (`route_counts`; `primary_counts` by first route).
        used = local_policy(criteria.CRITERIA_KEY, region="")
        self.criteria, self.criteria_version = used.value, used.version
        self.heard: dict[int, datetime] = {}
        self.route_counts: dict[str, int] = dict.fromkeys(criteria.ROUTES, 0)
        self.primary_counts: dict[str, int] = dict.fromkeys(criteria.ROUTES, 0)
        self.escalation_only = 0

    # --- The referral as submitted -----------------------------------------------------------

    def referral(self, *, created: datetime, reference: str) -> Referral:
        rng = self.rng
        self.justice.case_started()
        self.court: Court | None = None
        self.police_research: Done | None = None  # police's research task, once done
        repeat = self.pairs and rng.random() < study.REPEAT_REFERRAL_SHARE
        pair = rng.choice(self.pairs) if repeat else None
        region = self.directory.regions[pair.region if pair else rng.randrange(10)]
        kind = study.weighted(rng, REFERRER_KINDS)
        referrer_agency = rng.choice(region.agencies.get(kind) or
                                     [self.directory.agency_of_kind(kind, region)])
        # The flows route a case by its referrer's region: one referred by a psychiatric unit
        # serving several regions goes to the unit's own (`allocation.agency_of_kind`).
        region = self.directory.region_of(referrer_agency)
        referrer = self.directory.staff[referrer_agency.pk].pick(rng)
        police = self.directory.staff[region.first("police").pk]

        pk = self.ids.take(Referral)
        victim_name = pair.victim if pair else study.person_name(rng, female=rng.random() > 0.01)
        suspect_name = pair.suspect if pair else study.person_name(rng, female=rng.random() < 0.01)
        victim_born = pair.victim_born if pair else _born(rng, created, over_40=rng.random() < 0.4)
        suspect_born = pair.suspect_born if pair else _born(
            rng, created, over_40=rng.random() < study.SUSPECT_OVER_40_SHARE)
        timeline_id = pair.timeline_id if pair else pk
        if not pair:
            self.pairs.append(Pair(victim_name, victim_born, suspect_name, suspect_born, pk,
                                   self.directory.regions.index(region)))

        behaviours = study.behaviours(rng)
        relationship = study.relationships(rng)
        since = created - study.stalking_duration(rng)
        answers = _answers(rng, behaviours, relationship, self.instrument)
        score, screened = screening.score(self.instrument, answers)
        classification = rng.choices(("stalking", "harassment", "other"), (0.92, 0.06, 0.02))[0]
        victim_address = _address(rng)
        victim = self.rows.add(Person(id=self.ids.take(Person), name=victim_name,
                                      date_of_birth=victim_born))
        suspect = self.rows.add(Person(id=self.ids.take(Person), name=suspect_name,
                                       date_of_birth=suspect_born, address=_address(rng)))
        referral = self.rows.add(Referral(
            id=pk, reference=reference, referrer_agency=referrer_agency, referred_by_id=referrer.id,
            status="submitted", consent=rng.random() < 0.9,
            summary=f"{', '.join(relationship).replace('_', ' ')}; "
            f"{len(behaviours)} behaviours since {since:%B %Y}.",
            stalking_since=since.date(), victim=victim, suspect=suspect,
            victim_enhanced_rights=True, relationship=relationship,
            behaviours=behaviours, risk_level=screened, risk_source="screening",
            classification=classification,
            not_stalking_reason="" if classification == "stalking"
            else "Single course of conduct without fixation so far.",
            timeline_id=timeline_id, created_at=created, updated_at=created,
        ))
        for role, name, born in (("victim", victim_name, victim_born),
                                 ("suspect", suspect_name, suspect_born)):
            for normalised in sorted(linking.names_of(name, ())):
                self.rows.add(PersonName(id=self.ids.take(PersonName), referral_id=pk, role=role,
                                         normalised=normalised, date_of_birth=born))
        if referrer_agency.kind in ("police", "advocacy", "coordinator") or rng.random() < 0.5:
            self.rows.add(VictimContact(
                id=self.ids.take(VictimContact), referral_id=pk,
                phone=f"07700 9{rng.randrange(10000, 99999)}", email="",
                address=victim_address, safe_contact_method="Text first; never leave a voicemail.",
            ))
        self._identifiers(referral, referrer, victim_name, suspect_name)
        self.rows.add(Screening(id=self.ids.take(Screening), referral_id=pk,
                                instrument=self.instrument, answers=answers, score=score,
                                risk_level=screened, created_at=created))
        self.trail.record(
            verb="referral.submitted", at=created, actor=referrer, obj=referral, referral_id=pk,
            changes={"reference": reference, "risk_level": screened, "risk_source": "screening",
                     "classification": classification},
            reason=referral.not_stalking_reason,
        )
        referral.victim_enhanced_rights = self.voice.enhanced(referral, referrer, created)
        access = Access(referral=referral)
        self.tasks.grant(access, referrer_agency, InvolvementBasis.REFERRER, "", created, referrer)
        self.justice.tell = partial(self._tell, referral, region, access)
        if referrer_agency.kind == "police":
            # `referral_justice_record`: police refer with the offence on their crime record.
            self.justice.offence_recorded(referral, referrer, created)
        if pair:
            self.trail.record(verb="referral.linked", at=created, actor=referrer, obj=referral,
                              referral_id=pk, changes={"linked": ["(earlier referral)"]})

        order = None
        if rng.random() < study.ORDER_SHARE:
            recorder = referrer if referrer_agency.kind == "police" else police.pick(rng)
            order = self._order(referral, since, created, recorder)
        facts = []
        for _ in range(study.incident_count(rng)):
            occurred = _between(rng, max(since, created - 2 * YEAR), created - timedelta(hours=1))
            reporter = (referrer if referrer_agency.kind in ("police", "advocacy")
                        else police.pick(rng))
            facts.append(self._incident(referral, occurred, behaviours, order, reporter,
                                        created)[0])
        self._raise(referral, facts, created, referrer)
        to_conference = self._routes(referral, facts, created)

        self.voice.review = None
        end = self._flow(referral, region, access, to_conference)
        self.voice.case_ended(end or self.anchor)
        if self.police_research is not None and rng.random() < study.SPO_APPLICATION_SHARE:
            spo = self.applications.apply(
                referral, region, access, self.police_research, until=end or self.anchor,
                enforced=lambda enforcement, offence, arrested, done: self._enforced(
                    referral, region, access, enforcement, offence, arrested, end, done),
            )
            # Breaches of the full order count as those of an order referred with the case.
            order = order or spo
        if order is not None and order.kind == "bail_conditions":
            # `referral_refer`: bail conditions referred with the case, the victim is told.
            self.tasks.victim_update(referral=referral, region=region, at=created,
                                     reason="bail conditions recorded", access=access)
        self._later_incidents(referral, region, access, behaviours, order, facts,
                              until=end or self.anchor, closed=end is not None)
        self._charging(referral, region, access, end)
        self.tasks.write_access(access)
        return referral

    def _identifiers(self, referral: Referral, referrer: Member, victim: str,
                     suspect: str) -> None:
        """`referral_submit`'s identifiers, normalised as `linking` normalises them: the
        victim's phone where the referrer writes her contact details, the suspect's phone or
        online account where it writes the suspect's section; the same person's numbers are
        the same on a repeat referral (drawn from the name)."""
        if self.rng.random() >= study.IDENTIFIER_SHARE:
            return
        kind = referrer.agency.kind
        victim_key, suspect_key = (zlib.crc32(name.encode()) for name in (victim, suspect))
        found = []
        if kind in ("police", "advocacy"):
            found.append(("victim", "phone", "", f"07700 9{victim_key % 90000 + 10000}"))
        if kind in ("police", "probation", "coordinator"):
            found.append(
                ("suspect", "online_account", "Instagram",
                 f"@{suspect.split()[0].lower()}{suspect_key % 10000}")
                if self.rng.random() < 0.4 else
                ("suspect", "phone", "", f"+44 7700 8{suspect_key % 90000 + 10000}"))
        for role, id_kind, platform, value in found:
            row = self.rows.add(PersonIdentifier(
                id=self.ids.take(PersonIdentifier), referral_id=referral.pk, role=role,
                kind=id_kind, platform=platform, value=value,
                normalised=linking.normalised_identifier(id_kind, value, platform),
                agency=referrer.agency, recorded_by_id=referrer.id,
                created_at=referral.created_at,
            ))
            self.trail.record(verb=f"{role}_identifier.recorded", at=referral.created_at,
                              actor=referrer, obj=row, referral_id=referral.pk,
                              changes={"kind": id_kind, "platform": platform, "value": MASK})

    def _routes(self, referral: Referral, facts: list, created: datetime) -> list[str]:
        """The conference criteria's routes the case meets (`conferences.criteria`), counted."""
        signal = escalation.evaluate(facts, now=created)
        heard = self.heard.get(referral.timeline_id)
        routes = criteria.conference_routes(
            facts=criteria.CaseFacts(
                now=created, risk_level=referral.risk_level, last_heard=heard,
                # This referral of the pair followed that hearing.
                news_since_heard=heard is not None and created > heard,
                escalation_signs=criteria.escalation_signs(signal.figures),
                signal_level=signal.level,
                incidents_12_months=signal.figures["incidents_last_12_months"],
                incidents_30_days=signal.figures["incidents_last_30_days"],
            ),
            criteria=self.criteria,
        )
        for route in routes:
            self.route_counts[route] += 1
        if routes:
            self.primary_counts[criteria.primary_route(routes)] += 1
        self.escalation_only += routes == [criteria.ESCALATION]
        return routes

    def _order(self, referral: Referral, since: datetime, created: datetime,
               recorder: Member) -> ProtectiveOrder:
        rng = self.rng
        kind = study.weighted(rng, study.ORDER_KINDS)
        starts = _between(rng, since, created).date()
        order = self.rows.add(ProtectiveOrder(
            id=self.ids.take(ProtectiveOrder), referral_id=referral.pk, kind=kind,
            conditions="Not to contact the victim directly or indirectly; not to enter her street.",
            starts=starts, expires=None if kind == "bail_conditions" else starts + 2 * YEAR,
            agency=recorder.agency, recorded_by_id=recorder.id, created_at=created,
        ))
        self.trail.record(
            verb="order.recorded", at=created, actor=recorder, obj=order, referral_id=referral.pk,
            changes={"kind": kind, "starts": starts.isoformat(),
                     "expires": order.expires.isoformat() if order.expires else None,
                     "conditions": "***"},
        )
        return order

    def _incident(self, referral: Referral, occurred: datetime, behaviours: list[str],
                  order: ProtectiveOrder | None, reporter: Member, recorded: datetime):
        rng = self.rng
        seen = rng.sample(behaviours, k=min(len(behaviours), rng.randint(1, 3)))
        breach = order if order and order.starts <= occurred.date() and rng.random() < 0.5 else None
        incident = self.rows.add(Incident(
            id=self.ids.take(Incident), referral_id=referral.pk, occurred_at=occurred,
            behaviours=seen, description="Reported by the victim; details on the crime record.",
            severity=escalation.severity_of(seen), breach_of_order=breach,
            reporting_agency=reporter.agency, recorded_by_id=reporter.id, created_at=recorded,
        ))
        self.trail.record(
            verb="breach.recorded" if breach else "incident.recorded", at=recorded,
            actor=reporter, obj=incident, referral_id=referral.pk,
            changes={"occurred_at": occurred.isoformat(), "behaviours": seen,
                     "severity": incident.severity,
                     "breach_of_order": breach.pk if breach else None,
                     "description": "***"},
        )
        return escalation.IncidentFacts(occurred_at=occurred, behaviours=seen,
                                        severity=incident.severity,
                                        is_breach=breach is not None), incident

    def _raise(self, referral: Referral, facts, at: datetime, actor: Member) -> None:
        """`_apply_escalation`: the signal only ever raises the risk."""
        signal = escalation.evaluate(facts, now=at)
        raised = higher_risk(referral.risk_level, signal.level)
        if raised == referral.risk_level:
            return
        before = referral.risk_level
        referral.risk_level, referral.risk_source = raised, "escalation"
        self.trail.record(
            verb="risk.raised", at=at, actor=actor, obj=referral, referral_id=referral.pk,
            reason="; ".join(signal.reasons),
            changes={"risk_level": {"before": before, "after": raised}, "source": "escalation"},
        )

    def _later_incidents(self, referral, region: Region, access: Access, behaviours, order,
                         facts, *, until: datetime, closed: bool) -> None:
        """Incidents logged after the referral; each breach gives police an enforcement task."""
        rng = self.rng
        created = referral.created_at
        months = max(0.0, (until - created).days / 30.44)
        count = min(40, int(rng.expovariate(1 / max(0.01, months * 0.12))))
        if order is not None and rng.random() < study.HEAVY_BREACHER_SHARE / study.ORDER_SHARE:
            count = rng.randint(20, 60)
        police = region.first("police")
        police_staff = self.directory.staff[police.pk]
        latest = None  # (when, by whom) the last of them was logged
        for _ in range(count):
            occurred = _between(rng, created, until - timedelta(hours=2))
            reporter = police_staff.pick(rng)
            recorded = occurred + timedelta(hours=rng.uniform(1, 24))
            if recorded > self.anchor:
                continue
            fact, incident = self._incident(referral, occurred, behaviours, order, reporter,
                                            recorded)
            facts.append(fact)
            if latest is None or recorded > latest[0]:
                latest = (recorded, reporter)
            if fact.is_breach:
                # `incident_log` -> `breach_enforce`: the breach's offence and enforcement.
                offence, context, due, enforcement = self.justice.breach(
                    referral=referral, order=order, incident=incident, reporter=reporter)
                arrested = rng.random() < 0.3
                done = self.tasks.single(
                    task_type="enforcement", agency=police, referral_id=referral.pk, at=recorded,
                    due=due, context=context, access=access,
                    result={"action_taken": "Suspect spoken to and warned.",
                            "arrested": arrested},
                    applied=partial(self._enforced, referral, region, access, enforcement,
                                    offence, arrested, until if closed else None),
                )
                enforcement.task_id = done.task.pk
                self.rows.add(enforcement)
        if latest is not None:
            # `incident_log` applies the escalation signal as each incident is logged: its
            # raise is the one the last of them gives, when it was logged (before "now").
            self._raise(referral, facts, *latest)

    def _enforced(self, referral: Referral, region: Region, access: Access, enforcement,
                  offence, arrested: bool, closes: datetime | None, done: Done) -> None:
        """An enforcement task done (`services.COMPLETION`): its outcome; an arrest is the
        police's decision on the breach's open offence, and the victim is told."""
        on = self.justice.enforced(enforcement, offence, done, arrested)
        if arrested:
            self.tasks.victim_update(referral=referral, region=region, at=done.at,
                                     reason="suspect arrested", access=access,
                                     context={"offence": on})
        if on is not None:
            self._breach_decided(referral, region, access, offence, done, closes)

    def _breach_decided(self, referral: Referral, region: Region, access: Access, offence,
                        arrest: Done, closes: datetime | None) -> None:
        """Police's outcome on an arrested breach, after interview: charged
        (`study.BREACH_CHARGED_SHARE`, heard within days: before the case closes), else
        released under investigation or no further action."""
        rng = self.rng
        at = arrest.at + timedelta(hours=rng.uniform(2, 20))
        if at > (closes or self.anchor) or not self.justice.open_at(offence, at):
            return
        officer = arrest.actor
        if rng.random() < study.BREACH_CHARGED_SHARE:
            on = self.hearings.breach_day(at)
            if closes is None or on < closes.date():
                self.justice.police_decided(offence, "charged", at, officer)
                self.hearings.breach_charged(referral, region, access, offence, at, on, officer,
                                             self.justice)
                return
        if rng.random() < 0.5:
            self.justice.police_decided(offence, "released_under_investigation", at, officer)
        else:
            self.justice.police_decided(offence, "no_further_action", at, officer,
                                        nfa_reason="evidential_victim_supports")

    def _tell(self, referral: Referral, region: Region, access: Access, reason: str,
              at: datetime, context: dict) -> None:
        """`victims_code_event` for a decision recorded at `at`."""
        self.tasks.victim_update(referral=referral, region=region, at=at, reason=reason,
                                 access=access, context=context)

    def _charging(self, referral: Referral, region: Region, access: Access,
                  closes: datetime | None) -> None:
        """CPS's decision at its charging review (`services.COMPLETION`), recorded once the
        case's breaches are drawn: it applies to the offences open when it was made."""
        if self.justice.review is None:
            return
        review, result = self.justice.review
        decision = self.justice.charging_decided(referral, review, result)
        # Whatever CPS decides, the victim is told.
        self.tasks.victim_update(referral=referral, region=region, at=review.at,
                                 reason="charging decision made", access=access,
                                 context={"decision": decision.decision,
                                          "offence": decision.offence_id})
        if decision.decision == "charge":
            self.voice.statement_offered(referral, review.actor, review.at)
        if decision.decision == "charge" and self.court is not None:
            self.justice.treat = partial(self.interventions.from_sentence, referral=referral,
                                         region=region, access=access, closes=closes)
            self.hearings.decide(self.court, self.justice.charged, self.justice, review.actor)
        if decision.decision == "no_further_action":
            self.justice.review_offered(referral.pk, review.at, review.actor,
                                        RightToReview.DecidedBy.CPS, decision.decided_on,
                                        decision.offence_id)

    # --- The referral flow, played forward -----------------------------------------------------

    def _flow(self, referral: Referral, region: Region, access: Access,
              to_conference: list[str]) -> datetime | None:
        """Play `ReferralFlow` from the referral's creation; returns when it ended, if it did."""
        rng, tasks, directory = self.rng, self.tasks, self.directory
        hub = region.first("coordinator")
        t = referral.created_at
        process, prev = tasks.process(ReferralFlow, referral.pk, t, {"results": {}, "actors": {}})
        risk = referral.risk_level

        def status(value: str, at: datetime) -> None:
            referral.status, referral.updated_at = value, max(referral.updated_at, at)

        def human(node, task_type, agency, *, role="caseworker", token="start", excluded=None):  # noqa: S107
            return tasks.human(process, node, task_type, agency, t, prev, access=access, risk=risk,
                               role=role, token=token, excluded=excluded)

        first_triage = True
        while True:
            status("triage", t)
            triage = human(ReferralFlow.triage, "triage", hub)
            if triage.at is None:
                return None
            decision = (study.weighted(rng, study.TRIAGE_DECISIONS) if first_triage
                        else rng.choices(("accept", "decline"), (0.9, 0.1))[0])
            first_triage = False
            result = {"decision": decision, "risk_level": risk}
            if decision == "decline":
                result["reason"] = "No course of conduct: a single incident so far."
            tasks.complete(triage, process, result)
            t, prev = triage.at, tasks.node(process, ReferralFlow.after_triage, "SWITCH",
                                            triage.at, "start", triage.task)
            if decision == "request_info":
                status("info_requested", t)
                info = human(ReferralFlow.provide_info, "provide_info", referral.referrer_agency)
                if info.at is None:
                    return None
                tasks.complete(info, process, {"information": "Crime reference and dates added."})
                t, prev = info.at, info.task
                continue
            if decision == "decline":
                status("decline_pending", t)
                approval = human(ReferralFlow.approve_decline, "approve_decline", hub,
                                 role="supervisor", excluded=triage.actor)
                if approval.at is None:
                    return None
                approved = rng.random() < study.DECLINE_APPROVED_SHARE
                tasks.complete(approval, process, {"approved": approved} if approved else {
                    "approved": False, "reason": "Pattern of behaviour: accept it."})
                t, prev = approval.at, approval.task
                if approved:
                    status("declined", t)
                    tasks.end(process, ReferralFlow, t, prev, access)
                    return t
                continue
            break

        status("research", t)
        split = tasks.node(process, ReferralFlow.research_split, "PARALLEL_GATEWAY", t, "start",
                           prev)
        branches = [("research", directory.agency_of_kind(k, region))
                    for k in ("police", "probation", "advocacy")]
        if risk == "high":
            branches.append(("threat_assessment", directory.agency_of_kind("psychiatric", region)))
        ends: list[Done] = []
        for n, (task_type, agency) in enumerate(branches, start=1):
            ends.append(self._branch(process, access, split, f"start/{split.pk}_{n}", task_type,
                                     agency, region, risk, t))
        charge = next((e for e in ends if e.task.task_type == "charging_review"
                       and e.at is not None and e.task.data["result"]["decision"] == "charge"),
                      None)
        court = self.hearings.charged(referral, region, access, charge) if charge else None
        self.court = court
        if any(e.at is None for e in ends):
            return None
        t = max(e.at for e in ends)
        prev = tasks.node(process, ReferralFlow.research_join, "JOIN", t, "start",
                          [e.task for e in ends])

        if to_conference:
            meeting = self.meetings.next_for(region, t)
            item = self.meetings.put_on_agenda(meeting, access, t)
            item.routes, item.primary_route = to_conference, criteria.primary_route(to_conference)
            process.data["agenda_item"] = item.pk
            process.data["conference_routes"] = to_conference
            process.data["conference_criteria"] = self.criteria_version
            status("conference", t)
            prev = tasks.node(process, ReferralFlow.to_conference, "FUNCTION", t, "start", prev)
            if not meeting.held:
                tasks.node(process, ReferralFlow.heard, "FUNCTION", t, "start", prev, status="NEW")
                return None
            self.meetings.hear(meeting, item, access, risk)
            self.heard[referral.timeline_id] = meeting.starts_at
            t = meeting.starts_at + timedelta(hours=3)
            prev = tasks.node(process, ReferralFlow.heard, "FUNCTION", t, "start", prev)
        else:
            status("plan", t)
            plan = human(ReferralFlow.plan, "plan", referral.referrer_agency)
            if plan.at is None:
                return None
            tasks.complete(plan, process, {"plan": "Safety plan agreed; police marker placed."})
            t, prev = plan.at, plan.task

        return self._review_and_close(process, access, referral, hub, t, prev, status, court)

    def _branch(self, process, access: Access, split, token: str, task_type: str, agency,
                region: Region, risk: str, t: datetime) -> Done:
        """One parallel branch: a research task (police may ask for charging advice) or a
        threat assessment."""
        rng, tasks = self.rng, self.tasks
        node = getattr(ReferralFlow, task_type)
        done = tasks.human(process, node, task_type, agency, t, split, access=access, risk=risk,
                           token=token)
        if done.at is None:
            return done
        if task_type == "threat_assessment":
            tasks.complete(done, process, {"summary": "Fixated; intrusive.",
                                           "risk_formulation": "Rejected ex-intimate.",
                                           "recommendations": "Refer for treatment."})
            return done
        withheld = rng.random() < study.WITHHELD_SHARE
        result = {"summary": f"{study.convictions(rng)} previous convictions on record.",
                  "withheld": withheld}
        if withheld:
            result["withheld_reason"] = "Live covert investigation."
        advice = agency.kind == "police" and rng.random() < study.CHARGING_ADVICE_SHARE
        if agency.kind == "police":
            result["request_charging_advice"] = advice
        tasks.complete(done, process, result)
        if agency.kind == "police":
            self._police_decide(access.referral, done, advice)
            self.police_research = done
        if agency.kind == "advocacy":
            self.voice.advocacy_research_done(access.referral, done.actor, done.at)
        gateway = tasks.node(process, ReferralFlow.after_research, "EXCLUSIVE_GATEWAY", done.at,
                             token, done.task)
        if not advice:
            return Done(task=gateway, at=done.at, actor=done.actor)
        cps = self.directory.agency_of_kind("cps", region)
        review = tasks.human(process, ReferralFlow.charging_review, "charging_review", cps,
                             done.at, gateway, access=access, risk=risk, token=token)
        if review.at is not None:
            charged = rng.random() < study.CHARGED_SHARE / study.CHARGING_ADVICE_SHARE
            decision = "charge" if charged else rng.choice(("no_further_action", "more_evidence"))
            result = {"decision": decision, "reason": "Full Code Test applied."}
            if charged:
                result["offence"] = "Stalking involving fear of violence (s.4A PHA 1997)"
            # `services.COMPLETION`: the decision on the case's offences, and the victim told
            # (`_charging`, once the case's breaches are drawn).
            self.justice.review = (review, result)
            tasks.complete(review, process, result)
        return review

    def _police_decide(self, referral: Referral, research: Done, advice: bool) -> None:
        """Police's research done: the case's offence on their crime record (recorded now if
        it was not referred with it), and their decision on it: referred to CPS for a charging
        decision, or one of their own outcomes (`study.POLICE_OUTCOMES`), no further action
        with its outcome reason (`study.NFA_REASONS`)."""
        rng, justice = self.rng, self.justice
        offence = justice.main or justice.offence_recorded(referral, research.actor, research.at)
        if advice:
            justice.police_decided(offence, "referred_to_cps", research.at, research.actor)
            return
        kind = study.weighted(rng, study.POLICE_OUTCOMES)
        nfa_reason = study.weighted(rng, study.NFA_REASONS) if kind == "no_further_action" else ""
        reason = "The victim has moved away and asks that it end here." if nfa_reason == (
            "other") else ""
        justice.police_decided(offence, kind, research.at, research.actor, nfa_reason=nfa_reason,
                               reason=reason)

    def _review_and_close(self, process, access: Access, referral: Referral, hub, t: datetime,
                          prev, status, court: Court | None) -> datetime | None:
        """Reviews until one closes the case (not while its court process goes on), then the
        closure and its approval."""
        rng, tasks = self.rng, self.tasks
        while True:
            status("review", t)
            review = tasks.human(process, ReferralFlow.review, "review", hub, t, prev,
                                 access=access, risk=referral.risk_level)
            if review.at is None:
                return None
            close = rng.random() < study.REVIEW_CLOSES_SHARE
            close = close and (court is None or review.at.date() > court.over)
            tasks.complete(review, process, {"decision": "close" if close else "continue",
                                             "note": "No incidents since the last review."})
            t, prev = review.at, review.task
            if close:
                break
        while True:
            closure = tasks.human(process, ReferralFlow.closure, "closure", hub, t, prev,
                                  access=access, risk=referral.risk_level)
            if closure.at is None:
                return None
            tasks.complete(closure, process, _outcome(rng, court))
            approval = tasks.human(process, ReferralFlow.approve_closure, "approve_closure", hub,
                                   closure.at, closure.task, access=access, role="supervisor",
                                   excluded=closure.actor)
            if approval.at is None:
                return None
            approved = rng.random() < 0.95
            tasks.complete(approval, process, {"approved": True} if approved else {
                "approved": False, "reason": "Victim not yet informed."})
            t, prev = approval.at, approval.task
            if approved:
                status("closed", t)
                tasks.end(process, ReferralFlow, t, prev, access)
                return t


def _outcome(rng: random.Random, court: Court | None) -> dict:
    """The closure form: charged in about 1 case in 9 (`court`: what the court decided, the
    sentence and a treatment requirement)."""
    charged = court is not None
    outcome = {"charged": charged, "protective_order": rng.random() < 0.3,
               "victim_informed": rng.random() < 0.9, "summary": "Closed after review."}
    if not charged:
        outcome["not_charged_reason"] = "Evidential stage of the Full Code Test not met."
    else:
        outcome["convicted"] = court.convicted
        if court.sentence:
            outcome["sentence"] = Offence.Disposal(court.sentence).label
        if court.treatment:
            outcome["perpetrator_treatment"] = "treatment requirement of the community order"
    return outcome


def _answers(rng: random.Random, behaviours: list[str], relationship: list[str],
             instrument: ScreeningInstrument) -> dict[str, bool | None]:
    has = set(behaviours).__contains__
    answers = {
        "very_frightened": rng.random() < 0.75,
        "previous_harassment": rng.random() < 0.5,
        "property_damage": has("property_damage") or has("break_in"),
        "visits_3_per_week": has("following") and rng.random() < 0.5,
        "loitering": has("loitering"),
        "threats_of_violence": has("threats"),
        "third_parties_harassed": has("third_party"),
        "violence_in_incidents": has("violence"),
        "others_recruited": has("third_party") and rng.random() < 0.4,
        "substance_abuse": rng.random() < 0.35,
        "history_of_violence": rng.random() < (0.55 if "former_partner" in relationship else 0.2),
    }
    # Not known: the referrer could not say (the instrument counts it with the yeses).
    return {key: None if rng.random() < study.NOT_KNOWN_SHARE else answers.get(key, False)
            for key in instrument.question_keys}


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def _born(rng: random.Random, at: datetime, *, over_40: bool) -> date:
    age = rng.uniform(40, 70) if over_40 else rng.uniform(18, 40)
    return (at - timedelta(days=round(age * 365.25))).date()


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 200)} {rng.choice(study.SURNAMES)} Road"
