"""`config.compiled.CompiledQuery`: compiled once, the same rows as the queryset, values swapped."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from knox.settings import CONSTANTS

from agencies.models import Agency, ApiToken, Membership
from config.compiled import CompiledQuery, as_text, preparing
from tests.tokens import token_for

pytestmark = pytest.mark.django_db

AGENCY_ROWS = CompiledQuery(
    lambda kind: Agency.objects.filter(kind=kind).order_by("slug").values("id", "slug", "kind"),
    kind=str,
)
PREPARED_MEMBERS = CompiledQuery(
    lambda agency: Membership.objects.filter(agency_id=agency)
    .select_related("user", "agency")
    .order_by("id"),
    prepare="test_members", agency=int,
)
MEMBERS = CompiledQuery(
    lambda agency: Membership.objects.filter(agency_id=agency)
    .select_related("user", "agency")
    .order_by("id"),
    agency=int,
)


def test_rows_equal_the_querysets_values_for_every_value(demo):
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert len(kinds) > 2
    for kind in kinds:
        expected = list(
            Agency.objects.filter(kind=kind).order_by("slug").values("id", "slug", "kind")
        )
        assert AGENCY_ROWS.rows(kind=kind) == expected
    assert AGENCY_ROWS.rows(kind="no such kind") == []


def test_objects_come_with_what_they_select_related_in_one_query(demo):
    membership = demo["police.caseworker"]
    with CaptureQueriesContext(connection) as queries:
        members = MEMBERS.objects(agency=membership.agency_id)
        seen = [(m.pk, m.user.username, m.agency.slug, list(m.roles)) for m in members]
    assert len(queries) == 1
    expected = Membership.objects.filter(agency_id=membership.agency_id).order_by("id")
    assert seen == [(m.pk, m.user.username, m.agency.slug, list(m.roles)) for m in expected]
    assert membership.pk in [m.pk for m in members]


def test_compiled_once_then_only_the_values_change(demo):
    query = CompiledQuery(
        lambda kind: Agency.objects.filter(kind=kind).values("slug"), kind=str
    )
    with CaptureQueriesContext(connection) as queries:
        query.rows(kind="police")
        query.rows(kind="charity")
    first, second = (q["sql"] for q in queries.captured_queries)
    assert "police" in first and "charity" in second
    assert first.replace("police", "?") == second.replace("charity", "?")
    assert len(query._plans) == 1


def test_limit_and_offset_page_the_rows(demo):
    others = CompiledQuery(
        lambda slug: Agency.objects.exclude(slug=slug).order_by("slug").values("slug"), slug=str
    )
    every = others.rows(slug="police")
    assert len(every) >= 6 and {"slug": "police"} not in every
    assert others.rows(slug="police", limit=1) == every[:1]
    assert others.rows(slug="police", limit=5, offset=1) == every[1:6]
    assert others.rows(slug="police", limit=5, offset=len(every)) == []


def test_a_token_with_its_user_member_and_agency(demo):
    membership = demo["police.caseworker"]
    token = token_for(membership.user)
    query = CompiledQuery(
        lambda key: ApiToken.objects.select_related("user__membership__agency").filter(
            token_key=key
        ),
        key=str,
    )
    [found] = query.objects(key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
    with CaptureQueriesContext(connection) as queries:
        assert found.user.membership.agency.slug == membership.agency.slug
    assert len(queries) == 0
    assert query.objects(key="x" * 40) == []


def test_a_value_the_sql_would_change_is_refused():
    """`icontains` wraps the value in wildcards: swapping it in afterwards would be wrong."""
    query = CompiledQuery(lambda slug: Agency.objects.filter(slug__icontains=slug), slug=str)
    with pytest.raises(ValueError, match="parameters of their own"):
        query.objects(slug="police")


def test_a_value_the_builder_ignores_is_refused():
    query = CompiledQuery(lambda kind: Agency.objects.all(), kind=str)
    with pytest.raises(ValueError, match="parameters of their own"):
        query.objects(kind="police")


def test_wrong_or_missing_values_and_kinds_are_refused():
    with pytest.raises(TypeError):
        CompiledQuery(lambda at: Agency.objects.filter(created__gt=at), at=float)
    with pytest.raises(TypeError, match="expected values"):
        AGENCY_ROWS.rows(slug="police")
    with pytest.raises(TypeError, match="objects"):
        AGENCY_ROWS.objects(kind="police")
    with pytest.raises(TypeError, match="rows"):
        MEMBERS.rows(agency=1)


def test_slicing_in_the_builder_is_refused():
    query = CompiledQuery(lambda kind: Agency.objects.filter(kind=kind)[:5], kind=str)
    with pytest.raises(ValueError, match="limit"):
        query.rows(kind="police")


PG = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
NEW_SESSIONS = pytest.mark.django_db(transaction=True)  # these close the connection


def _members(agency: int, **page) -> list[tuple[int, str, str]]:
    return [(m.pk, m.user.username, m.agency.slug)
            for m in PREPARED_MEMBERS.objects(agency=agency, **page)]


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@PG
@NEW_SESSIONS
def test_a_key_look_up_is_prepared_on_its_second_use_and_gives_the_same_rows(demo):
    connection.close()  # a new session: nothing prepared yet
    agencies = list(Agency.objects.order_by("id").values_list("id", flat=True))
    expected = {a: [(m.pk, m.user.username, m.agency.slug) for m in
                    Membership.objects.filter(agency_id=a).select_related("user", "agency")
                    .order_by("id")] for a in agencies}
    with CaptureQueriesContext(connection) as queries:
        for agency in agencies:  # first use: the SQL; then EXECUTE of the prepared statement
            assert _members(agency) == expected[agency]
    ran = [q["sql"] for q in queries.captured_queries]
    assert ran[0].startswith("SELECT")
    assert all(sql.startswith("EXECUTE concord_test_members (") for sql in ran[1:])
    assert len(ran) == len(agencies) > 2  # preparing is not a query of the request's
    assert "concord_test_members" in _prepared_here()
    assert as_text(ran[1])[0] == ran[0].replace(str(agencies[0]), "%s")  # the same SQL
    busiest = max(expected, key=lambda a: len(expected[a]))
    for _ in range(2):  # paged: a statement of its own, for that page
        assert _members(busiest, limit=2, offset=1) == expected[busiest][1:3]
    assert "concord_test_members_page2_1" in _prepared_here()


@PG
@NEW_SESSIONS
def test_a_key_no_bigint_can_hold_finds_nothing_prepared_or_not(demo):
    """An id from a URL may be any number of digits: PostgreSQL would refuse one beyond 64 bits
    as a prepared statement's argument (`bigint out of range`)."""
    connection.close()
    agency = Agency.objects.order_by("id").values_list("id", flat=True).first()
    _members(agency)
    _members(agency)  # prepared now
    assert "concord_test_members" in _prepared_here()
    with CaptureQueriesContext(connection) as queries:
        for key in (2**63, -(2**63) - 1, 10**30):
            assert PREPARED_MEMBERS.objects(agency=key) == []
            assert MEMBERS.objects(agency=key) == []
    assert queries.captured_queries == []
    assert _members(2**63 - 1) == []  # the largest key there can be is asked for


