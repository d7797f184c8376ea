"""Tamper evidence: one hash chain over every event, sealed after commit, verifiable, anchored.

Why one global chain, sealed after commit: writers never wait for each other. An event is
inserted inside the transaction of the change it describes, exactly as that change (the
database queues it for sealing in the same transaction, `PendingSeal`); a sealer then takes the
committed, queued events in id order, numbers them 1, 2, 3... and chains their hashes under a
lock on the single `ChainHead` row, writing each a `Seal` (the event itself is never updated).
Only the sealer serialises, in batches, so appending costs a request one INSERT, and the chain
has no gaps because only committed events are ever numbered. A commit that wrote events wakes
the process's sealer thread (inline instead on SQLite and in tests, AUDIT_SEAL_IN_BACKGROUND),
and every timer tick seals too, so an event is normally sealed about a second after its commit.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from .hashing import (
    CANONICAL,
    ERASED_CHANGES,
    ERASED_REASON,
    ERASED_RECIPIENTS,
    GENESIS,
    _Content,
    canonical,
    content_digests,
    digest,
)
from .models import ChainHead, Event, PendingSeal, Seal

__all__ = ["CANONICAL", "GENESIS", "canonical", "content_digests", "digest", "seal", "verify"]

logger = logging.getLogger(__name__)

BATCH = 5000


def seal(*, wait: bool = True) -> int:
    """Number and hash every committed, unsealed event. Returns how many were sealed.

    With `wait=False` it returns 0 at once when another sealer is at work (it will pick up
    these events, or the next tick will).
    """
    sealed = 0
    while True:
        with transaction.atomic():
            head_qs = ChainHead.objects.select_for_update(skip_locked=not wait)
            head = head_qs.filter(pk=1).first()
            if head is None:
                if ChainHead.objects.filter(pk=1).exists():
                    return sealed  # another sealer holds it (only with wait=False)
                ChainHead.objects.get_or_create(pk=1)
                continue
            ids = list(_queue()[:BATCH])
            batch = list(_queued_events(ids)) if ids else []
            if not batch:
                return sealed
            seq, prev = head.seq, head.hash
            seals = []
            for event in batch:
                seq += 1
                seals.append(Seal(event_id=event.pk, seq=seq, prev_hash=prev,
                                  hash=digest(event, seq, prev,
                                              digest_form_from=head.digest_form_from)))
                prev = seals[-1].hash
            _store_seals(seals)
            head.seq, head.hash = seq, prev
            head.save(update_fields=["seq", "hash"])
            sealed += len(batch)
        if len(ids) < BATCH:
            # The queue is empty: a round more would only find that out, in a transaction of
            # its own. What commits from now on wakes the sealer again (or seals itself).
            return sealed


def _queue():
    """The queue's event ids, oldest first."""
    return PendingSeal.objects.order_by("event_id").values_list("event_id", flat=True)


def _queued_events(ids: list[int]):
    """The events of a page of the queue, by key. Two statements, not a join: a join's plan
    rests on the queue's statistics, and read while it was full they lead PostgreSQL to hash
    it against a scan of the whole trail."""
    return Event.objects.filter(pk__in=ids).order_by("id").only(*CANONICAL)


def _store_seals(seals: list[Seal]) -> None:
    """Insert the seals and take their events off the queue: on PostgreSQL one statement, from
    arrays (Django's `bulk_create` would compile a row of parameters for each seal, and a second
    statement deletes from the queue)."""
    if connection.vendor != "postgresql":
        Seal.objects.bulk_create(seals, batch_size=1000)
        PendingSeal.objects.filter(event_id__in=[s.event_id for s in seals]).delete()
        return
    table = connection.ops.quote_name(Seal._meta.db_table)
    queue = connection.ops.quote_name(PendingSeal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sealed AS (INSERT INTO {table} (event_id, seq, prev_hash, hash) "  # noqa: S608
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) "
            "RETURNING event_id) "
            f"DELETE FROM {queue} WHERE event_id IN (SELECT event_id FROM sealed)",
            [[s.event_id for s in seals], [s.seq for s in seals],
             [s.prev_hash for s in seals], [s.hash for s in seals]],
        )


