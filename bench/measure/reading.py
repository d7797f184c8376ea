"""Reading figures: every API endpoint and every page a member reads, each beside its floor.

Each endpoint and page is timed over HTTP against a live server (the API with the member's token,
the pages with a signed-in session that passed its second factor) and compared with its floor: the
SQL it runs, captured from the same request made in-process (`connection.execute_wrapper`, each
statement with its values as the driver sent it), then run back to back through a plain cursor on
a connection of its own. The floor is every SELECT the request ran but those that only say who is
asking (the token; the session, its user and its second-factor device). The notes add the floor
timed between the requests (each round one request, then one run) and, for a request that writes
(a case's sensitive-read events), the floor with its INSERTs rolled back and committed. The target
is the p95; the ratio to the floor is reported. Query counts come from the same in-process
request, at N and at 10 referrals.
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
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, ApiToken, Membership
from conferences.models import Conference
from referral.models import ReferralAgencyPermission
from reports.sections import REPORTS
from workflows.models import AgencyTask

from .http import Client, latencies
from .report import Figure, percentile

# How a page's session signs in: the second factor it passed is the member's authenticator app.
AUTHENTICATOR_APP = "Authenticator app"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class Accounts:
    """The busiest member of each kind: the largest inbox, queue and case list there is."""

    coordinator: Membership
    police: Membership
    chair: Membership
    auditor: Membership
    conference_id: int | None
    tokens: dict[int, str] = field(default_factory=dict, repr=False)
    sessions: dict[int, str] = field(default_factory=dict, repr=False)

    def token(self, membership: Membership) -> str:
        """An API token of the member's, one per member for the whole run."""
        if membership.user_id not in self.tokens:
            _, self.tokens[membership.user_id] = ApiToken.objects.create(
                user=membership.user, expiry=settings.API_TOKEN_TTL
            )
        return self.tokens[membership.user_id]

    def session(self, membership: Membership) -> str:
        """The key of a browser session of the member's, signed in and past its second factor
        (their authenticator app, as django-otp records a code accepted on the code page); one
        per member until `new_sessions()`."""
        if membership.user_id not in self.sessions:
            user = membership.user
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name=AUTHENTICATOR_APP, defaults={"confirmed": True}
            )
            client = DjangoClient()
            client.force_login(user, backend=MODEL_BACKEND)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            self.sessions[membership.user_id] = session.session_key
        return self.sessions[membership.user_id]

    def new_sessions(self) -> None:
        """Sign in afresh from now on: a session idle for half an hour has ended."""
        self.sessions.clear()


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
    """An API endpoint (read with the member's token) or a page (with their session).

    A report (`target_ms` 500) aggregates over the whole caseload: it is timed over fewer
    samples (`REPORT_SAMPLES`) so that the nine of them fit in the run."""

    name: str
    path: str
    member: Membership
    page: bool = False
    target_ms: float = 50

    @property
    def is_report(self) -> bool:
        return self.target_ms > 50


# Warm-up requests and samples of each report, in a full run (a smoke run takes fewer).
REPORT_WARMUP, REPORT_SAMPLES = 3, 40


def client_for(endpoint: Endpoint, accounts: Accounts, host: tuple[str, int]) -> Client:
    """A keep-alive HTTP client that reads `endpoint` as its member."""
    if endpoint.page:
        cookie = f"{settings.SESSION_COOKIE_NAME}={accounts.session(endpoint.member)}"
        return Client(host, cookie=cookie)
    return Client(host, accounts.token(endpoint.member))


@dataclass
class Ran:
    """What one in-process request ran: every statement as Django logs it (transaction control
    included, as the query counts count it), and each statement sent through a cursor with its
    values, as the driver sent it."""

    logged: list[str]
    sent: list[str]


