"""The audit trail: appends by 8 concurrent writers, and verification of a long chain.

Appending goes through `audit.events` (one event per transaction, sealed by the process's
sealer thread after commit, as a server does; the rate includes sealing what is left at the
end); the floor is the same INSERT in plain SQL, one per transaction. Verifying runs
`audit.chain.verify` over the whole chain, topped up to the wanted length with sealed events;
the floor is reading the same rows without hashing them.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from agencies.models import Membership
from audit import chain, events
from audit.models import Event, Seal
from bench.generate.rows import Ids, reset_sequences
from bench.generate.trail import Trail

from .http import Load, concurrently


def append_through_app(*, clients: int, seconds: float) -> Load:
    members = list(Membership.objects.select_related("user", "agency")[:clients])
    # Earlier figures leave unsealed events (the plain-SQL lifecycle copies write theirs
    # unsealed): seal them first, or this figure would time sealing that backlog.
    chain.seal()

    def unit(index: int):
        member = members[index % len(members)]

        def append() -> None:
            with transaction.atomic():
                events.access_refused_event(actor=member.user, object_type="referral.referral",
                                            object_id=index, referral_id=None)

        return append

    load = concurrently(unit, clients=clients, seconds=seconds)
    # Sealing runs beside the writers (the process's sealer thread, as in a server); what is
    # still unsealed when they stop is sealed here, inside the time the rate is taken over.
    started = time.perf_counter()
    chain.seal()
    load.seconds += time.perf_counter() - started
    return load


def append_plain(*, clients: int, seconds: float) -> Load:
    def unit(index: int):
        def append() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_event (at, actor_username, agency_slug, verb, object_type,"
                    " object_id, reason, changes, recipients, request_id)"
                    " VALUES (now(), 'bench', '', 'access.refused', '', %s, '',"
                    " '{\"object_type\": \"referral.referral\"}', '[]', '')",
                    [str(index)],
                )

        return append

    load = concurrently(unit, clients=clients, seconds=seconds)
    chain.seal()
    return load


def top_up(events_wanted: int, *, seed: int = 7) -> int:
    """Append sealed events until the chain is `events_wanted` long; returns its length."""
    have = Seal.objects.count()
    missing = events_wanted - have
    if missing <= 0:
        return have
    rng = random.Random(seed)
    trail = Trail(Ids())
    start = datetime.now(UTC) - timedelta(days=1)
    with transaction.atomic():
        for n in range(missing):
            trail.record(verb="section.read", at=start + timedelta(microseconds=n),
                         referral_id=rng.randrange(1, 1_000_000),
                         changes={"section": rng.choice(("victim_contact", "charging"))})
            if len(trail.pending) >= 20_000:
                trail.seal()
        trail.seal()
        reset_sequences([Event])  # the application's next event comes after these
    return have + missing


def verify() -> chain.Verification:
    connection.close()
    return chain.verify(anchor_file=_no_anchor())


def read_floor() -> tuple[int, float]:
    """Rows and seconds to stream the same columns the verifier reads, without hashing."""
    started = time.perf_counter()
    count = 0
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(
            "SELECT s.seq, s.prev_hash, s.hash, e.at, e.actor_username, e.agency_slug, e.verb,"
            " e.object_type, e.object_id, e.referral_id, e.reason, e.changes, e.recipients,"
            " e.request_id FROM audit_seal s JOIN audit_event e ON e.id = s.event_id"
            " ORDER BY s.seq"
        )
        while rows := cursor.fetchmany(5000):
            count += len(rows)
    return count, time.perf_counter() - started


def _no_anchor():
    from pathlib import Path

    return Path("/nonexistent/bench-anchors.jsonl")
