"""The notices the application writes about tasks, as its worker and its timers would have.

`workflows.notifications` writes three kinds: QUEUED, when a task lands in an agency's queue, to
every member who may take it (`policy.may_take_task`); ASSIGNED, when a supervisor gives a task
to a named member, to that member; OVERDUE, when the timer sweep escalates a task past its due
date, to the agency's supervisors (all its members if it has none). Their text is the app's own
(`notifications.notice_text`). A member marks every notice read at once
(`notifications_mark_read`), whenever they look: a notice is read from the member's first look
after it was written.

Only the notices of the last `WINDOW` are written. The app never deletes one, but one for every
member who may take every task queued in two years is about 380 a referral, two and a half times
all the other rows of the caseload (about three times the generation time); the endpoint shows
the newest page first, and within the window every member has every notice the app would have
written.
"""

from __future__ import annotations

import bisect
import random
from datetime import datetime, timedelta

from agencies import policy
from workflows.models import AgencyTask, Notification
from workflows.notifications import notice_text

from .people import Directory, Member, Staff
from .rows import Ids, Rows

WINDOW = timedelta(days=90)
# How often members look at their notices (guesses): most every day or two, some weekly, a
# few hardly ever. (Share of members, mean days between their looks from, to.)
LOOKING = ((0.6, 0.5, 2.0), (0.3, 4.0, 10.0), (0.1, 20.0, 60.0))
# The worker writes a task's notices just after the commit that queued it.
LAG_SECONDS = (0.05, 3.0)


class Notices:
    def __init__(self, *, seed: int, ids: Ids, rows: Rows, directory: Directory,
                 anchor: datetime) -> None:
        # Their own draws: writing notices changes no draw of the cases.
        self.rng = random.Random(f"notices:{seed}")
        self.ids, self.rows, self.anchor = ids, rows, anchor
        self.since = anchor - WINDOW
        self.takers: dict[tuple[int, str, int | None], list[Member]] = {}
        self.looks: dict[int, list[datetime]] = {}
        for staff in directory.staff.values():
            for member in staff.members:
                self.looks[member.id] = self._looks()

    def _looks(self) -> list[datetime]:
        rng = self.rng
        shares = [share for share, _, _ in LOOKING]
        _, low, high = rng.choices(LOOKING, weights=shares)[0]
        gap = rng.uniform(low, high) * 86400
        at, looks = self.since - timedelta(seconds=rng.uniform(0, gap)), []
        while True:
            at += timedelta(seconds=rng.expovariate(1 / gap))
            if at > self.anchor:
                return looks
            looks.append(at)

    def _written(self, at: datetime) -> datetime | None:
        """When the worker wrote a notice of something that happened at `at`, if in the window."""
        if at < self.since or at > self.anchor:
            return None
        written = at + timedelta(seconds=self.rng.uniform(*LAG_SECONDS))
        return written if written <= self.anchor else None

    def _write(self, task: AgencyTask, kind: str, members: list[Member], at: datetime) -> None:
        text = notice_text(task, kind)
        for member in members:
            looks = self.looks[member.id]
            index = bisect.bisect_left(looks, at)
            self.rows.add(Notification(
                id=self.ids.take(Notification), user_id=member.id, kind=kind, task_id=task.pk,
                referral_id=task.referral_id,
                text=text, created_at=at, read_at=looks[index] if index < len(looks) else None,
            ))

    def queued(self, task: AgencyTask, staff: Staff) -> None:
        """`notifications.task_queued`: every member who may take the new task."""
        at = self._written(task.created)
        if at is None:
            return
        # The policy's answer depends on the member, and on the task's agency, role and excluded
        # member only.
        key = (task.agency_id, task.role, task.excluded_user_id)
        if key not in self.takers:
            self.takers[key] = [m for m in staff.members
                                if policy.may_take_task(m.membership, task)]
        self._write(task, Notification.Kind.QUEUED, self.takers[key], at)

    def assigned(self, task: AgencyTask, owner: Member) -> None:
        """`notifications.task_assigned`: a supervisor gave the task to `owner`."""
        at = self._written(task.assigned)
        if at is not None:
            self._write(task, Notification.Kind.ASSIGNED, [owner], at)

    def overdue(self, task: AgencyTask, staff: Staff) -> None:
        """`notifications.task_overdue`: the agency's supervisors, when the sweep escalated it."""
        at = self._written(task.escalated_at)
        if at is None:
            return
        self._write(task, Notification.Kind.OVERDUE, staff.with_role("supervisor"), at)
