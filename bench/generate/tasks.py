"""Processes and tasks as the flows would have left them, with the access and trail they give.

`Tasks` is the part of the generator that plays a task through time: created, claimed, done (or
still open at the generator's "now"), escalated when it ran past its due date. It keeps each
case's involvements so that the case ends with the permission rows the flows would have left.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from viewflow.workflow.models import Task
from viewflow.workflow.token import Token

from agencies import policy
from agencies.models import Agency
from audit.events import disclosure_basis, own_access_basis
from referral.models import (
    Disclosure,
    Involvement,
    InvolvementBasis,
    Referral,
    ReferralAgencyPermission,
)
from victims.models import ContactEntry
from workflows import allocation, services
from workflows.flows import CaseTaskFlow
from workflows.models import AgencyTask, CaseProcess, task_outcome
from workflows.services.victims import CPS_NFA, DUTY_HOLDERS, TRIGGER_REASONS, contact_method

from . import study
from .notices import Notices
from .people import Directory, Member, Region, Staff
from .rows import Ids, Rows
from .trail import Trail

# The trigger of each reason a victim update is given for (`victims_code_event`'s context).
REASON_TRIGGERS = {reason: trigger for trigger, reason in TRIGGER_REASONS.items()}

PREVIOUS = Task.previous.through


@dataclass
class Done:
    """A task played through: `at` is when it was finished, None while it is still open."""

    task: AgencyTask
    at: datetime | None
    actor: Member | None


@dataclass
class Access:
    """One case's involvements (agency, basis, source) -> since when, and its disclosures
    (every grant to an agency but the referrer's), running or ended."""

    referral: Referral
    held: dict[tuple[int, str, str], datetime] = field(default_factory=dict)
    agencies: dict[int, Agency] = field(default_factory=dict)
    disclosures: list[Disclosure] = field(default_factory=list)


class Tasks:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail,
                 directory: Directory, notices: Notices, anchor: datetime,
                 permission_id: int) -> None:
        self.rng, self.ids, self.rows, self.trail = rng, ids, rows, trail
        self.directory, self.notices = directory, notices
        self.anchor, self.permission_id = anchor, permission_id

    # --- Access ----------------------------------------------------------------------------

    def grant(self, access: Access, agency: Agency, basis: str, source: str, at: datetime,
              actor: Member | None = None) -> None:
        key = (agency.pk, basis, source)
        if key in access.held:
            return
        access.held[key] = at
        access.agencies[agency.pk] = agency
        if agency.pk == access.referral.referrer_agency_id:
            basis_of = own_access_basis(agency)
        else:
            # The generated region has no sharing agreement: every disclosure is outside one,
            # awaiting a reason (`referral.access._disclosures`).
            disclosure = Disclosure(
                id=self.ids.take(Disclosure), referral_id=access.referral.pk, agency=agency,
                basis=basis, source=source, agreement=None, lawful_basis="",
                sections=sorted(policy.kind_readable_sections(agency.kind)),
                outside_agreement=True, disclosed_at=at,
            )
            access.disclosures.append(disclosure)
            basis_of = disclosure_basis(disclosure)
        self.trail.record(
            verb="access.granted", at=at, actor=actor, obj=access.referral,
            referral_id=access.referral.pk,
            changes={"agency": agency.slug, "basis": basis, "source": source, **basis_of},
            recipients=[agency.slug],
        )

    def revoke_process(self, access: Access, process: CaseProcess, at: datetime) -> None:
        """`CaseEnd`: the agencies a process involved lose the access it gave them; their
        disclosures end."""
        source = f"process:{process.pk}"
        for key in [k for k in access.held if k[1] == InvolvementBasis.TASK and k[2] == source]:
            del access.held[key]
            self.trail.record(
                verb="access.revoked", at=at, obj=access.referral,
                referral_id=access.referral.pk,
                changes={"agency": access.agencies[key[0]].slug, "basis": key[1], "source": key[2]},
            )
        for disclosure in access.disclosures:
            ending = disclosure.basis == InvolvementBasis.TASK and disclosure.source == source
            if ending and disclosure.ended_at is None:
                disclosure.ended_at = at

    def write_access(self, access: Access) -> None:
        for (agency_id, basis, source), since in access.held.items():
            self.rows.add(Involvement(
                id=self.ids.take(Involvement), referral_id=access.referral.pk, agency_id=agency_id,
                basis=basis, source=source, created_at=since,
            ))
        for disclosure in access.disclosures:
            self.rows.add(disclosure)
        for agency_id in sorted({k[0] for k in access.held}):
            self.rows.add(ReferralAgencyPermission(
                id=self.ids.take(ReferralAgencyPermission),
                group_id=access.agencies[agency_id].group_id,
                permission_id=self.permission_id, content_object_id=access.referral.pk,
            ))

    # --- Processes and tasks ---------------------------------------------------------------

    def process(self, flow, referral_id: int | None, at: datetime,
                data: dict) -> tuple[CaseProcess, AgencyTask]:
        """A process with its start task."""
        pk = self.ids.take(CaseProcess)
        process = self.rows.add(CaseProcess(
            id=pk, process_ptr_id=pk, flow_class=flow, status="NEW", created=at, data=data,
            referral_id=referral_id,
        ))
        return process, self.node(process, flow.start, "START", at, "start", None)

    def node(self, process: CaseProcess, flow_task, kind: str, at: datetime, token: str,
             previous: list[AgencyTask] | AgencyTask | None, status: str = "DONE") -> AgencyTask:
        """A task of a non-human node (start, gateway, join, end), done when reached. As in the
        app, only human tasks name their case (`AgencyViewActivation.create`)."""
        pk = self.ids.take(AgencyTask)
        task = self.rows.add(AgencyTask(
            id=pk, task_ptr_id=pk, process_id=process.pk, flow_task=flow_task,
            flow_task_type=kind, status=status, created=at, token=Token(token),
            started=at if kind in ("START", "END") else None,
            finished=at if status == "DONE" else None, data={}, task_type="", is_open=False,
        ))
        self.link(task, previous)
        return task

    def link(self, task: AgencyTask, previous) -> None:
        if previous is None:
            return
        for prev in previous if isinstance(previous, list) else [previous]:
            self.rows.add(PREVIOUS(id=self.ids.take(PREVIOUS), from_task_id=task.pk,
                                   to_task_id=prev.pk))

    def end(self, process: CaseProcess, flow, at: datetime, previous, access: Access | None):
        self.node(process, flow.end, "END", at, "start", previous)
        process.status, process.finished = "DONE", at
        if access is not None:
            self.revoke_process(access, process, at)

    def due(self, task_type: str, created: datetime, risk: str) -> datetime:
        return allocation.due_for(task_type, risk_level=risk, now=created)

    def human(self, process: CaseProcess, flow_task, task_type: str, agency: Agency,
              created: datetime, previous, *, access: Access | None, risk: str = "standard",
              role: str = "caseworker", token: str = "start",  # noqa: S107 - a flow token
              due: datetime | None = None,
              excluded: Member | None = None) -> Done:
        """An agency's task created at `created`, claimed and done later (or still open)."""
        rng = self.rng
        due = due or self.due(task_type, created, risk)
        allowed = max(1.0, (due - created).total_seconds() / 86400)
        assigned = created + timedelta(days=study.task_days(rng, 1) * 0.45 * allowed)
        finished = assigned + timedelta(days=study.task_days(rng, 1) * 0.6 * allowed)
        staff = self.directory.staff[agency.pk]
        candidates = [m for m in staff.with_role(role) if excluded is None or m.id != excluded.id]
        actor = rng.choice(candidates or staff.members)
        if assigned > self.anchor:
            status, owner, assigned_at, finished_at = "NEW", None, None, None
        elif finished > self.anchor:
            status, owner, assigned_at, finished_at = "ASSIGNED", actor, assigned, None
        else:
            status, owner, assigned_at, finished_at = "DONE", actor, assigned, finished
        pk = self.ids.take(AgencyTask)
        task = self.rows.add(AgencyTask(
            id=pk, task_ptr_id=pk, process_id=process.pk, flow_task=flow_task,
            flow_task_type="HUMAN", status=status, created=created, assigned=assigned_at,
            started=finished_at, finished=finished_at, token=Token(token), data={},
            owner_id=owner.id if owner else None, agency=agency, referral_id=process.referral_id,
            task_type=task_type, role=role, due=due, is_open=status != "DONE",
            in_queue=status == "NEW", completed_at=finished_at,
            excluded_user_id=excluded.id if excluded else None,
        ))
        self.link(task, previous)
        if access is not None:
            task.referral = access.referral  # the notices' text names its reference
            self.grant(access, agency, InvolvementBasis.TASK, f"process:{process.pk}", created)
        self.notices.queued(task, staff)
        if due < (finished_at or self.anchor):
            task.escalated_at = due + timedelta(minutes=1)
            # The sweep reads the task back: its due date as the database gives it, in UTC.
            self.trail.record(
                verb="task.escalated", at=task.escalated_at, agency=agency, obj=task,
                referral_id=task.referral_id,
                changes={"task_type": task_type, "due": due.astimezone(UTC).isoformat()},
            )
            self.notices.overdue(task, staff)
        if assigned_at is not None:
            self._taken(task, actor, staff)
        return Done(task=task, at=finished_at, actor=actor if owner else None)

    def _taken(self, task: AgencyTask, owner: Member, staff: Staff) -> None:
        """Claimed from the queue by its owner, or given to them by a supervisor
        (`task_reassign`, which tells them)."""
        supervisors = [m for m in staff.members if "supervisor" in m.roles and m.id != owner.id]
        if supervisors and self.rng.random() < study.GIVEN_BY_SUPERVISOR_SHARE:
            supervisor = self.rng.choice(supervisors)
            self.trail.record(verb="task.reassigned", at=task.assigned, actor=supervisor,
                              obj=task, referral_id=task.referral_id,
                              changes={"task_type": task.task_type, "to": owner.username})
            self.notices.assigned(task, owner)
            return
        self.trail.record(verb="task.claimed", at=task.assigned, actor=owner, obj=task,
                          referral_id=task.referral_id, changes={"task_type": task.task_type})

    def complete(self, done: Done, process: CaseProcess, result: dict) -> None:
        """Record a finished task's result where the flow keeps it, and its decision event."""
        from audit.events import DECISION_FIELDS, _decision_verb

        task = done.task
        task.data = {"result": result}
        task.outcome = task_outcome(result)
        process.data.setdefault("results", {})[task.task_type] = result
        process.data.setdefault("actors", {})[task.task_type] = done.actor.id
        changes = {k: result[k] for k in DECISION_FIELDS if k in result}
        changes.update({k: "***" for k in result if k not in DECISION_FIELDS and "reason" not in k})
        self.trail.record(
            verb=_decision_verb(task.task_type, result), at=done.at, actor=done.actor, obj=task,
            referral_id=task.referral_id,
            reason="\n".join(str(result[k]) for k in result if "reason" in k and result[k]),
            changes={"task_type": task.task_type, **changes},
        )

    def single(self, *, task_type: str, agency: Agency, referral_id: int | None, at: datetime,
               due: datetime, context: dict, access: Access | None, result: dict,
               role: str = "caseworker",
               applied: Callable[[Done], None] | None = None) -> Done:
        """A `CaseTaskFlow` task (enforcement, conference action, before a hearing): start, the
        switch on its type, the task, the end if done (`case_task_start`). `applied` is what
        finishing it changes on the case (`services.COMPLETION`), done before its decision
        event and its end, as `task_complete` does."""
        process, start = self.process(CaseTaskFlow, referral_id, at, {
            "task_type": task_type, "agency": agency.pk, "due": due.isoformat(),
            "context": context, "results": {}, "actors": {},
        })
        route = self.node(process, CaseTaskFlow.route, "SWITCH", at, "start", start)
        done = self.human(process, getattr(CaseTaskFlow, task_type), task_type, agency, at,
                          route, access=access, role=role, due=due)
        if done.at is not None:
            if applied is not None:
                applied(done)
            self.complete(done, process, result)
            self.end(process, CaseTaskFlow, done.at, done.task, access)
        return done

    def victim_update(self, *, referral: Referral, region: Region, at: datetime, reason: str,
                      access: Access, context: dict | None = None) -> Done:
        """`victims_code_event` at `at` for the trigger of `reason` (`context`: a CPS decision's
        code, an offence id): the Victims' Code duty holder of the region tells the victim,
        police by an update, CPS by a letter about its decision not to charge; done, the update
        is a contact entry with its trigger and on-time flag (`services.COMPLETION`)."""
        trigger = REASON_TRIGGERS[reason]
        context = {k: v for k, v in (context or {}).items() if v is not None}
        kind, task_type, duty_holder = (
            CPS_NFA if trigger == "cps_decision"
            and context.get("decision") == "no_further_action" else DUTY_HOLDERS[trigger])
        agency = self.directory.agency_of_kind(kind, region)
        due = services.victim_update_due(referral, now=at)
        contacted = self.rng.random() < study.VICTIM_CONTACTED_SHARE
        if task_type == "victim_letter":
            result = ({"sent": True, "vrr_offered": True,
                       "note": "Decision explained; right to review set out."} if contacted
                      else {"sent": False, "note": "Address being confirmed with police."})
        else:
            result = ({"contacted": True,
                       "method": self.rng.choice(study.VICTIM_CONTACT_METHODS),
                       "note": "Told what has happened and what comes next."} if contacted else
                      {"contacted": False, "note": "No answer on her safe number; text sent."})
        return self.single(task_type=task_type, agency=agency, referral_id=referral.pk,
                           at=at, due=due, access=access, result=result,
                           context={"reason": reason, "trigger": trigger,
                                    "duty_holder": duty_holder, **context},
                           applied=lambda done: self._contact(done, trigger, due, result))

    def _contact(self, done: Done, trigger: str, due: datetime, result: dict) -> None:
        """The contact entry a done update writes (`victims.services.contact_for_update`)."""
        task = done.task
        entry = self.rows.add(ContactEntry(
            id=self.ids.take(ContactEntry), referral_id=task.referral_id, at=done.at,
            agency_id=task.agency_id, recorded_by_id=done.actor.id, created_at=done.at,
            method=("letter" if "sent" in result else contact_method(result.get("method", ""))),
            reached=bool(result.get("contacted") or result.get("sent")), trigger=trigger,
            task_id=task.pk, due=due,
            on_time=done.at <= due, note=result.get("note", ""),
        ))
        self.trail.record(
            verb="contact.logged", at=done.at, actor=done.actor, agency=task.agency, obj=entry,
            referral_id=task.referral_id,
            changes={"method": entry.method, "reached": entry.reached, "trigger": trigger,
                     "task": task.pk, "on_time": entry.on_time,
                     "note": "***" if entry.note else ""},
        )
