"""The reading figures' floors: the statements a request ran, replayed as it ran them."""

import pytest
from django.db import connection

from audit import chain
from audit.models import Event
from bench.measure import reading
from tests.referral.conftest import payload
from tests.tokens import token_for


@pytest.fixture
def detail(demo, as_user) -> reading.Endpoint:
    """A case detail as the police caseworker reads it, after a first read (so that the look-ups
    by key are prepared on this connection, as in a server)."""
    response = as_user("police.caseworker").post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 201, response.content
    user = demo["police.caseworker"].user
    endpoint = reading.Endpoint("referral: detail", f"/api/v1/referrals/{response.json()['id']}/",
                                token_for(user))
    reading._in_process(endpoint)
    return endpoint


@pytest.mark.django_db(transaction=True)  # the floor's own connection sees committed rows only
@pytest.mark.usefixtures("background_sealer")  # as in a server: no sealing inside the request
def test_the_detail_floor_replays_its_reads_prepared_and_its_write_rolled_back(detail):
    body, ran = reading._in_process(detail)
    floor = reading.floor_sql(ran)

    assert floor.statements and floor.prepares
    # The case file is read prepared; who else is on its timeline, as the ORM writes it.
    assert any(sql.startswith("EXECUTE concord_") for sql in floor.statements)
    assert all(sql.startswith(("EXECUTE concord_", "SELECT")) for sql in floor.statements)
    assert not any("agencies_apitoken" in ran.plain.get(sql, sql) for sql in floor.statements)
    assert any("agencies_apitoken" in ran.plain.get(sql, sql) for sql in ran.sent)
    plain = floor.unprepared()
    assert len(plain.statements) == len(floor.statements) and not plain.prepares
    assert all(sql.startswith("SELECT") for sql in plain.statements)

    written = floor.with_writes(ran)
    assert [sql for sql in written.writes if 'INSERT INTO "audit_event"' in sql]
    chain.seal()
    events = Event.objects.count()
    for each in (floor, plain, written):
        with reading.floor_runner(each) as once:
            timings = [once() for _ in range(3)]
        # Each replay ran its statements (a measurable time) and none hung on a lock.
        assert all(0 < ms < 5000 for ms in timings), timings
    assert Event.objects.count() == events  # the replayed INSERTs were rolled back
    assert body["id"] == int(detail.path.rstrip("/").rsplit("/", 1)[1])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("background_sealer")
def test_the_detail_floor_with_its_write_committed_writes_a_scratch_table_only(detail):
    referral = int(detail.path.rstrip("/").rsplit("/", 1)[1])
    reads = Event.objects.filter(verb="section.read", referral_id=referral)
    before = reads.count()
    _, ran = reading._in_process(detail)
    per_read = reads.count() - before  # one event per section read
    committed = reading.floor_sql(ran).with_writes(ran).committed()
    assert [sql for sql in committed.writes if 'INSERT INTO "audit_event"' in sql]
    chain.seal()
    events = Event.objects.count()
    scratch = f"{reading.SCRATCH_PREFIX}audit_event"
    with reading.floor_runner(committed) as once:
        for _ in range(3):
            once()
        with connection.cursor() as cursor:  # another connection: it sees committed rows only
            cursor.execute(f'SELECT verb, referral_id FROM "{scratch}"')
            copied = cursor.fetchall()
    assert per_read >= 1
    assert copied == [("section.read", referral)] * (3 * per_read)
    assert Event.objects.count() == events  # the trail itself got no invented reads
    assert scratch not in connection.introspection.table_names()  # dropped after the run
