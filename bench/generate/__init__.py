"""A realistic caseload, written in bulk: `generate(referrals=N, seed=S)`.

Reproducible: the same seed on an empty database on the same day gives the same rows (times are
laid out backwards from today's midnight UTC, so that open tasks are open and overdue ones overdue
when the benchmark runs).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth.models import Permission
from django.db import connection, transaction

from referral.models import ReferenceCounter, Referral, ScreeningInstrument

from . import people
from .cases import Cases
from .hearings import Hearings
from .meetings import Meetings
from .notices import Notices
from .rows import Ids, Rows, historical_timestamps, reset_sequences
from .tasks import Tasks
from .trail import Trail

WINDOW = timedelta(days=730)  # referrals of the last two years
CHUNK = 1000


@dataclass
class Summary:
    referrals: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # Referrals each conference route put on agendas (a case may meet several), and by each
    # case's first route (`conferences.criteria.ROUTES`).
    conference_routes: dict[str, int] = field(default_factory=dict)
    conference_primary: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate(*, referrals: int, seed: int, today: date | None = None,
             log: Callable[[str], None] = print) -> Summary:
    """Write the agencies, members and `referrals` cases with their history, up to the start of
    `today` (default: the real one). The seed and the day fix the caseload: the same history
    falls on other weekdays and holidays on another day. Needs a database without a caseload
    (`CommandError`-worthy `ValueError` otherwise)."""
    if Referral.objects.exists():
        raise ValueError("This database already holds referrals: generate into an empty one.")
    instrument = ScreeningInstrument.objects.filter(slug="stalking-screen-v1").first()
    if instrument is None:
        raise ValueError("The screening instrument is missing: run the migrations first.")
    summary = Summary(referrals=referrals, seed=seed)
    rng = random.Random(seed)
    anchor = datetime.combine(today or datetime.now(UTC).date(), clock(0, 0), tzinfo=UTC)
    started = time.perf_counter()
    clock_mark = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        summary.seconds[name] = summary.seconds.get(name, 0.0) + now - clock_mark[0]
        clock_mark[0] = now

    with transaction.atomic(), historical_timestamps():
        ids, rows = Ids(), Rows()
        trail = Trail(ids)
        directory = people.build(rng=rng, ids=ids, rows=rows, trail=trail, at=anchor - WINDOW
                                 - timedelta(days=30))
        permission = Permission.objects.get(content_type__app_label="referral",
                                            codename="view_referral")
        notices = Notices(seed=seed, ids=ids, rows=rows, directory=directory, anchor=anchor)
        tasks = Tasks(rng=rng, ids=ids, rows=rows, trail=trail, directory=directory,
                      notices=notices, anchor=anchor, permission_id=permission.pk)
        meetings = Meetings(rng=rng, ids=ids, rows=rows, trail=trail, tasks=tasks,
                            directory=directory, anchor=anchor, since=anchor - WINDOW)
        rows.flush()
        trail.seal()
        lap("agencies and members")
        log(f"  {sum(len(s.members) for s in directory.staff.values())} members in "
            f"{len(directory.staff)} agencies ({summary.seconds['agencies and members']:.1f}s)")

        hearings = Hearings(rng=rng, ids=ids, rows=rows, trail=trail, tasks=tasks,
                            directory=directory, anchor=anchor)
        cases = Cases(rng=rng, ids=ids, rows=rows, trail=trail, directory=directory, tasks=tasks,
                      meetings=meetings, hearings=hearings, anchor=anchor, instrument=instrument)
        created = sorted(anchor - timedelta(seconds=rng.uniform(3600, WINDOW.total_seconds()))
                         for _ in range(referrals))
        counters: dict[int, int] = {}
        for start in range(0, referrals, CHUNK):
            for at in created[start : start + CHUNK]:
                counters[at.year] = counters.get(at.year, 0) + 1
                cases.referral(created=at, reference=f"STK-{at.year}-{counters[at.year]:06d}")
            lap("drawing cases")
            rows.flush()
            lap("writing rows")
            trail.seal()
            lap("sealing the trail")
            done = min(start + CHUNK, referrals)
            if done % (CHUNK * 10) == 0 or done == referrals:
                log(f"  {done:,} referrals, {rows.written_total():,} rows, {trail.written:,} "
                    f"events ({time.perf_counter() - started:.1f}s)")
        meetings.seal_sequences()
        summary.conference_routes = dict(cases.route_counts)
        summary.conference_primary = dict(cases.primary_counts)
        on_agendas = sum(cases.primary_counts.values())
        log(f"  conference routes of {referrals:,} referrals ({on_agendas:,} to a conference): "
            + ", ".join(f"{route} {n:,} ({n / max(referrals, 1):.0%}; first route of "
                        f"{cases.primary_counts[route]:,})"
                        for route, n in cases.route_counts.items())
            + f"; escalation alone {cases.escalation_only:,}")
        for year, last in counters.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
        reset_sequences(ids.models())
        lap("finishing")
    with connection.cursor() as cursor:
        # A database in service is vacuumed by autovacuum: its visibility map lets index-only
        # scans (the referral list's count, visibility probes) skip the heap. A caseload just
        # written has none, and no statistics (the planner would take every table for empty).
        # Outside the transaction: VACUUM cannot run in one (a test's caseload only analyses).
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
    lap("vacuum and statistics")
    summary.rows = {**rows.written, "audit.Event": trail.written}
    summary.seconds["total"] = time.perf_counter() - started
    return summary
