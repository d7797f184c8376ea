"""Case conferences every fortnight in each region: agendas, attendance, decisions, actions, notes.

A meeting's row is written when its first case joins the agenda (so no empty past meetings), and
each region's next scheduled meeting is written up front (new cases are put on it).
"""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from conferences.models import AgendaItem, Attendance, Conference, ConferenceAction, Decision, Note
from referral.models import InvolvementBasis
from workflows import calendar

from .people import Directory, Member, Region
from .rows import Ids, Rows
from .tasks import Access, Tasks
from .trail import Trail

EVERY = timedelta(days=14)
LENGTH = timedelta(hours=3)
INVITED_KINDS = ("police", "cps", "probation", "advocacy", "psychiatric", "coordinator")


@dataclass
class Meeting:
    starts_at: datetime
    region: Region
    conference: Conference | None = None
    attendees: list[Member] = field(default_factory=list)
    positions: int = 0
    last_seq: int = 0

    @property
    def held(self) -> bool:
        return self.conference is not None and self.conference.status == "minutes_signed"


class Meetings:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail, tasks: Tasks,
                 directory: Directory, anchor: datetime, since: datetime) -> None:
        self.rng, self.ids, self.rows, self.trail, self.tasks = rng, ids, rows, trail, tasks
        self.directory, self.anchor = directory, anchor
        self.calendar: dict[str, list[Meeting]] = {}
        first = datetime.combine(since.date(), time(10, 0), tzinfo=UTC)
        for offset, region in enumerate(directory.regions):
            start = first + timedelta(days=offset % 10)
            count = int((anchor + 2 * EVERY - start) / EVERY) + 1
            self.calendar[region.slug] = [Meeting(start + n * EVERY, region) for n in range(count)]
        for meetings in self.calendar.values():
            upcoming = [m for m in meetings if m.starts_at > anchor]
            if upcoming:
                self._open(upcoming[0])

    def next_for(self, region: Region, after: datetime) -> Meeting:
        meetings = self.calendar[region.slug]
        index = bisect.bisect_left([m.starts_at for m in meetings], after)
        return meetings[min(index, len(meetings) - 1)]

    def invited(self, region: Region) -> list:
        agencies = [self.directory.agency_of_kind(k, region) for k in INVITED_KINDS]
        return agencies + region.agencies["advocacy"][1:]

    def _open(self, meeting: Meeting) -> Conference:
        """Write the meeting's row (and, if it has been held, who came and what was signed)."""
        if meeting.conference is not None:
            return meeting.conference
        rng, region = self.rng, meeting.region
        hub = region.first("coordinator")
        chair = self.directory.staff[hub.pk].pick(rng, "chair")
        held = meeting.starts_at + LENGTH + timedelta(days=1) < self.anchor
        starts = meeting.starts_at
        conference = self.rows.add(Conference(
            id=self.ids.take(Conference), title=f"{region.name} MARAC-S {starts:%d %b %Y}",
            starts_at=starts, place=f"{region.name} Police HQ, room 2", chair_id=chair.id,
            coordinator=hub, status="minutes_signed" if held else "scheduled",
            started_at=starts if held else None, closed_at=starts + LENGTH if held else None,
            minutes_signed_at=starts + LENGTH + timedelta(days=1) if held else None,
            created_at=starts - 3 * EVERY,
        ))
        meeting.conference = conference
        invited = self.invited(region)
        through = Conference.invited_agencies.through
        for agency in invited:
            self.rows.add(through(id=self.ids.take(through), conference_id=conference.pk,
                                  agency_id=agency.pk))
        record = self.trail.record
        record(verb="conference.scheduled", at=conference.created_at, actor=chair, obj=conference,
               changes={"conference": conference.pk, "invited": sorted(a.slug for a in invited)})
        if not held:
            return conference
        for agency in invited:
            member = self.directory.staff[agency.pk].pick(rng, "caseworker")
            if agency.pk == hub.pk:
                member = chair
            meeting.attendees.append(member)
            at = starts - timedelta(minutes=rng.randint(5, 30))
            self.rows.add(Attendance(id=self.ids.take(Attendance), conference_id=conference.pk,
                                     user_id=member.id, agency=agency, acknowledged_at=at))
            record(verb="confidentiality.acknowledged", at=at, actor=member, obj=conference,
                   changes={"conference": conference.pk})
        for verb, at in (("conference.started", starts), ("conference.closed", starts + LENGTH),
                         ("minutes.signed", conference.minutes_signed_at)):
            record(verb=verb, at=at, actor=chair, obj=conference,
                   changes={"conference": conference.pk})
        record(verb="minutes.sent", at=conference.minutes_signed_at + timedelta(hours=2),
               actor=chair, obj=conference, changes={"conference": conference.pk},
               recipients=sorted(a.slug for a in invited))
        return conference

    def put_on_agenda(self, meeting: Meeting, access: Access, at: datetime) -> AgendaItem:
        """`agenda_add_to_next`: an item on the meeting, every invited agency involved."""
        conference = self._open(meeting)
        meeting.positions += 1
        item = self.rows.add(AgendaItem(
            id=self.ids.take(AgendaItem), conference_id=conference.pk,
            referral_id=access.referral.pk, position=meeting.positions,
            status="closed" if meeting.held else "pending", created_at=at,
        ))
        for agency in self.invited(meeting.region):
            self.tasks.grant(access, agency, InvolvementBasis.CONFERENCE,
                             f"conference:{conference.pk}", at)
        return item

    def hear(self, meeting: Meeting, item: AgendaItem, access: Access, risk: str) -> None:
        """What the meeting recorded on a case: notes, decisions, actions (which become tasks)."""
        rng, conference = self.rng, meeting.conference
        chair = next(m for m in meeting.attendees if m.id == conference.chair_id)
        heard_at = meeting.starts_at + timedelta(minutes=10 * item.position % 170)
        for n in range(rng.randint(3, 8)):
            author = rng.choice(meeting.attendees)
            meeting.last_seq += 1
            restricted = rng.random() < 0.15
            self.rows.add(Note(
                id=self.ids.take(Note), conference_id=conference.pk, agenda_item_id=item.pk,
                author_id=author.id, agency=author.agency,
                text=f"Note {n + 1} on {access.referral.reference}: "
                + rng.choice(NOTE_LINES),
                visible_to=sorted({author.agency.slug, chair.agency.slug}) if restricted else None,
                seq=meeting.last_seq, client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=heard_at + timedelta(minutes=n),
            ))
        for _ in range(rng.randint(1, 2)):
            decision = self.rows.add(Decision(
                id=self.ids.take(Decision), item_id=item.pk, text=rng.choice(DECISIONS),
                reason="Agreed by the agencies present.", decided_by_id=chair.id,
                decided_at=heard_at + timedelta(minutes=8),
            ))
            self.trail.record(verb="conference.decision", at=decision.decided_at, actor=chair,
                              obj=decision, referral_id=item.referral_id, reason=decision.reason,
                              changes={"conference": conference.pk, "decision": decision.text})
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3 if risk == "high" else 1))):
            owner = rng.choice(meeting.attendees).agency
            due_day = (heard_at + timedelta(days=rng.randint(7, 28))).date()
            description = rng.choice(ACTIONS)
            action = self.rows.add(ConferenceAction(
                id=self.ids.take(ConferenceAction), item_id=item.pk, agency=owner,
                description=description, due=due_day, created_by_id=chair.id,
                created_at=heard_at + timedelta(minutes=9),
            ))
            outcome = rng.choices(("done", "not_possible", "not_done"), (0.8, 0.1, 0.1))[0]
            result = {"outcome": outcome} if outcome == "done" else {
                "outcome": outcome, "note": "Circumstances changed."}
            done = self.tasks.single(
                task_type="action", agency=owner, referral_id=item.referral_id,
                at=action.created_at, due=calendar.end_of_day(due_day),
                context={"action": action.pk, "conference": conference.pk,
                         "description": description},
                access=access, result=result,
            )
            action.task_id = done.task.pk
            if done.at is not None:
                action.outcome, action.outcome_note = outcome, result.get("note", "")
            self.trail.record(verb="conference.action", at=action.created_at, actor=chair,
                              obj=action, referral_id=item.referral_id,
                              changes={"conference": conference.pk, "agency": owner.slug,
                                       "due": due_day.isoformat(), "description": description},
                              recipients=[owner.slug])

    def seal_sequences(self) -> None:
        """Each held meeting's last note number, once every note is written."""
        meetings = [m for ms in self.calendar.values() for m in ms if m.conference and m.last_seq]
        for meeting in meetings:
            meeting.conference.last_seq = meeting.last_seq
        Conference.objects.bulk_update([m.conference for m in meetings], ["last_seq"],
                                       batch_size=1000)


NOTE_LINES = (
    "Police confirm two further reports since referral; suspect not yet interviewed.",
    "Advocate reports the victim is very frightened and has changed her route to work.",
    "Probation: suspect on licence until next spring; previous convictions for harassment.",
    "Threat assessment recommended given fixation and recent escalation.",
    "CPS advise the evidence may now meet the threshold for a stalking charge.",
    "Victim asks for a panic alarm and a marker on her address.",
    "Suspect has started contacting the victim's sister through social media.",
)
DECISIONS = (
    "Refer for a stalking protection order application.",
    "Target harden the victim's home.",
    "Request a psychiatric assessment before the next hearing.",
    "Flag the address for an urgent police response.",
    "Review at the next meeting.",
)
ACTIONS = (
    "Apply for an interim stalking protection order.",
    "Fit a panic alarm at the victim's address.",
    "Update the victim on the bail conditions.",
    "Check the suspect's licence conditions with the offender manager.",
    "Share the threat assessment with the charging lawyer.",
)
