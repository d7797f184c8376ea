"""Reading figures: inbox, queue, overdue, an agency's referrals, one referral; query counts.

Each endpoint is timed over HTTP against a live server and compared with its floor: the SQL that
returns the rows it shows, replayed raw on a connection of its own, as the endpoint sent it (what
it ran as a prepared statement is prepared there too). That SQL is captured by calling the same
endpoint in-process: every SELECT it issues except the token look-up and a separate COUNT. The
baseline is that floor run back to back (the strictest); the notes add the floor timed between
the requests (each round one request, then one run) and, for prepared statements, unprepared.
Query counts come from the same in-process call, at N and at 10 referrals.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, ApiToken, Membership
from conferences.models import Conference
from config.compiled import as_text, preparing
from referral.models import ReferralAgencyPermission
from workflows.models import AgencyTask

from .http import latencies
from .report import Figure, percentile


@dataclass
class Accounts:
    """The busiest member of each kind: the largest inbox, queue and case list there is."""

    coordinator: Membership
    police: Membership
    chair: Membership
    auditor: Membership
    conference_id: int | None
    tokens: dict[int, str] = field(default_factory=dict, repr=False)

    def token(self, membership: Membership) -> str:
        """An API token of the member's, one per member for the whole run."""
        if membership.user_id not in self.tokens:
            _, self.tokens[membership.user_id] = ApiToken.objects.create(
                user=membership.user, expiry=settings.API_TOKEN_TTL
            )
        return self.tokens[membership.user_id]


def busiest_accounts() -> Accounts:
    hub = (Agency.objects.filter(kind="coordinator")
           .annotate(open=Count("tasks", filter=Q(tasks__is_open=True))).order_by("-open", "id")
           .first())
    owners = (AgencyTask.objects.filter(agency=hub, is_open=True, owner__isnull=False)
              .values("owner").annotate(n=Count("id")).order_by("-n", "owner"))
    owner_ids = [row["owner"] for row in owners]
    members = Membership.objects.select_related("user", "agency")
    coordinator = next(
        (m for m in members.filter(agency=hub, user_id__in=owner_ids[:10])
         if "caseworker" in m.roles), None,
    ) or members.filter(agency=hub).first()
    police_group = (ReferralAgencyPermission.objects.filter(group__agency__kind="police")
                    .values("group").annotate(n=Count("id")).order_by("-n", "group").first())
    police = next(m for m in members.filter(agency__group_id=police_group["group"])
                  if "caseworker" in m.roles)
    # The chair of the last meeting held (a chair reads minutes of meetings they attended).
    conference = (Conference.objects.filter(status="minutes_signed").order_by("-starts_at", "id")
                  .first() or Conference.objects.order_by("id").first())
    chair = members.get(user_id=conference.chair_id)
    auditor = next(m for m in members.filter(agency__kind="oversight") if "auditor" in m.roles)
    return Accounts(coordinator=coordinator, police=police, chair=chair, auditor=auditor,
                    conference_id=conference.pk)


@dataclass
class Endpoint:
    name: str
    path: str
    token: str


@dataclass
class Ran:
    """What one in-process request ran: every statement as Django logs it (transaction control
    included, as the query counts count it), and each statement sent through a cursor, with its
    values, as it was sent (an `EXECUTE` of a prepared statement as an `EXECUTE`)."""

    logged: list[str]
    sent: list[str]
    prepares: dict[str, str]  # the PREPARE each EXECUTE among them needs, by statement
    plain: dict[str, str]  # the SQL each EXECUTE among them stands for, with its values

    @property
    def prepared(self) -> int:
        return sum(1 for sql in self.sent if sql.startswith("EXECUTE "))


