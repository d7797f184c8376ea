"""The reading figures' floors: the SQL a request ran, replayed through a plain cursor."""

import pytest
from django.db import connection

from audit import chain
from audit.models import Event
from bench.measure import reading
from tests.referral.conftest import payload


@pytest.fixture
def accounts(demo) -> reading.Accounts:
    police = demo["police.caseworker"]
    return reading.Accounts(coordinator=police, police=police, chair=police, auditor=police,
                            conference_id=None)


@pytest.fixture
def case(as_user) -> int:
    response = as_user("police.caseworker").post("/api/v1/referrals/", payload(), format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _rows(statements: list[str]) -> list[tuple]:
    """What the statements answer, run through a plain cursor as the floor runs them."""
    rows = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            rows += cursor.fetchall()
    return rows


@pytest.mark.django_db(transaction=True)  # the floor's own connection sees committed rows only
@pytest.mark.usefixtures("background_sealer")  # as in a server: no sealing inside the request
def test_the_detail_floor_replays_its_reads_and_its_write_rolled_back(accounts, case):
    detail = reading.Endpoint("referral: detail", f"/api/v1/referrals/{case}/", accounts.police)
    body, ran = reading._in_process(detail, accounts)
    floor = reading.floor_sql(ran)

    assert body["id"] == case
    assert floor.statements and all(sql.startswith("SELECT") for sql in floor.statements)
    # Not the token look-up, which the request did make; the case's own values are inlined.
    assert not any("agencies_apitoken" in sql for sql in floor.statements)
    assert any("agencies_apitoken" in sql for sql in ran.sent)
    assert (case,) in {row[:1] for row in _rows(floor.statements)}

    written = floor.with_writes(ran)
    assert [sql for sql in written.writes if 'INSERT INTO "audit_event"' in sql]
    chain.seal()
    events = Event.objects.count()
    for each in (floor, written):
        with reading.floor_runner(each) as once:
            timings = [once() for _ in range(3)]
        # Each replay ran its statements (a measurable time) and none hung on a lock.
        assert all(0 < ms < 5000 for ms in timings), timings
    assert Event.objects.count() == events  # the replayed INSERTs were rolled back


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("background_sealer")
def test_the_detail_floor_with_its_write_committed_writes_a_scratch_table_only(accounts, case):
    detail = reading.Endpoint("referral: detail", f"/api/v1/referrals/{case}/", accounts.police)
    reads = Event.objects.filter(verb="section.read", referral_id=case)
    before = reads.count()
    _, ran = reading._in_process(detail, accounts)
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
    assert copied == [("section.read", case)] * (3 * per_read)
    assert Event.objects.count() == events  # the trail itself got no invented reads
    assert scratch not in connection.introspection.table_names()  # dropped after the run


@pytest.mark.django_db(transaction=True)
def test_a_page_is_read_with_a_session_past_its_second_factor_and_its_floor_leaves_out_sign_in(
    accounts, case
):
    page = reading.Endpoint("page: case", f"/workspace/referrals/{case}/", accounts.police,
                            page=True)
    body, ran = reading._in_process(page, accounts)  # a redirect to the code page would raise
    floor = reading.floor_sql(ran)

    assert body is None
    assert any('FROM "otp_totp_totpdevice"' in sql for sql in ran.sent)
    assert not any('FROM "django_session"' in sql or 'FROM "otp_totp_totpdevice"' in sql
                   for sql in floor.statements)
    assert (case,) in {row[:1] for row in _rows(floor.statements)}
    # One session per member until new ones are asked for.
    assert accounts.session(accounts.police) == accounts.session(accounts.police)
    kept = accounts.session(accounts.police)
    accounts.new_sessions()
    assert accounts.session(accounts.police) != kept


@pytest.mark.django_db(transaction=True)
def test_a_report_floor_makes_the_report_s_memory_setting_before_its_reads(demo):
    """A report's queries run with `SET LOCAL work_mem` in their transaction; the floor, which
    runs statement by statement outside a transaction, sets it for its connection instead."""
    auditor = demo["oversight.auditor"]
    accounts = reading.Accounts(coordinator=auditor, police=auditor, chair=auditor,
                                auditor=auditor, conference_id=None)
    funnel = reading.Endpoint("report: funnel", "/api/v1/reports/funnel/", auditor)
    body, ran = reading._in_process(funnel, accounts)
    floor = reading.floor_sql(ran)

    assert body["key"] == "funnel"
    assert any(sql.startswith("SET LOCAL work_mem") for sql in ran.sent)
    settings = [i for i, sql in enumerate(floor.statements) if sql.startswith("SET ")]
    assert [floor.statements[i] for i in settings] == ["SET work_mem = '64MB'"]
    reads = floor.statements[settings[0] + 1:]
    assert len(reads) >= 3 and all(sql.startswith("SELECT") for sql in reads)  # the report's
    with reading.floor_runner(floor) as once:
        assert 0 < once() < 5000