@PG
@NEW_SESSIONS
def test_a_prepared_statement_outlives_a_rollback_and_is_prepared_again_after_reconnecting(
    demo,
):
    agency = demo["police.caseworker"].agency_id
    expected = _members(agency)
    with transaction.atomic():
        assert _members(agency) == expected  # prepared inside a transaction...
        transaction.set_rollback(True)
    assert _members(agency) == expected  # ...that rolled back: still there
    connection.close()
    assert _members(agency) == expected  # a new session runs the SQL...
    assert _members(agency) == expected  # ...and prepares it again
    assert "concord_test_members" in _prepared_here()


@PG
@NEW_SESSIONS
def test_prepared_statements_can_be_turned_off(demo, settings):
    settings.PREPARED_STATEMENTS = False
    connection.close()
    agency = demo["police.caseworker"].agency_id
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            _members(agency)
    assert all(q["sql"].startswith("SELECT") for q in queries.captured_queries)
    assert "concord_test_members" not in _prepared_here()


def test_a_prepared_statement_needs_a_name_of_its_own():
    with pytest.raises(ValueError, match="already prepared"):
        CompiledQuery(lambda agency: Membership.objects.filter(agency_id=agency),
                      prepare="test_members", agency=int)
    with pytest.raises(ValueError, match="lower case"):
        CompiledQuery(lambda agency: Membership.objects.filter(agency_id=agency),
                      prepare="Members; DROP", agency=int)


