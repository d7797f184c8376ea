"""`manage.py bench --referrals N [--smoke]`: every figure beside its floor, in one run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.second_factor import recovery_codes_issue
from audit import chain
from bench.generate.people import bench_password
from bench.measure import databases, floors, lifecycle, notes, reading, servers, trail
from bench.measure.http import concurrently, sign_in
from bench.measure.report import Figure, Results, percentile

RESULTS = Path(__file__).resolve().parents[2] / "results" / "latest.json"
CLIENTS = 8


@dataclass(frozen=True)
class Plan:
    warmup: int
    samples: int
    load_seconds: float
    lifecycle_seconds: float
    notes_seconds: float
    audit_seconds: float
    chain_events: int
    pgbench_seconds: int


FULL = Plan(warmup=20, samples=300, load_seconds=15, lifecycle_seconds=30, notes_seconds=60,
            audit_seconds=15, chain_events=1_000_000, pgbench_seconds=20)
SMOKE = Plan(warmup=5, samples=30, load_seconds=2, lifecycle_seconds=4, notes_seconds=2,
             audit_seconds=2, chain_events=20_000, pgbench_seconds=3)


# Every HTTP server the benchmark can start (bench/measure/servers.py).
SERVERS = ("daphne", "uvicorn", *servers.THREADED)


class Command(BaseCommand):
    help = "Generate a caseload of N referrals and measure every figure with its baseline."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--smoke", action="store_true",
                            help="a few seconds per figure; report, never fail on targets")
        parser.add_argument("--reuse", action="store_true",
                            help="keep an existing caseload database of this size")
        parser.add_argument("--servers", default=",".join(SERVERS),
                            help=f"the HTTP servers to measure, of {', '.join(SERVERS)}")

    def handle(self, *args, referrals: int, seed: int, smoke: bool, reuse: bool, servers: str,
               **options):
        settings.DEBUG = False  # no query log in this process
        self.servers = [kind.strip() for kind in servers.split(",") if kind.strip()]
        unknown = sorted(set(self.servers) - set(SERVERS))
        if unknown or not self.servers:
            raise CommandError(f"--servers: one or more of {', '.join(SERVERS)}, not {unknown}")
        self.started = time.perf_counter()
        plan = SMOKE if smoke else FULL
        results = Results(referrals=referrals, smoke=smoke)
        base = databases.base_name()
        names = {"n": f"{base}_n{referrals}", "ten": f"{base}_n10", "pg": f"{base}_pgbench"}
        self._caseloads(results, names, referrals, seed, reuse)
        with databases.using(names["n"]):
            self._query_counts(results, names)
            self._http(results, plan, names)
            self._notes(results, plan, names)
            self._trail(results, plan)
        self._pgbench(results, plan, names)
        self.log("Done")
        results.write(RESULTS)
        self.stdout.write("\n" + results.table() + "\n")
        for note in results.notes:
            self.stdout.write(f"- {note}")
        self.stdout.write(f"\nWritten to {RESULTS}")

    def log(self, text: str) -> None:
        self.stdout.write(f"[{time.perf_counter() - self.started:6.1f}s] {text}")
        self.stdout.flush()

    # --- Databases -----------------------------------------------------------------------------

    def _caseloads(self, results: Results, names: dict, referrals: int, seed: int,
                   reuse: bool) -> None:
        template = None
        for key, count in (("n", referrals), ("ten", 10)):
            if reuse and key == "n" and _has_caseload(names[key]):
                self.log(f"Reusing {names[key]} (migrating it)")
                databases.migrated(names[key])
                continue
            template = template or databases.migrated_template(f"{databases.base_name()}_tpl")
            self.log(f"Generating {count:,} referrals into {names[key]}")
            summary = databases.with_caseload(names[key], template=template, referrals=count,
                                              seed=seed, log=self.log)
            results.generation[str(count)] = {"rows": summary.total_rows,
                                              "seconds": round(summary.seconds["total"], 1),
                                              "by_table": summary.rows}
            self.log(f"  {summary.total_rows:,} rows in {summary.seconds['total']:.1f}s")
        if template:
            databases.drop(template)

    # --- Query counts --------------------------------------------------------------------------

    def _query_counts(self, results: Results, names: dict) -> None:
        self.log("Query counts at N and at 10")
        # A reused caseload keeps the unsealed events of the last run's plain-SQL lifecycle
        # copies: the audit list would seal a batch of them first (6 statements more, once).
        chain.seal()
        accounts = reading.busiest_accounts()
        at_n = reading.query_counts(reading.endpoints(accounts), accounts)
        with databases.using(names["ten"]):
            accounts = reading.busiest_accounts()
            at_ten = reading.query_counts(reading.endpoints(accounts), accounts)
        for name, (count, rows) in at_n.items():
            ten, ten_rows = at_ten.get(name, (None, 0))
            # An empty list may skip a query a full one makes (a prefetch): a different count
            # between an empty list and a full one compares nothing, an equal one still passes.
            # A page's rows are not counted: a different count there is reported, not judged.
            comparable = (ten is not None and rows is not None
                          and (rows > 0) == ((ten_rows or 0) > 0))
            passed = True if count == ten else (False if comparable else None)
            shown = "a page" if rows is None else f"{rows} rows at N, {ten_rows} at 10"
            results.add(Figure(
                name=f"queries: {name}", unit="queries", value=count, baseline=ten,
                baseline_name="at 10", target="same as at 10", passed=passed,
                note=shown + ("" if passed is not None else "; not compared (an empty list "
                              "skips a query a full one makes, and a page's rows are not "
                              "counted)"),
            ))

    # --- HTTP: reading, lifecycles, the one-query floor, memory ----------------------------

    def _http(self, results: Results, plan: Plan, names: dict) -> None:
        url = databases.url_of(names["n"])
        measured = self.servers
        kinds = [kind for kind in measured if servers.available(kind)]
        if len(kinds) < len(measured):
            results.notes.append("A server of the `bench` extra is not installed: install it "
                                 "(pip install -e '.[bench]') to measure each beside daphne.")
        accounts = reading.busiest_accounts()
        endpoints = reading.endpoints(accounts)
        teams = lifecycle.crews(accounts.token)
        lifecycle_figures, template = [], None
        # Every account signs in with a second factor: an authenticator app, and its recovery
        # codes to sign in with, one for each server.
        police = get_user_model().objects.get(username="bench.police")
        TOTPDevice.objects.get_or_create(
            user=police, name="Authenticator app", defaults={"confirmed": True}
        )
        codes = iter(recovery_codes_issue(user=police))
        for kind in kinds:
            self.log(f"HTTP figures on {kind}" + ("" if kind == "daphne" else " (2 workers)"))
            server = servers.Server(kind, url)
            accounts.new_sessions()  # a session idle for half an hour has ended
            try:
                sign_in(server.host, "bench.police", bench_password(), otp=next(codes))
                figures = reading.http_figures(
                    endpoints, accounts, host=server.host, server=kind, warmup=plan.warmup,
                    samples=plan.samples)
                for figure in figures:
                    results.add(figure)
                load = floors.one_query_view(server.host, clients=CLIENTS,
                                             seconds=plan.load_seconds)
                results.add(Figure(
                    name=f"one-query view, {CLIENTS} clients ({kind})", unit="req/s",
                    value=load.rate, note=f"p50 {percentile(load.latencies_ms, 50):.1f} ms, "
                    f"p99 {percentile(load.latencies_ms, 99):.1f} ms; the HTTP floor",
                ))
                runs = lifecycle.Lifecycles(server.host, teams)
                load, transitions = runs.run(clients=CLIENTS, seconds=plan.lifecycle_seconds)
                backlog = servers.queued_messages()
                template = template or (runs.finished[0] if runs.finished else None)
                figure = results.add(Figure(
                    name=f"lifecycles/s, {CLIENTS} clients ({kind})", unit="/s", value=load.rate,
                    baseline_name="plain SQL copies/s",
                    note=f"{load.done} lifecycles, 9 requests each; p50 "
                    f"{percentile(load.latencies_ms, 50):.0f} ms per lifecycle; "
                    f"{len(load.errors)} errors" + (f" ({load.errors[0]})" if load.errors else "")
                    + f"; {backlog} messages left for the worker at the end (queued notices)",
                ))
                lifecycle_figures.append(figure)
                results.add(Figure(
                    name=f"flow transitions/s ({kind})", unit="/s",
                    value=transitions / load.seconds,
                    note="viewflow task rows written (human and gateway nodes)",
                ))
                results.add(Figure(name=f"peak RSS of one server process ({kind})", unit="MB",
                                   value=server.peak_rss_mb(),
                                   note=f"{_connections(names['n'])} database connections open"))
            finally:
                server.stop()
        if template is None:
            results.notes.append("No lifecycle finished: the plain-SQL floor was not measured.")
            return
        copies = lifecycle.PlainCopies(template)
        load = concurrently(copies.unit, clients=CLIENTS, seconds=plan.lifecycle_seconds)
        for figure in lifecycle_figures:
            figure.baseline = load.rate
            figure.note += f"; the floor copies {copies.rows_per_copy} rows per lifecycle"
        if load.errors:
            results.notes.append(f"Plain-SQL copies failed {len(load.errors)} times: "
                                 f"{load.errors[0]}")

    # --- Live notes ----------------------------------------------------------------------------

    def _notes(self, results: Results, plan: Plan, names: dict) -> None:
        if not settings.REDIS_URL:
            results.notes.append("Live notes not measured: REDIS_URL is not set.")
            return
        self.log("Live notes: 50 sockets, 5 writers at 10 notes/s")
        conference, tokens = notes.meeting()
        server = servers.Server("daphne", databases.url_of(names["n"]))
        try:
            ws_base = f"ws://127.0.0.1:{server.port}"
            delivered = notes.through_server(ws_base, conference.pk, tokens, plan.notes_seconds)
        finally:
            server.stop()
        bare = notes.through_bare_layer(plan.notes_seconds)
        floor = bare.latencies_ms()
        figure = results.add(Figure.latency(
            "live notes: delivery latency (daphne + Redis)", delivered.latencies_ms(),
            baseline=percentile(floor, 95), baseline_name="bare channels-redis p95",
            note=f"{len(delivered.sent)} notes x {len(tokens)} sockets; floor p50 "
            f"{percentile(floor, 50):.1f} ms, p99 {percentile(floor, 99):.1f} ms, "
            f"lost {bare.lost(notes.SOCKETS)}, duplicates {bare.duplicates}",
        ))
        figure.target = "report p50 and p99"
        lost = delivered.lost(len(tokens))
        results.add(Figure(name="live notes: lost", unit="count", value=lost, target="0",
                           passed=lost == 0))
        results.add(Figure(name="live notes: duplicates", unit="count",
                           value=delivered.duplicates, target="0",
                           passed=delivered.duplicates == 0))

    # --- Audit ---------------------------------------------------------------------------------

    def _trail(self, results: Results, plan: Plan) -> None:
        self.log(f"Audit: {CLIENTS} writers; verify {plan.chain_events:,}+ events")
        app = trail.append_through_app(clients=CLIENTS, seconds=plan.audit_seconds)
        plain = trail.append_plain(clients=CLIENTS, seconds=plan.audit_seconds)
        results.add(Figure(name=f"audit appends/s, {CLIENTS} writers", unit="/s", value=app.rate,
                           baseline=plain.rate, baseline_name="plain INSERT/s",
                           note=f"{len(app.errors)} errors"))
        length = trail.top_up(plan.chain_events)
        verification = trail.verify()
        rows, seconds = trail.read_floor()
        results.add(Figure(
            name=f"audit_verify events/s over {length:,}", unit="/s", value=verification.rate,
            baseline=rows / seconds, baseline_name="read without hashing",
            target="chain verifies", passed=verification.ok,
            note=f"{verification.events:,} events in {verification.seconds:.1f}s",
        ))

    # --- pgbench -------------------------------------------------------------------------------

    def _pgbench(self, results: Results, plan: Plan, names: dict) -> None:
        self.log("pgbench read-write")
        tps, how = floors.pgbench_tps(names["pg"], clients=CLIENTS, seconds=plan.pgbench_seconds)
        if tps is None:
            results.notes.append(f"pgbench skipped: {how}")
            return
        results.add(Figure(name="pgbench read-write TPS (this machine's write ceiling)",
                           unit="tps", value=tps, note=how))


def _connections(name: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
        return cursor.fetchone()[0]


def _has_caseload(name: str) -> bool:
    from django.db import DatabaseError

    from referral.models import Referral

    try:
        with databases.using(name):
            return Referral.objects.exists()
    except DatabaseError:
        return False
