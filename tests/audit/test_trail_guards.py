"""No back door into the trail: no switch opens it outside a test database, verify misses no
event and says when it has no anchor, anchors come on a schedule, and the CSV runs no formula."""

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import chain
from audit.models import Event, PendingSeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_trail")]

PG = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")


def _events(n, **fields):
    with transaction.atomic():
        for i in range(n):
            Event.objects.create(
                at=timezone.now(), verb=fields.get("verb", "test.event"),
                reason=fields.get("reason", f"r{i}"), changes={"i": i},
            )


@PG
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", ["audit_event", "audit_seal"])
def test_the_switch_alone_does_not_open_the_trail(table):
    """What the app's own login can do, `SET concord.audit_truncate`, refuses in a database
    that was not made by the test suite (here: the test database without its marker)."""
    _events(2)
    chain.seal()
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DROP TABLE concord_test_database")
        cursor.execute("SET LOCAL concord.audit_truncate = 'on'")
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Event.objects.count() == 2


def test_no_migration_makes_the_test_marker():
    from pathlib import Path

    migrations = Path(settings.BASE_DIR).glob("*/migrations/*.py")
    assert not [m for m in migrations if "CREATE TABLE concord_test_database" in m.read_text()]


def test_an_event_taken_off_the_seal_queue_fails_verify(tmp_path):
    _events(3)
    chain.seal()
    _events(2)
    PendingSeal.objects.all().delete()
    result = chain.verify(anchor_file=tmp_path / "none.jsonl")
    assert (result.ok, result.unsealed, result.orphaned) == (False, 0, 2)
    assert "neither sealed nor queued" in result.reason
    out = io.StringIO()
    with pytest.raises(CommandError, match="neither sealed nor queued"):
        call_command("audit_verify", "--unanchored", "--anchors", tmp_path / "a", stdout=out)
    assert out.getvalue().startswith("BROKEN")


@PG
@pytest.mark.django_db(transaction=True)
def test_verify_fails_when_the_chain_head_is_ahead_of_the_seals(tmp_path):
    _events(3)
    chain.seal()
    with transaction.atomic(), connection.cursor() as cursor:
        tables = ("audit_event", "audit_seal")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM audit_seal")
        cursor.execute("DELETE FROM audit_event")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    result = chain.verify(anchor_file=tmp_path / "none.jsonl")
    assert (result.ok, result.events, result.first_bad) == (False, 0, 1)
    assert "chain head is at seq 3" in result.reason


def test_verify_without_an_anchor_says_so_and_fails(tmp_path):
    _events(2)
    missing = tmp_path / "anchors.jsonl"
    with pytest.raises(CommandError, match="no anchor"):
        call_command("audit_verify", "--anchors", missing, stdout=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", "--anchors", missing, "--unanchored", stdout=out, stderr=err)
    assert out.getvalue().startswith("ok: 2 events")
    assert "WARNING: no anchor" in err.getvalue()
    chain.anchor(path=missing)
    out = io.StringIO()
    call_command("audit_verify", "--anchors", missing, stdout=out)
    assert "last anchor: seq 2" in out.getvalue()


@PG
@pytest.mark.django_db(transaction=True)
def test_an_emptied_trail_fails_against_its_anchor(tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    chain.anchor(path=anchors)  # anchored while empty: an empty trail still verifies
    assert chain.verify(anchor_file=anchors).ok
    _events(4)
    chain.anchor(path=anchors)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("audit_event", "audit_seal"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM audit_seal")
        cursor.execute("DELETE FROM audit_event")
        cursor.execute("UPDATE audit_chainhead SET seq = 0")
        for table in ("audit_event", "audit_seal"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    result = chain.verify(anchor_file=anchors)
    assert (result.ok, result.events, result.reason) == (False, 0, "anchored event is missing")


def test_anchors_of_another_database_are_not_this_ones(tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(json.dumps({"seq": 9, "hash": "f" * 64, "at": "x", "database": "other"}))
    _events(1)
    chain.seal()
    result = chain.verify(anchor_file=anchors)
    assert result.ok and result.anchor is None


def test_anchors_are_written_on_a_schedule(settings, tmp_path):
    from audit.tasks import anchor_trail

    schedule = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
                if entry["task"] == "audit.tasks.anchor_trail"]
    assert schedule == [{"task": "audit.tasks.anchor_trail",
                         "schedule": float(settings.AUDIT_ANCHOR_EVERY)}]
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    _events(3)
    anchor_trail.delay()
    assert json.loads((tmp_path / "anchors.jsonl").read_text())["seq"] == 3


def test_the_timer_loop_anchors(settings, tmp_path):
    import threading

    from workflows.management.commands.serve import Command

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    _events(2)
    stop = threading.Event()
    waits = iter([False, True])  # one tick, then stop
    stop.wait = lambda _tick: next(waits)
    Command(stdout=io.StringIO(), stderr=io.StringIO())._timer_loop(stop, 0)
    assert json.loads((tmp_path / "anchors.jsonl").read_text())["seq"] == 2


@pytest.mark.parametrize("reason", [
    "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1",
])
def test_a_formula_in_a_reason_is_exported_as_text(as_user, reason):
    _events(1, reason=reason)
    auditor = as_user("oversight.auditor")
    response = auditor.get("/api/v1/audit/events/export/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    exported = [row["reason"] for row in rows if row["verb"] == "test.event"]
    assert exported == ["'" + reason]
    jsonl = auditor.get("/api/v1/audit/events/export/?format=jsonl&verb=test.event")
    lines = b"".join(jsonl.streaming_content).decode().splitlines()
    assert [json.loads(line)["reason"] for line in lines] == [reason]


def test_the_verify_panel_shows_events_off_the_queue_and_a_missing_anchor(demo, settings, tmp_path):
    from django.test import Client

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    _events(2)
    PendingSeal.objects.all().delete()  # the demo's events and these two
    orphaned = Event.objects.count()
    client = Client()
    client.force_login(demo["oversight.auditor"].user)
    html = client.get("/workspace/audit/", {"verify": "1"}).content.decode()
    assert 'data-testid="chain-status" data-ok="false"' in html
    assert "Events are missing from the chain." in html
    assert re.search(r'data-testid="chain-orphaned">(\d+)<', html).group(1) == str(orphaned)
    assert 'data-testid="chain-unanchored"' in html