def _in_process(endpoint: Endpoint, accounts: Accounts) -> tuple[dict | None, Ran]:
    """The endpoint's answer (its JSON; None for a page) and what it ran, made in this process
    on a connection of its own, as a server that connects per request makes it."""
    if endpoint.page:
        client = DjangoClient()
        client.cookies[settings.SESSION_COOKIE_NAME] = accounts.session(endpoint.member)
    else:
        client = DjangoClient(HTTP_AUTHORIZATION=f"Token {accounts.token(endpoint.member)}")
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(context["cursor"].cursor.mogrify(sql, params or None).decode())
        return execute(sql, params, many, context)

    if not connection.in_atomic_block:
        connection.close()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        response = client.get(endpoint.path)
    if response.status_code != 200:
        raise RuntimeError(f"{endpoint.path}: {response.status_code} {response.content[:300]}")
    logged = [q["sql"] for q in captured.captured_queries]
    body = None if endpoint.page else response.json()
    return body, Ran(logged=logged, sent=sent)


@dataclass
class Floor:
    """The SELECTs a request ran for what it shows, with their values, as it sent them."""

    statements: list[str]
    # INSERTs the answer must make too (a case detail's sensitive-read events), each run in a
    # transaction rolled back, so that replaying them writes nothing: their commit is not in it.
    writes: tuple[str, ...] = ()
    # Or, with `durable`, each committed as the app commits it (on its own, one round trip, its
    # WAL flushed) into a scratch copy of its table, so that the real table gets no invented rows.
    durable: bool = False

    def with_writes(self, ran: Ran) -> Floor:
        """This floor and the INSERTs the request made."""
        writes = tuple(sql for sql in ran.sent if sql.lstrip().upper().startswith("INSERT "))
        return replace(self, writes=writes)

    def committed(self) -> Floor:
        """This floor with its INSERTs committed (into scratch copies of their tables): the
        least a read that must be on the audit trail before it is answered can cost."""
        return replace(self, durable=True)


def floor_sql(ran: Ran) -> Floor:
    """The request's SELECTs, after the settings its transaction made for them (a report's
    `SET LOCAL work_mem`), made for the floor's own connection (`SET`: the floor runs each
    statement on its own, outside a transaction, where `SET LOCAL` would do nothing)."""
    return Floor(statements=[_as_session_setting(sql) for sql in ran.sent
                             if _fetches_shown_rows(sql) or _is_local_setting(sql)])