class _BackgroundSealer:
    """One thread per server process that seals whenever a commit wrote events.

    Sealing on the request path would cost every request that writes an event (a case read
    writes one per sensitive section) two more transactions and make writers queue for the
    chain's lock; a commit only wakes this thread. Woken, it waits `GATHER` seconds so that the
    commits close behind are sealed in the same batch, then seals. Its connection is its own,
    kept while commits keep coming and closed after `IDLE` seconds without one (the process may
    sit idle for hours) or after an error.

    A round costs six round trips whatever it seals, on the cores the requests use: one round a
    second keeps that off the requests' answer times, and an event waits up to a second more
    for its seal.
    """

    GATHER = 1.0
    IDLE = 30.0

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._letting_go = threading.Event()
        self._let_go = threading.Event()

    def wake(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self._thread.start()
        self._wake.set()

    def let_go(self, timeout: float = 10.0) -> None:
        """Seal what is waiting and close the thread's connection now (tests call this before
        their database is dropped)."""
        if self._thread is None or not self._thread.is_alive():
            return
        self._let_go.clear()
        self._letting_go.set()
        self._wake.set()
        self._let_go.wait(timeout)

    def _run(self) -> None:
        while True:
            woken = self._wake.wait(timeout=self.IDLE)
            if woken:
                if not self._letting_go.is_set():
                    time.sleep(self.GATHER)
                self._wake.clear()  # commits from now on wake the next round
                try:
                    seal()
                except Exception:  # noqa: BLE001 - the next wake or timer tick seals these events
                    logger.exception("sealing the audit chain failed; will retry")
                    connections.close_all()
            if not woken or self._letting_go.is_set():
                connections.close_all()
                self._letting_go.clear()
                self._let_go.set()


_sealer = _BackgroundSealer()


def _seal_soon() -> None:
    if settings.AUDIT_SEAL_IN_BACKGROUND:
        _sealer.wake()
    else:
        seal(wait=False)


def seal_after_commit() -> None:
    """Ask (once per transaction) for its events to be sealed when it commits."""
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is _seal_soon for entry in pending):
        transaction.on_commit(_seal_soon)


@dataclass
class Verification:
    ok: bool
    events: int
    first_bad: int | None
    unsealed: int
    seconds: float
    anchor: dict | None = None
    reason: str = ""
    # Events neither sealed nor queued for sealing: taken off the queue by hand, never to be
    # sealed (the sealer takes an event off the queue in the statement that seals it).
    orphaned: int = 0
    # Events whose personal data was erased; of them, those sealed in the old form, whose hash
    # could not be recomputed (only their links were checked: `verify`).
    erased: int = 0
    erased_unrecomputable: int = 0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else float(self.events)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_bad": self.first_bad,
            "unsealed": self.unsealed,
            "orphaned": self.orphaned,
            "erased": self.erased,
            "erased_unrecomputable": self.erased_unrecomputable,
            "events_per_second": round(self.rate),
            "anchor": self.anchor,
            "reason": self.reason,
        }


_ERASURE_COLUMNS = ("event__erasure__reason_digest", "event__erasure__changes_digest",
                    "event__erasure__recipients_digest")


def _left_as_erased(content: _Content) -> bool:
    return (content.reason == ERASED_REASON and content.changes == ERASED_CHANGES
            and content.recipients == ERASED_RECIPIENTS)