def _in_process(endpoint: Endpoint) -> tuple[dict, Ran]:
    client = DjangoClient(HTTP_AUTHORIZATION=f"Token {endpoint.token}")
    sent, prepares, plain = [], {}, {}

    def record(execute, sql, params, many, context):
        mogrify = context["cursor"].cursor.mogrify
        statement = mogrify(sql, params or None).decode()
        sent.append(statement)
        if (prepare := preparing(sql)) is not None:
            prepares[statement] = prepare
            text, values = as_text(sql, params)
            plain[statement] = mogrify(text, values or None).decode()
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        response = client.get(endpoint.path)
    if response.status_code != 200:
        raise RuntimeError(f"{endpoint.path}: {response.status_code} {response.content[:300]}")
    logged = [q["sql"] for q in captured.captured_queries]
    return response.json(), Ran(logged=logged, sent=sent, prepares=prepares, plain=plain)


@dataclass
class Floor:
    """The statements that fetch what the response shows (not sign-in, not a separate page
    count), run the way the request ran them: what it ran prepared is prepared here too, once,
    before the timing (planning it on every run would pad the floor with work the app skips)."""

    statements: list[str]
    prepares: list[str]
    plain: dict[str, str]  # an EXECUTE among the statements -> the SQL it stands for
    # INSERTs the answer must make too (a case detail's sensitive-read events), each run in a
    # transaction rolled back, so that replaying them writes nothing: their commit is not in it.
    writes: tuple[str, ...] = ()
    # Or, with `durable`, each committed as the app commits it (on its own, one round trip, its
    # WAL flushed) into a scratch copy of its table, so that the real table gets no invented rows.
    durable: bool = False

    def unprepared(self) -> Floor:
        """The same statements as plain SQL, planned on every run (the floor earlier results
        were measured against)."""
        return Floor(statements=[self.plain.get(sql, sql) for sql in self.statements],
                     prepares=[], plain={})

    def with_writes(self, ran: Ran) -> Floor:
        """This floor and the INSERTs the request made."""
        writes = tuple(sql for sql in ran.sent if sql.lstrip().upper().startswith("INSERT "))
        return replace(self, writes=writes)

    def committed(self) -> Floor:
        """This floor with its INSERTs committed (into scratch copies of their tables): the
        least a read that must be on the audit trail before it is answered can cost."""
        return replace(self, durable=True)


def floor_sql(ran: Ran) -> Floor:
    statements = [sql for sql in ran.sent if _fetches_shown_rows(ran.plain.get(sql, sql))]
    prepares = dict.fromkeys(ran.prepares[sql] for sql in statements if sql in ran.prepares)
    return Floor(statements=statements, prepares=list(prepares), plain=ran.plain)


def _fetches_shown_rows(sql: str) -> bool:
    """A SELECT, but not the token look-up or a separate COUNT."""
    text = sql.lstrip().upper()
    return (text.startswith("SELECT") and "AGENCIES_APITOKEN" not in text
            and not text.startswith("SELECT COUNT(*)"))


def endpoints(accounts: Accounts) -> list[Endpoint]:
    """Every list and detail endpoint a member reads, with ids found through the lists."""
    coordinator = accounts.token(accounts.coordinator)
    police = accounts.token(accounts.police)
    chair = accounts.token(accounts.chair)
    auditor = accounts.token(accounts.auditor)
    found = [
        Endpoint("me", "/api/v1/me/", police),
        Endpoint("tasks: mine", "/api/v1/tasks/?scope=mine", coordinator),
        Endpoint("tasks: queue", "/api/v1/tasks/?scope=queue", coordinator),
        Endpoint("tasks: overdue", "/api/v1/tasks/?scope=overdue", coordinator),
        Endpoint("referrals: list", "/api/v1/referrals/", police),
        Endpoint("notifications", "/api/v1/notifications/", coordinator),
        Endpoint("conferences: list", "/api/v1/conferences/", chair),
        Endpoint("audit: events", "/api/v1/audit/events/", auditor),
    ]
    body, _ = _in_process(found[2])
    if body["results"]:
        found.append(Endpoint("task: detail", f"/api/v1/tasks/{body['results'][0]['id']}/",
                              coordinator))
    body, _ = _in_process(found[4])
    if body["results"]:
        referral = body["results"][0]["id"]
        found.append(Endpoint("referral: detail", f"/api/v1/referrals/{referral}/", police))
        found.append(Endpoint("referral: timeline", f"/api/v1/referrals/{referral}/timeline/",
                              police))
    conference = accounts.conference_id
    if conference:
        for name, suffix in (("conference: detail", ""),
                             ("conference: minutes", "minutes/"), ("conference: notes", "notes/")):
            found.append(Endpoint(name, f"/api/v1/conferences/{conference}/{suffix}", chair))
    return found