def test_as_text_gives_back_what_an_execute_stands_for():
    sql, params = as_text("EXECUTE concord_test_members_page2_0 (%s)", [7])
    assert sql.startswith("SELECT") and sql.endswith(" LIMIT %s OFFSET %s")
    assert params == [7, 2, 0]
    assert as_text("SELECT 1", None) == ("SELECT 1", [])


@pytest.mark.django_db(transaction=True)
def test_preparing_gives_the_prepare_another_connection_needs(demo):
    """The benchmark's floors run a request's EXECUTEs on a connection of their own (which sees
    only committed rows: hence a transactional test)."""
    agency = demo["police.caseworker"].agency_id
    prepare = preparing("EXECUTE concord_test_members (%s)")
    assert prepare.startswith("PREPARE concord_test_members AS SELECT")
    assert "$1" in prepare and "%s" not in prepare
    paged = preparing("EXECUTE concord_test_members_page2_0 (%s)")
    assert paged.startswith("PREPARE concord_test_members_page2_0 AS SELECT")
    assert paged.endswith(" LIMIT 2 OFFSET 0") and "$2" not in paged
    assert preparing("SELECT 1") is None
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute(prepare)
            cursor.execute(f"EXECUTE concord_test_members ({agency})")
            prepared = [row[0] for row in cursor.fetchall()]
    finally:
        other.close()
    assert prepared == list(
        Membership.objects.filter(agency_id=agency).order_by("id").values_list("id", flat=True)
    )


FIXED_STATUS = CompiledQuery(
    lambda agency: Membership.objects.filter(agency_id=agency, user__is_active=True,
                                             roles__contains=["caseworker"]).order_by("id"),
    prepare="test_fixed", agency=int,
)


@PG
@NEW_SESSIONS
def test_only_the_declared_values_are_parameters_of_a_prepared_statement(demo):
    """What the builder fixed, and the page, are literals in the statement PostgreSQL prepares:
    as parameters the planner could not see them, and it planned the completed case work (a
    fixed status and task types) and a meeting's attendance (a fixed LIMIT 1) on every run
    instead of settling on one plan (bench/README.md)."""
    connection.close()
    agency = demo["police.caseworker"].agency_id
    expected = list(Membership.objects.filter(agency_id=agency, user__is_active=True,
                                              roles__contains=["caseworker"]).order_by("id"))
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert FIXED_STATUS.objects(agency=agency) == expected
            assert FIXED_STATUS.objects(agency=agency, limit=1) == expected[:1]
    executes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXECUTE")]
    assert executes == [f"EXECUTE concord_test_fixed ({agency})",
                        f"EXECUTE concord_test_fixed_page1_0 ({agency})"] * 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    assert "$2" not in prepared["concord_test_fixed"]
    assert """'["caseworker"]'""" in prepared["concord_test_fixed"]  # a JSON value, quoted
    assert prepared["concord_test_fixed_page1_0"].endswith("LIMIT 1 OFFSET 0")
