"""`note_add` under concurrency: one note per client id, numbered without gaps."""

import uuid

import pytest
from django.db import connection

from conferences.models import Conference, Note
from conferences.services.notes import note_add
from tests.conferences.races import writers_waiting_on_the_meeting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_resend_racing_the_first_stores_one_note_and_leaves_no_gap(acknowledged, demo):
    police = demo["police.caseworker"].user
    client_id = str(uuid.uuid4())

    def send():
        return note_add(actor=police, conference=acknowledged.pk, client_id=client_id,
                        text="Sent twice")

    # Both sends find no note yet and queue for the number.
    with writers_waiting_on_the_meeting(acknowledged.pk, send) as (results, errors):
        pass
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert Note.objects.filter(conference=acknowledged).count() == 1
    acknowledged.refresh_from_db()
    assert acknowledged.last_seq == 1  # the refused second number was rolled back


def test_a_note_after_the_minutes_are_signed_takes_no_number(acknowledged, demo):
    police = demo["police.caseworker"].user
    note_add(actor=police, conference=acknowledged, client_id=str(uuid.uuid4()), text="One")
    Conference.objects.filter(pk=acknowledged.pk).update(
        status=Conference.Status.MINUTES_SIGNED
    )
    from config.exceptions import Conflict

    with pytest.raises(Conflict):
        note_add(actor=police, conference=acknowledged.pk, client_id=str(uuid.uuid4()),
                 text="Too late")
    acknowledged.refresh_from_db()
    assert acknowledged.last_seq == 1
    assert Note.objects.filter(conference=acknowledged).count() == 1


def test_a_resend_after_the_signing_is_answered_with_the_note_and_takes_no_number(
    acknowledged, demo
):
    police = demo["police.caseworker"].user
    client_id = str(uuid.uuid4())
    first, _ = note_add(actor=police, conference=acknowledged, client_id=client_id, text="One")
    Conference.objects.filter(pk=acknowledged.pk).update(
        status=Conference.Status.MINUTES_SIGNED
    )
    again, created = note_add(actor=police, conference=acknowledged.pk, client_id=client_id,
                              text="One")
    assert (again.pk, created) == (first.pk, False)
    acknowledged.refresh_from_db()
    assert acknowledged.last_seq == 1


def test_a_resend_is_answered_with_the_note_and_leaves_no_gap(acknowledged, demo):
    police = demo["police.caseworker"].user
    client_id = str(uuid.uuid4())
    first, _ = note_add(actor=police, conference=acknowledged, client_id=client_id, text="One")
    again, created = note_add(actor=police, conference=acknowledged.pk, client_id=client_id,
                              text="One")
    assert (again.pk, created) == (first.pk, False)
    second, _ = note_add(actor=police, conference=acknowledged.pk, client_id=str(uuid.uuid4()),
                         text="Two")
    assert (first.seq, second.seq) == (1, 2)


def test_a_socket_note_asks_for_attendance_once_and_looks_for_no_resend(acknowledged, demo):
    """What a note costs the meeting's one database thread: the socket's check of membership
    and attendance, then numbering and storing (the service takes the socket's answer)."""
    from django.test.utils import CaptureQueriesContext

    from conferences.selectors import attendance_answered

    police = demo["police.caseworker"].user
    police.__dict__.pop("_concord_membership", None)  # a socket re-reads it on every message
    with CaptureQueriesContext(connection) as captured, attendance_answered(
        user=police, conference_id=acknowledged.pk
    ) as agency:
        note, created = note_add(actor=police, conference=acknowledged.pk,
                                 client_id=str(uuid.uuid4()), text="Seen at the school gate")
    assert (agency, created, note.seq) == ("police", True, 1)
    statements = [q["sql"] for q in captured.captured_queries]
    assert sum('"conferences_attendance"' in sql for sql in statements) == 1
    assert not any(sql.startswith("SELECT") and 'FROM "conferences_note"' in sql
                   for sql in statements)
    assert sum(sql.startswith(("SELECT", "UPDATE", "INSERT")) for sql in statements) == 4