def query_counts(endpoints_: list[Endpoint]) -> dict[str, tuple[int, int]]:
    """Queries each endpoint issues, and how many rows it answered with (1 for a detail)."""
    counts = {}
    for endpoint in endpoints_:
        body, ran = _in_process(endpoint)
        rows = len(body["results"]) if isinstance(body.get("results"), list) else 1
        counts[endpoint.name] = (sum(1 for sql in ran.logged if not _token_bookkeeping(sql)), rows)
    return counts


def _token_bookkeeping(sql: str) -> bool:
    """The token's "last used" UPDATE, made at most once a minute (agencies.services.token_used):
    whichever request it falls on, it is not that endpoint's work."""
    return sql.lstrip().upper().startswith('UPDATE "AGENCIES_APITOKEN"')


_INSERT_INTO = re.compile(r'^\s*INSERT INTO "(\w+)"', re.IGNORECASE)
SCRATCH_PREFIX = "bench_floor_"


def _scratch_writes(cursor, writes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The INSERTs aimed at scratch copies of their tables (created here: same columns,
    defaults, identity and indexes, no rows, triggers or foreign keys), and those tables."""
    aimed, tables = [], []
    for sql in writes:
        match = _INSERT_INTO.match(sql)
        if match is None:
            raise ValueError(f"not an INSERT into a named table: {sql[:80]}")
        table = match.group(1)
        scratch = f"{SCRATCH_PREFIX}{table}"
        if scratch not in tables:
            cursor.execute(f'DROP TABLE IF EXISTS "{scratch}"')
            cursor.execute(f'CREATE TABLE "{scratch}" (LIKE "{table}" INCLUDING ALL)')
            tables.append(scratch)
        aimed.append(f'{sql[:match.start(1)]}{scratch}{sql[match.end(1):]}')
    return aimed, tables


@contextmanager
def floor_runner(floor: Floor) -> Iterator[Callable[[], float]]:
    """A function that runs the floor's statements back to back once and answers the
    milliseconds, on a connection of its own (the driver's, without Django's cursor wrapper)."""
    raw = connection.get_new_connection(connection.get_connection_params())
    scratch: list[str] = []
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            for prepare in floor.prepares:
                cursor.execute(prepare)
            if floor.durable:
                writes, scratch = _scratch_writes(cursor, floor.writes)
            else:
                writes = [f"BEGIN; {sql}; ROLLBACK" for sql in floor.writes]  # one round trip

            def once() -> float:
                started = time.perf_counter()
                for sql in floor.statements:
                    cursor.execute(sql)
                    cursor.fetchall()
                for sql in writes:
                    cursor.execute(sql)
                return (time.perf_counter() - started) * 1000

            yield once
            for table in scratch:
                cursor.execute(f'DROP TABLE "{table}"')
    finally:
        raw.close()


def tight_latencies(floor: Floor, *, warmup: int, samples: int) -> list[float]:
    """The floor run back to back, nothing between its runs: the figures' baseline. It is the
    lowest of the floors (the database backend stays busy and its caches warm; the same
    statements run between requests took a third longer in a test run), so the ratio to it is
    the strictest."""
    with floor_runner(floor) as once:
        timings = [once() for _ in range(warmup + samples)]
    return timings[warmup:]


def paired_latencies(client, path: str, floors: list[Floor], *, warmup: int,
                     samples: int) -> tuple[list[float], list[list[float]]]:
    """The endpoint over HTTP and each floor, one after the other in each round: the floors as
    they run between requests (the app's own statements run so too), on a machine whose speed
    drifts during a run moving them all alike. For the figures' notes."""
    timings, floor_timings = [], [[] for _ in floors]
    with ExitStack() as stack:
        runners = [stack.enter_context(floor_runner(floor)) for floor in floors]
        for n in range(warmup + samples):
            app = client.timed_get(path)
            raws = [once() for once in runners]
            if n >= warmup:
                timings.append(app)
                for timing, raw in zip(floor_timings, raws, strict=True):
                    timing.append(raw)
    return timings, floor_timings


TIMED = ("tasks: mine", "tasks: queue", "tasks: overdue", "referrals: list", "referral: detail")


def http_figures(client_for, endpoints_: list[Endpoint], *, server: str, warmup: int,
                 samples: int) -> list[Figure]:
    """p50/p95/p99 over HTTP of the inbox, queue, overdue, list and detail, with their floors.

    Besides the raw SQL (the figure's baseline), each note gives the ratio to the HTTP floor:
    the same server answering a view that runs one query, timed the same way.
    """
    client = client_for(None)
    http_floor = percentile(latencies(client, "/bench/one-query/", warmup=warmup,
                                      samples=samples), 95)
    client.close()
    figures = []
    for endpoint in [e for e in endpoints_ if e.name in TIMED]:
        _in_process(endpoint)  # the second run shows what the app prepares
        body, ran = _in_process(endpoint)
        client = client_for(endpoint.token)
        floor_statements = floor_sql(ran)
        with_writes = floor_statements.with_writes(ran)
        floors = [floor_statements, floor_statements.unprepared()]
        if with_writes.writes:
            floors += [with_writes, with_writes.committed()]
        timings, (paired, unprepared, *writing) = paired_latencies(
            client, endpoint.path, floors, warmup=warmup, samples=samples)
        client.close()
        floor = tight_latencies(floor_statements, warmup=warmup, samples=samples)
        figure = Figure.latency(
            f"{endpoint.name} ({server})", timings, baseline=percentile(floor, 95),
            baseline_name="raw SQL p95", target="p95 < 50 ms, ratio < 3",
            note=f"{len(floor_statements.statements)} floor statement(s), "
            f"{len(floor_statements.prepares)} prepared as the app ran them; "
            f"{body.get('count', '-')} rows in all; the app ran {ran.prepared} of its "
            f"{len(ran.sent)} statements prepared",
        )
        figure.note += (f"; one-query view p95 {http_floor:.1f} ms, "
                        f"ratio to it {figure.p95 / http_floor:.1f}")
        paired_p95 = percentile(paired, 95)
        figure.note += (f"; the floor run between requests p95 {paired_p95:.1f} ms, "
                        f"ratio to it {figure.p95 / paired_p95:.2f}")
        figure.extra["paired_floor_p95_ms"] = paired_p95
        if floor_statements.prepares:
            plain = percentile(unprepared, 95)
            figure.note += (f"; the floor unprepared (planned every run), between requests, "
                            f"p95 {plain:.1f} ms, ratio to it {figure.p95 / plain:.2f}")
            figure.extra["unprepared_floor_p95_ms"] = plain
        if writing:
            written, committed = writing
            wrote = percentile(written, 95)
            figure.note += (f"; with the {len(with_writes.writes)} INSERT(s) the answer makes "
                            f"(rolled back), between requests, p95 {wrote:.1f} ms, ratio to it "
                            f"{figure.p95 / wrote:.2f}")
            figure.extra["floor_with_writes_p95_ms"] = wrote
            durable = percentile(committed, 95)
            figure.note += (f"; with them committed (into a scratch copy of the table), between "
                            f"requests, p95 {durable:.1f} ms, ratio to it "
                            f"{figure.p95 / durable:.2f}")
            figure.extra["floor_with_committed_writes_p95_ms"] = durable
        figure.extra["http_floor_p95_ms"] = http_floor
        figure.passed = figure.p95 < 50 and (figure.ratio or 0) < 3
        figures.append(figure)
    return figures
