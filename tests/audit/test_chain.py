"""Tamper evidence: the database refuses changes; verify finds a forced one; writers race safely."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from audit import chain
from audit.models import ChainHead, Event, PendingSeal, Seal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_trail")]

PG = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")


def _events(n, verb="test.event"):
    with transaction.atomic():
        for i in range(n):
            Event.objects.create(at=timezone.now(), verb=verb, reason=f"r{i}", changes={"i": i})


def test_seal_numbers_and_chains_committed_events():
    _events(5)
    assert chain.seal() == 5
    events = list(Event.objects.select_related("seal").order_by("seal__seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert ChainHead.objects.get().seq == 5
    result = chain.verify()
    assert (result.ok, result.events, result.first_bad) == (True, 5, None)


def test_sealing_is_idempotent():
    _events(3)
    chain.seal()
    assert chain.seal() == 0
    assert chain.verify().ok


@PG
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET reason = 'rewritten'",
        "DELETE FROM audit_event",
        "UPDATE audit_seal SET seq = seq + 100",
        "UPDATE audit_seal SET hash = 'rewritten'",
        "DELETE FROM audit_seal",
    ],
)
def test_database_refuses_update_and_delete(statement):
    _events(2)
    chain.seal()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Event.objects.filter(reason="rewritten").count() == 0
    assert sorted(Seal.objects.values_list("seq", flat=True)) == [1, 2]


@PG
def test_database_refuses_to_rewrite_an_unsealed_event():
    _events(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_event SET verb = 'other.verb'")


@PG
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("table", "what"), [("audit_event", "events"), ("audit_seal", "seals")])
def test_database_refuses_truncate_outside_the_test_flush(table, what):
    _events(1)
    if table == "audit_seal":
        chain.seal()  # (with seals, a TRUNCATE of the events would cascade to them too)
    with (
        pytest.raises(DatabaseError, match=f"audit {what} are append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL concord.audit_truncate = 'off'")
        cursor.execute(f"TRUNCATE {table} CASCADE")


@PG
@pytest.mark.django_db(transaction=True)
def test_verify_names_the_first_forced_change():
    _events(10)
    chain.seal()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        cursor.execute("UPDATE audit_event SET reason = 'nothing to see'"
                       " WHERE id = (SELECT event_id FROM audit_seal WHERE seq = 7)")
        cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    result = chain.verify()
    assert (result.ok, result.first_bad) == (False, 7)
    with pytest.raises(CommandError, match="seq 7"):
        call_command("audit_verify", stdout=io.StringIO())


@PG
@pytest.mark.django_db(transaction=True)
def test_verify_finds_a_deleted_event():
    _events(6)
    chain.seal()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("audit_event", "audit_seal"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending for the ALTER
        cursor.execute("WITH gone AS (DELETE FROM audit_seal WHERE seq = 4 RETURNING event_id)"
                       " DELETE FROM audit_event WHERE id IN (SELECT event_id FROM gone)")
        for table in ("audit_event", "audit_seal"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    assert Event.objects.count() == 5
    assert chain.verify().first_bad == 4


@PG
@pytest.mark.django_db(transaction=True)
def test_a_rewritten_chain_still_fails_against_the_anchor(tmp_path):
    """A superuser rewrites an event and re-hashes everything after it: the chain is
    consistent again, but no longer matches the head exported before."""
    anchors = tmp_path / "anchors.jsonl"
    _events(5)
    record = chain.anchor(path=anchors)
    assert record["seq"] == 5
    assert chain.verify(anchor_file=anchors).ok
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("audit_event", "audit_seal"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute("UPDATE audit_event SET reason = 'forged'"
                       " WHERE id = (SELECT event_id FROM audit_seal WHERE seq = 2)")
        prev = chain.GENESIS
        for seal in Seal.objects.select_related("event").order_by("seq"):
            rehashed = chain.digest(seal.event, seal.seq, prev, digest_form_from=1)
            cursor.execute("UPDATE audit_seal SET prev_hash = %s, hash = %s WHERE seq = %s",
                           [prev, rehashed, seal.seq])
            prev = rehashed
        for table in ("audit_event", "audit_seal"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    assert chain.verify().ok  # internally consistent ...
    result = chain.verify(anchor_file=anchors)
    assert (result.ok, result.first_bad) == (False, 5)  # ... but not the anchored history


def test_audit_verify_command_prints_its_rate(tmp_path):
    _events(20)
    out = io.StringIO()
    call_command("audit_verify", "--anchors", tmp_path / "anchors", "--unanchored", stdout=out,
                 stderr=io.StringIO())
    assert "ok: 20 events verified" in out.getvalue() and "events/s" in out.getvalue()


@PG
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_a_chain_with_no_gaps():
    writers, per_writer = 8, 40
    barrier = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    Event.objects.create(at=timezone.now(), verb="race", reason=f"{n}-{i}")
                    from audit.chain import seal_after_commit

                    seal_after_commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    chain.seal()
    seqs = list(Seal.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    assert Event.objects.count() == writers * per_writer
    assert chain.verify().ok


@PG
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_verify_100000_events_and_print_the_rate():
    """audit_verify over 100,000 events completes and reports events per second."""
    prev, events, seals, at = chain.GENESIS, [], [], timezone.now()
    for seq in range(1, 100_001):
        event = Event(id=seq, at=at, verb="bulk", reason="", changes={"n": seq}, recipients=[])
        seals.append(Seal(event_id=seq, seq=seq, prev_hash=prev,
                          hash=chain.digest(event, seq, prev, digest_form_from=1)))
        prev = seals[-1].hash
        events.append(event)
        if len(events) == 10_000:
            with transaction.atomic():
                Event.objects.bulk_create(events)
                Seal.objects.bulk_create(seals)
                PendingSeal.objects.filter(event_id__in=[s.event_id for s in seals]).delete()
            events, seals = [], []
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": 100_000, "hash": prev})
    out = io.StringIO()
    call_command("audit_verify", "--no-seal", "--unanchored", stdout=out, stderr=io.StringIO())
    assert "ok: 100000 events verified" in out.getvalue(), out.getvalue()
    print(out.getvalue())


def test_sqlite_triggers_refuse_update_and_delete(tmp_path):
    """The embedded default (SQLite) guards the events and their seals too, and queues what is
    written: the migration's own statements, run on a scratch SQLite database whatever database
    the suite uses."""
    import importlib
    import sqlite3

    migration = importlib.import_module("audit.migrations.0006_seal")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    columns = ", ".join(f"{c} TEXT" for c in migration.EVENT_CONTENT)
    db.execute(f"CREATE TABLE audit_event (id INTEGER PRIMARY KEY, {columns})")
    db.execute("CREATE TABLE audit_seal (event_id INTEGER PRIMARY KEY, seq INTEGER UNIQUE,"
               " prev_hash TEXT, hash TEXT)")
    db.execute("CREATE TABLE audit_pending_seal (event_id INTEGER PRIMARY KEY)")
    for statement in migration.SQLITE:
        db.execute(statement)
    db.execute("INSERT INTO audit_event (id, verb, reason) VALUES (1, 'v', 'r')")
    db.execute("INSERT INTO audit_event (id, verb, reason) VALUES (2, 'v', 'r')")
    assert db.execute("SELECT event_id FROM audit_pending_seal").fetchall() == [(1,), (2,)]
    db.execute("INSERT INTO audit_seal VALUES (1, 1, 'p', 'h')")  # the sealer's one write
    for statement in ["UPDATE audit_event SET reason = 'x'",
                      "UPDATE audit_event SET verb = 'other' WHERE id = 2",  # unsealed too
                      "DELETE FROM audit_event",
                      "UPDATE audit_seal SET hash = 'z'", "DELETE FROM audit_seal"]:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("background_sealer")
def test_a_commit_wakes_the_background_sealer():
    """Servers seal in a thread of their own: the request that wrote the event does not wait,
    and the event is sealed moments after its commit."""
    import time

    from audit.events import access_refused_event

    with transaction.atomic():
        event = access_refused_event(actor=None, object_type="referral.referral", object_id=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        event.refresh_from_db()
        if event.seq is not None:
            break
        time.sleep(0.05)
    assert event.seq is not None
    assert chain.verify().ok


@PG
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("background_sealer")
def test_the_background_sealer_seals_commits_close_together_in_one_transaction():
    """Woken, the sealer waits a second for the commits close behind: a case read commits its
    events on every request, and one seal per request (each with a commit of its own) had cost
    a read a third of its time; a round every 0.1 s still put the slowest tenth of reads 2 to 3 ms
    later. Rows a transaction wrote carry its id (xmin)."""
    import time

    from audit.events import access_refused_event

    def refused(n):
        with transaction.atomic():
            return access_refused_event(actor=None, object_type="referral.referral",
                                        object_id=n).pk

    def sealed(ids):
        deadline = time.monotonic() + 10
        while Event.objects.filter(pk__in=ids, seal__isnull=True).exists():
            assert time.monotonic() < deadline, "not sealed within 10 s"
            time.sleep(0.01)

    sealed([refused(0)])  # the sealer's thread is running and waiting for the next commit
    ids = []
    for n in range(1, 4):  # three reads 200 ms apart
        ids.append(refused(n))
        time.sleep(0.2)
    sealed(ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM audit_seal WHERE event_id = ANY(%s)",
                       [ids])
        sealing_transactions = cursor.fetchall()
    assert len(sealing_transactions) == 1
    assert chain.verify().ok
    kept = _other_connections()  # the sealer keeps its connection between rounds...
    chain._sealer.let_go()
    # ...until it is let go (the server's backend leaves pg_stat_activity a moment after the
    # client closes, later on a busy machine)
    deadline = time.monotonic() + 5
    while _other_connections() != kept - 1:
        assert time.monotonic() < deadline, (kept, _other_connections())
        time.sleep(0.01)


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def _pages_read(queryset) -> int:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]
    return plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)


def _queued() -> set[int]:
    return set(PendingSeal.objects.values_list("event_id", flat=True))


def test_every_event_is_queued_for_the_sealer_in_its_own_transaction():
    """The database queues each event it is given, however it was written (the ORM one by one
    or in bulk, plain SQL), in the same transaction: a rolled-back event leaves nothing."""
    one = Event.objects.create(at=timezone.now(), verb="one")
    bulk = Event.objects.bulk_create([Event(at=timezone.now(), verb="bulk") for _ in range(3)])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_event (at, actor_username, agency_slug, verb,"
                       " object_type, object_id, reason, changes, recipients, request_id)"
                       " VALUES (%s, '', '', 'plain', '', '', '', '{}', '[]', '') RETURNING id",
                       [timezone.now()])
        plain = cursor.fetchone()[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        Event.objects.create(at=timezone.now(), verb="rolled back")
        raise RuntimeError
    assert _queued() == {one.pk, plain, *(e.pk for e in bulk)}
    assert not Event.objects.filter(verb="rolled back").exists()


def test_sealing_takes_the_events_off_the_queue():
    _events(4)
    assert len(_queued()) == 4
    assert chain.seal() == 4
    assert _queued() == set()
    _events(2)
    assert chain.seal() == 2 and _queued() == set()
    assert list(Seal.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]


@PG
@pytest.mark.django_db(transaction=True)
def test_finding_the_unsealed_events_does_not_read_the_sealed_history():
    """Each seal leaves a dead index entry behind until a VACUUM. The sealer once found its work
    by a partial index of unsealed events on the events table, which autovacuum reaches only
    after a fifth of the trail has changed: at 5 million events every seal round read 643 index
    pages to find a handful. Its queue is a table of its own, which autovacuum vacuums after
    5,000 deletions (its settings, checked here): after 20,000 events sealed and that vacuum,
    the sealer's look-up reads a few pages, as it would with none sealed before."""
    for _ in range(40):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_event (at, actor_username, agency_slug, verb, object_type,"
                " object_id, reason, changes, recipients, request_id)"
                " SELECT now(), '', '', 'bulk', '', n::text, '', '{}', '[]', ''"
                " FROM generate_series(1, 500) AS n")
        assert chain.seal() == 500
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'audit_pending_seal'")
        assert set(cursor.fetchone()[0]) == {"autovacuum_vacuum_scale_factor=0",
                                             "autovacuum_vacuum_threshold=5000"}
        cursor.execute("VACUUM audit_pending_seal")  # what autovacuum does after 5,000
    _events(3)
    ids = list(chain._queue()[:chain.BATCH])
    pages = [_pages_read(chain._queue()[:chain.BATCH]), _pages_read(chain._queued_events(ids))]
    assert len(ids) == 3
    assert sum(pages) <= 12, pages
    assert chain.seal() == 3 and chain.verify().ok