def _is_local_setting(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SET LOCAL ")


def _as_session_setting(sql: str) -> str:
    return "SET " + sql.lstrip()[len("SET LOCAL "):] if _is_local_setting(sql) else sql


# What only says who is asking: the API token; the session, its user, its second-factor device.
_SIGN_IN = re.compile(
    r'FROM "(agencies_apitoken|django_session|otp_totp_totpdevice|otp_static_staticdevice'
    r'|django_otp_webauthn_webauthncredential)"'
    r'|FROM "auth_user" WHERE "auth_user"."id" = \d+ LIMIT 21',
    re.IGNORECASE,
)


def _fetches_shown_rows(sql: str) -> bool:
    """A SELECT, but not one of the sign-in look-ups."""
    return sql.lstrip().upper().startswith("SELECT") and not _SIGN_IN.search(sql)


def endpoints(accounts: Accounts) -> list[Endpoint]:
    """Every API endpoint and page a member reads, with ids found through the lists."""
    coordinator, police = accounts.coordinator, accounts.police
    chair, auditor = accounts.chair, accounts.auditor
    found = [
        Endpoint("me", "/api/v1/me/", police),
        Endpoint("tasks: mine", "/api/v1/tasks/?scope=mine", coordinator),
        Endpoint("tasks: queue", "/api/v1/tasks/?scope=queue", coordinator),
        Endpoint("tasks: overdue", "/api/v1/tasks/?scope=overdue", coordinator),
        Endpoint("referrals: list", "/api/v1/referrals/", police),
        Endpoint("notifications", "/api/v1/notifications/", coordinator),
        Endpoint("conferences: list", "/api/v1/conferences/", chair),
        Endpoint("audit: events", "/api/v1/audit/events/", auditor),
        Endpoint("page: home", "/workspace/home/", coordinator, page=True),
        Endpoint("page: inbox, mine", "/workspace/tasks/", coordinator, page=True),
        Endpoint("page: inbox, queue", "/workspace/tasks/?scope=queue", coordinator, page=True),
        Endpoint("page: inbox, overdue", "/workspace/tasks/?scope=overdue", coordinator,
                 page=True),
        Endpoint("page: referrals", "/workspace/referrals/", police, page=True),
        Endpoint("page: trail", "/workspace/audit/", auditor, page=True),
    ]
    body, _ = _in_process(found[2], accounts)
    if body["results"]:
        task = body["results"][0]["id"]
        found.append(Endpoint("task: detail", f"/api/v1/tasks/{task}/", coordinator))
        found.append(Endpoint("page: task", f"/workspace/tasks/{task}/", coordinator, page=True))
    body, _ = _in_process(found[4], accounts)
    if body["results"]:
        referral = body["results"][0]["id"]
        found.append(Endpoint("referral: detail", f"/api/v1/referrals/{referral}/", police))
        found.append(Endpoint("referral: timeline", f"/api/v1/referrals/{referral}/timeline/",
                              police))
        found.append(Endpoint("page: case", f"/workspace/referrals/{referral}/", police,
                              page=True))
    conference = accounts.conference_id
    if conference:
        for name, suffix in (("conference: detail", ""),
                             ("conference: minutes", "minutes/"), ("conference: notes", "notes/")):
            found.append(Endpoint(name, f"/api/v1/conferences/{conference}/{suffix}", chair))
        found.append(Endpoint("page: meeting", f"/workspace/conferences/{conference}/", chair,
                              page=True))
    return found + report_endpoints(accounts)


def report_endpoints(accounts: Accounts) -> list[Endpoint]:
    """Every outcome report over the whole caseload, as oversight reads it; one, as a police
    force's supervisor reads it (its own cases); and one report's page."""
    auditor = accounts.auditor
    found = [
        Endpoint(f"report: {key}", f"/api/v1/reports/{key}/", auditor, target_ms=500)
        for key in REPORTS
    ]
    supervisor = (Membership.objects.select_related("user", "agency")
                  .filter(agency_id=accounts.police.agency_id, roles__contains=["supervisor"])
                  .order_by("id").first())
    if supervisor is not None:
        found.append(Endpoint("report: justice (a police force's own)", "/api/v1/reports/justice/",
                              supervisor, target_ms=500))
    found.append(Endpoint("page: report, justice", "/workspace/reports/justice/", auditor,
                          page=True, target_ms=500))
    return found


def query_counts(endpoints_: list[Endpoint],
                 accounts: Accounts) -> dict[str, tuple[int, int | None]]:
    """Queries each endpoint issues, and how many rows it answered with (1 for a detail, None
    for a page)."""
    counts = {}
    for endpoint in endpoints_:
        body, ran = _in_process(endpoint, accounts)
        if body is None:
            rows = None
        else:
            rows = len(body["results"]) if isinstance(body.get("results"), list) else 1
        counts[endpoint.name] = (sum(1 for sql in ran.logged if not _bookkeeping(sql)), rows)
    return counts


def _bookkeeping(sql: str) -> bool:
    """The token's "last used" UPDATE (at most once a minute, agencies.services.token_used) and
    the session's idle clock (config.session_limits): whichever request they fall on, they are
    not that endpoint's work."""
    text = sql.lstrip().upper()
    return text.startswith(('UPDATE "AGENCIES_APITOKEN"', 'UPDATE "DJANGO_SESSION"'))


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
        # The table's every quoted name: its INSERT, and a RETURNING clause that names it.
        aimed.append(sql.replace(f'"{table}"', f'"{scratch}"'))
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
            if floor.durable:
                writes, scratch = _scratch_writes(cursor, floor.writes)
            else:
                writes = [f"BEGIN; {sql}; ROLLBACK" for sql in floor.writes]  # one round trip

            def once() -> float:
                started = time.perf_counter()
                for sql in floor.statements:
                    cursor.execute(sql)
                    if cursor.description is not None:  # a SELECT, not a SET
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
    lowest of the floors (the database backend stays busy and its caches warm), so the ratio to
    it is the strictest."""
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


def http_figures(endpoints_: list[Endpoint], accounts: Accounts, *, host: tuple[str, int],
                 server: str, warmup: int, samples: int) -> list[Figure]:
    """p50/p95/p99 over HTTP of every endpoint and page, each with its floors.

    Besides the raw SQL (the figure's baseline), each note gives the ratio to the HTTP floor:
    the same server answering a view that runs one query, timed the same way.
    """
    client = Client(host)
    http_floor = percentile(latencies(client, "/bench/one-query/", warmup=warmup,
                                      samples=samples), 95)
    client.close()
    figures = []
    for endpoint in endpoints_:
        body, ran = _in_process(endpoint, accounts)
        client = client_for(endpoint, accounts, host)
        reads = floor_sql(ran)
        with_writes = reads.with_writes(ran)
        floors = [reads]
        if with_writes.writes:
            floors += [with_writes, with_writes.committed()]
        rounds = ({"warmup": min(warmup, REPORT_WARMUP), "samples": min(samples, REPORT_SAMPLES)}
                  if endpoint.is_report else {"warmup": warmup, "samples": samples})
        timings, (paired, *writing) = paired_latencies(client, endpoint.path, floors, **rounds)
        client.close()
        floor = tight_latencies(reads, **rounds)
        shown = "a page" if body is None else f"{body.get('count', '-')} rows in all"
        # A request whose only SELECTs say who is asking has no floor to compare with.
        baseline = percentile(floor, 95) if reads.statements else None
        figure = Figure.latency(
            f"{endpoint.name} ({server})", timings, baseline=baseline,
            baseline_name="raw SQL p95", target=f"p95 < {endpoint.target_ms:g} ms",
            note=f"{len(reads.statements)} floor statement(s) of the {len(ran.sent)} it ran; "
            f"{shown}",
        )
        figure.note += (f"; one-query view p95 {http_floor:.1f} ms, "
                        f"ratio to it {_ratio(figure.p95, http_floor, 1)}")
        if reads.statements:
            paired_p95 = percentile(paired, 95)
            figure.note += (f"; the floor run between requests p95 {paired_p95:.1f} ms, "
                            f"ratio to it {_ratio(figure.p95, paired_p95)}")
            figure.extra["paired_floor_p95_ms"] = paired_p95
        if writing:
            written, committed = writing
            wrote = percentile(written, 95)
            figure.note += (f"; with the {len(with_writes.writes)} INSERT(s) the answer makes "
                            f"(rolled back), between requests, p95 {wrote:.1f} ms, ratio to it "
                            f"{_ratio(figure.p95, wrote)}")
            figure.extra["floor_with_writes_p95_ms"] = wrote
            durable = percentile(committed, 95)
            figure.note += (f"; with them committed (into a scratch copy of the table), between "
                            f"requests, p95 {durable:.1f} ms, ratio to it "
                            f"{_ratio(figure.p95, durable)}")
            figure.extra["floor_with_committed_writes_p95_ms"] = durable
        figure.extra["http_floor_p95_ms"] = http_floor
        figure.passed = figure.p95 < endpoint.target_ms
        figures.append(figure)
    return figures


def _ratio(value: float, floor: float, digits: int = 2) -> str:
    return f"{value / floor:.{digits}f}" if floor else "-"
