"""Erasing events' personal data: the digest form, the chain still verified after, tampering
still found, old-form erased events counted and their links checked, and the database allowing
the erasure's one UPDATE and nothing else (PostgreSQL, and SQLite's migration statements)."""

import hashlib
import importlib
import json
import re
import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import chain
from audit.erasure import case_events_erase
from audit.models import ChainHead, Erasure, Event, Seal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_trail")]

PG = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
CASE, OTHER = 901, 902


def _events(referral_id, n, start=0):
    with transaction.atomic():
        for i in range(start, start + n):
            Event.objects.create(
                at=timezone.now(), verb="test.decided", referral_id=referral_id,
                reason=f"Zelda said {i}", changes={"name": "Zelda", "i": i},
                recipients=["police"],
            )


def _seq(event_id) -> int:
    return Seal.objects.get(event_id=event_id).seq


def _sql(*statements, disable=("audit_event", "audit_seal", "audit_erasure")):
    """Run statements with the append-only triggers off (what a superuser could do)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending for the ALTER
        for table in disable:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for statement in statements:
            cursor.execute(statement)
        for table in disable:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_events_are_sealed_in_the_digest_form_from_the_head_on():
    ChainHead.objects.create(pk=1, digest_form_from=3)
    _events(CASE, 4)
    chain.seal()
    prev = chain.GENESIS
    for seal in Seal.objects.select_related("event").order_by("seq"):
        event = seal.event
        body = json.loads(chain.canonical(event, seal.seq, digests=chain.content_digests(
            event.reason, event.changes, event.recipients)))
        if seal.seq < 3:  # the old form: the values themselves
            expected = chain.canonical(event, seal.seq)
            assert json.loads(expected)["reason"] == event.reason
        else:  # the digest form: only their SHA-256
            expected = chain.canonical(event, seal.seq, digests=chain.content_digests(
                event.reason, event.changes, event.recipients))
            assert body["reason"] == hashlib.sha256(event.reason.encode()).hexdigest()
            assert body["changes"] == hashlib.sha256(
                json.dumps(event.changes, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            assert "Zelda" not in expected.decode()
        assert seal.hash == hashlib.sha256(prev.encode() + expected).hexdigest()
        prev = seal.hash
    assert chain.verify().ok


def test_erasing_a_case_keeps_the_chain_verified_and_leaves_other_cases_alone():
    _events(CASE, 5)
    _events(OTHER, 2)
    chain.seal()
    _events(CASE, 2, start=5)  # not sealed yet: erasing seals them first
    originals = {e.pk: chain.content_digests(e.reason, e.changes, e.recipients)
                 for e in Event.objects.filter(referral_id=CASE)}

    with transaction.atomic():
        erased = case_events_erase(referral_id=CASE, actor=None, reason="Retention ended.",
                                   counts={"referral.person": 2})
    chain.seal()

    assert erased == 7
    for event in Event.objects.filter(referral_id=CASE).exclude(verb="case.erased"):
        assert (event.reason, event.changes, event.recipients) == ("", {"erased": True}, [])
        assert event.verb == "test.decided" and event.seq is not None
        kept = Erasure.objects.get(event=event)
        assert (kept.reason_digest, kept.changes_digest, kept.recipients_digest) == (
            originals[event.pk]
        )
    assert all(e.reason.startswith("Zelda") for e in Event.objects.filter(referral_id=OTHER))
    done = Event.objects.get(referral_id=CASE, verb="case.erased")
    assert done.changes == {"counts": {"referral.person": 2, "events": 7}}
    assert done.reason == "Retention ended." and not Erasure.objects.filter(event=done).exists()

    result = chain.verify()
    assert (result.ok, result.erased, result.erased_unrecomputable) == (True, 7, 0), result


@PG
@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_erasure SET changes_digest = repeat('0', 64) WHERE event_id = {pk}",
        "DELETE FROM audit_erasure WHERE event_id = {pk}",  # recomputed from the erased values
    ],
)
def test_verify_names_an_erased_event_whose_erasure_was_changed(tamper):
    _events(CASE, 4)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)
    target = Event.objects.filter(referral_id=CASE).order_by("pk")[1]
    _sql(tamper.format(pk=target.pk))
    result = chain.verify()
    assert (result.ok, result.first_bad) == (False, _seq(target.pk))


@PG
def test_verify_names_an_erased_event_whose_verb_was_changed():
    _events(CASE, 4)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)
    target = Event.objects.filter(referral_id=CASE).order_by("pk")[2]
    _sql(f"UPDATE audit_event SET verb = 'nothing.happened' WHERE id = {target.pk}")
    result = chain.verify()
    assert (result.ok, result.first_bad) == (False, _seq(target.pk))


@PG
def test_verify_names_an_erased_event_given_its_text_back():
    _events(CASE, 3)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)
    target = Event.objects.filter(referral_id=CASE).order_by("pk")[1]
    _sql(f"UPDATE audit_event SET reason = 'a forged reason' WHERE id = {target.pk}")
    result = chain.verify()
    assert (result.first_bad, result.reason) == (
        _seq(target.pk), "an erased event's content was changed"
    )


@PG
def test_old_form_erased_events_are_counted_and_only_their_links_checked():
    """Events sealed before the digest form: their hash covered the values, so once erased
    they cannot be recomputed; verify says how many, checks their links and does not fail."""
    ChainHead.objects.create(pk=1, digest_form_from=1000)
    _events(CASE, 3)
    _events(OTHER, 1)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)
    chain.seal()

    result = chain.verify()
    assert (result.ok, result.erased, result.erased_unrecomputable) == (True, 3, 3)

    middle = Event.objects.filter(referral_id=CASE).order_by("pk")[1]
    seq = _seq(middle.pk)
    _sql(f"UPDATE audit_seal SET hash = repeat('a', 64) WHERE event_id = {middle.pk}")
    result = chain.verify()  # the next event's prev_hash no longer names it
    assert (result.ok, result.first_bad) == (False, seq + 1)
    _sql(f"UPDATE audit_seal SET prev_hash = repeat('b', 64) WHERE event_id = {middle.pk}")
    assert chain.verify().first_bad == seq


@PG
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET verb = 'other' WHERE id = {erased}",
        "UPDATE audit_event SET reason = 'back' WHERE id = {erased}",
        "UPDATE audit_event SET reason = '', changes = '{{\"erased\": true}}', recipients = '[]'"
        " WHERE id = {kept}",  # no Erasure row
        "DELETE FROM audit_event WHERE id = {erased}",
        "UPDATE audit_erasure SET reason_digest = 'x' WHERE event_id = {erased}",
        "DELETE FROM audit_erasure WHERE event_id = {erased}",
    ],
)
def test_the_database_allows_the_erasure_and_nothing_else(statement):
    _events(CASE, 1)
    _events(OTHER, 1)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)
    erased = Event.objects.get(referral_id=CASE, verb="test.decided").pk
    kept = Event.objects.get(referral_id=OTHER).pk
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(erased=erased, kept=kept))


@PG
@pytest.mark.django_db(transaction=True)
def test_the_erasures_refuse_truncate_outside_the_test_flush():
    _events(CASE, 1)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)
    with (
        pytest.raises(DatabaseError, match="audit erasures are append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL concord.audit_truncate = 'off'")
        cursor.execute("TRUNCATE audit_erasure")


def test_sqlite_allows_the_erasure_and_nothing_else(tmp_path):
    """The embedded default's triggers (the migrations' own statements, on a scratch SQLite
    database whatever database the suite uses)."""
    sealed = importlib.import_module("audit.migrations.0006_seal")
    erasure = importlib.import_module("audit.migrations.0008_erasure")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    columns = ", ".join(f"{c} TEXT" for c in sealed.EVENT_CONTENT)
    db.execute(f"CREATE TABLE audit_event (id INTEGER PRIMARY KEY, {columns})")
    db.execute("CREATE TABLE audit_seal (event_id INTEGER PRIMARY KEY, seq INTEGER UNIQUE,"
               " prev_hash TEXT, hash TEXT)")
    db.execute("CREATE TABLE audit_pending_seal (event_id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE audit_erasure (event_id INTEGER PRIMARY KEY, reason_digest TEXT,"
               " changes_digest TEXT, recipients_digest TEXT, erased_at TEXT, erased_by TEXT)")
    for statement in sealed.SQLITE + erasure.SQLITE:
        db.execute(statement)
    for pk in (1, 2):
        db.execute("INSERT INTO audit_event (id, verb, reason, changes, recipients)"
                   f" VALUES ({pk}, 'v', 'Zelda', '{{\"name\": \"Zelda\"}}', '[\"police\"]')")
    erase = ("UPDATE audit_event SET reason = '', changes = '{\"erased\": true}',"
             " recipients = '[]' WHERE id = %d")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(erase % 1)  # no Erasure row yet
    db.execute("INSERT INTO audit_erasure (event_id, reason_digest) VALUES (1, 'd')")
    db.execute(erase % 1)
    assert db.execute("SELECT reason, changes FROM audit_event WHERE id = 1").fetchone() == (
        "", '{"erased": true}'
    )
    for statement in [
        "UPDATE audit_event SET verb = 'other' WHERE id = 1",
        "UPDATE audit_event SET reason = 'back' WHERE id = 1",
        "UPDATE audit_event SET reason = '', verb = 'x', changes = '{\"erased\": true}',"
        " recipients = '[]' WHERE id = 1",
        erase % 2,
        "DELETE FROM audit_event WHERE id = 1",
        "UPDATE audit_erasure SET reason_digest = 'x'",
        "DELETE FROM audit_erasure",
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)


def test_the_verify_api_and_page_count_erased_events(client, demo, as_user):
    ChainHead.objects.create(pk=1, digest_form_from=3)
    _events(CASE, 4)
    chain.seal()
    with transaction.atomic():
        case_events_erase(referral_id=CASE, actor=None)

    verify = as_user("oversight.auditor").get("/api/v1/audit/verify/").json()
    assert (verify["ok"], verify["erased"], verify["erased_unrecomputable"]) == (True, 4, 2)

    client.force_login(demo["oversight.auditor"].user)
    html = client.get("/workspace/audit/", {"verify": "1"}).content.decode()
    assert 'data-testid="chain-status" data-ok="true"' in html
    assert re.search(r'data-testid="chain-erased-unrecomputable">2<', html)