def verify(*, anchor_file: Path | None = None) -> Verification:
    """Recompute the whole chain; name the first event whose hash, link or number is wrong.

    Checks the chain also against the last exported anchor of this database: a superuser who
    disabled the triggers and rewrote history up to the head would still not match it. Fails
    too when the chain head names more events than the seals hold (a trail emptied under it),
    and when an event is neither sealed nor queued for sealing (so it never would be).

    Erased events (`audit.erasure`): one sealed in the digest form is recomputed from the
    digests its `Erasure` kept, so it is checked in full like any other. One sealed in the old
    form, before `ChainHead.digest_form_from`, cannot be recomputed: its hash covered the
    values that were erased. Of it only the links are checked (its prev_hash is the previous
    event's hash, and its hash the next event's prev_hash); it is counted in
    `erased_unrecomputable` and does not fail the chain. A change made with the triggers off
    to such an event's remaining columns (verb, actor, time...) is therefore not detected.
    Either way, an erased event whose three erased columns hold anything but what an erasure
    leaves fails.
    """
    started = time.perf_counter()
    prev, expected_seq, count, first_bad, reason = GENESIS, 1, 0, None, ""
    erased_count, unrecomputable = 0, 0
    anchors = _anchors(anchor_file)
    anchor = anchors[-1] if anchors else None
    # Read before the seals: the sealer moves the head in the transaction that adds its seals,
    # so the seals read after it reach at least this far.
    head, digest_form_from = (
        ChainHead.objects.filter(pk=1).values_list("seq", "digest_form_from").first() or (0, 1)
    )
    anchored_hash = GENESIS if anchor and anchor["seq"] == 0 else None
    # Tuples, not a Seal and an Event per row: a verification reads the whole trail.
    rows = Seal.objects.order_by("seq").values_list(
        "seq", "prev_hash", "hash", *(f"event__{name}" for name in CANONICAL), *_ERASURE_COLUMNS
    )
    fields = len(CANONICAL)
    for seq, prev_hash, hash_, *values in rows.iterator(chunk_size=5000):
        count += 1
        content = _Content(*values[:fields])
        erased = tuple(values[fields:]) if values[fields] is not None else None
        old_form = seq < digest_form_from
        if erased is not None:
            erased_count += 1
            unrecomputable += old_form
        if first_bad is None:
            if seq != expected_seq:
                first_bad, reason = expected_seq, "missing event"
            elif prev_hash != prev:
                first_bad, reason = seq, "hash does not match content"
            elif erased is not None and not _left_as_erased(content):
                first_bad, reason = seq, "an erased event's content was changed"
            elif erased is not None and old_form:
                pass  # sealed over the erased values: its links are all that can be checked
            elif digest(content, seq, prev, digest_form_from=digest_form_from,
                        erased=erased) != hash_:
                first_bad, reason = seq, "hash does not match content"
        if anchor and seq == anchor["seq"]:
            anchored_hash = hash_
        prev, expected_seq = hash_, seq + 1
    if first_bad is None and anchor:
        if anchored_hash is None:
            first_bad, reason = anchor["seq"], "anchored event is missing"
        elif anchored_hash != anchor["hash"]:
            first_bad, reason = anchor["seq"], "chain differs from the exported anchor"
    if first_bad is None and head >= expected_seq:
        first_bad, reason = expected_seq, f"the chain head is at seq {head}: sealed events removed"
    orphaned = _orphaned_events()
    if first_bad is None and orphaned:
        reason = f"{orphaned} event(s) neither sealed nor queued for sealing"
    return Verification(
        ok=first_bad is None and not orphaned,
        events=count,
        first_bad=first_bad,
        unsealed=PendingSeal.objects.count(),
        orphaned=orphaned,
        erased=erased_count,
        erased_unrecomputable=unrecomputable,
        seconds=time.perf_counter() - started,
        anchor=anchor,
        reason=reason,
    )


def _orphaned_events() -> int:
    """Events with no seal and no place in the queue, counted in one statement (one snapshot:
    the sealer's taking an event off the queue and sealing it commit together)."""
    return (
        Event.objects.filter(seal__isnull=True)
        .exclude(pk__in=PendingSeal.objects.values("event_id"))
        .count()
    )


def default_anchor_file() -> Path:
    return Path(
        getattr(settings, "AUDIT_ANCHOR_FILE", "") or settings.VAR_DIR / "audit-anchors.jsonl"
    )


def _anchors(path: Path | None) -> list[dict]:
    path = path or default_anchor_file()
    if not path.exists():
        return []
    database = connection.settings_dict["NAME"]
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in records if r.get("database", database) == database]


def last_anchor(*, path: Path | None = None) -> dict | None:
    """The last anchor exported of this database (`{"seq", "hash", "at"}`), or None."""
    anchors = _anchors(path)
    return anchors[-1] if anchors else None


def anchor(*, path: Path | None = None) -> dict:
    """Append the chain head, with the time, to the anchor file (copy it somewhere else too)."""
    seal()
    head = ChainHead.objects.filter(pk=1).first() or ChainHead(seq=0, hash=GENESIS)
    record = {
        "seq": head.seq,
        "hash": head.hash,
        "at": timezone.now().isoformat(),
        "database": connection.settings_dict["NAME"],
    }
    path = path or default_anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
    return record
