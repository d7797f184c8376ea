"""Serve HTTP and WebSocket on one port with daphne; with --timers, run the timer loop beside it.

daphne reads no forwarded header: the application decides which proxy hops to believe
(TRUSTED_PROXY_COUNT, config/client_address.py; SECURE_PROXY_SSL_HEADER for the scheme).
"""

import io
import threading
import time

from daphne.endpoints import build_endpoint_description_strings
from daphne.server import Server
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from config.access_log import stdout_access_log
from config.asgi import application


class Command(BaseCommand):
    help = "Run daphne on HOST:PORT (HTTP + WebSocket); --timers adds the in-process timer loop."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--timers", action="store_true", help="run the in-process timer loop")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between timer runs")

    def handle(self, *args, host, port, timers, tick, **options):
        stop = threading.Event()
        if timers:
            threading.Thread(
                target=self._timer_loop, args=(stop, tick), name="timers", daemon=True
            ).start()
            self.stdout.write(f"Timer loop: in-process, every {tick:.0f}s.")
        self.stdout.write(f"Serving HTTP and WebSocket on http://{host}:{port}/")
        try:
            Server(
                application=application,
                endpoints=build_endpoint_description_strings(host=host, port=port),
                action_logger=stdout_access_log(),
                verbosity=1,
            ).run()
        finally:
            stop.set()

    def _timer_loop(self, stop: threading.Event, tick: float) -> None:
        """Run the timers every tick, anchor the trail every AUDIT_ANCHOR_EVERY seconds and sweep
        for retention every RETENTION_SWEEP_EVERY seconds (the first of each at the first
        tick)."""
        last_anchor = last_sweep = None
        while not stop.wait(tick):
            try:
                call_command("run_timers", verbosity=0)
            except Exception:  # noqa: BLE001 - the loop must outlive one bad run
                self.stderr.write("timer run failed; retrying on the next tick")
            now = time.monotonic()
            if last_anchor is None or now - last_anchor >= settings.AUDIT_ANCHOR_EVERY:
                try:
                    call_command("audit_anchor", verbosity=0, stdout=io.StringIO())
                    last_anchor = now
                except Exception:  # noqa: BLE001 - as above
                    self.stderr.write("audit anchor failed; retrying on the next tick")
            if last_sweep is None or now - last_sweep >= settings.RETENTION_SWEEP_EVERY:
                try:
                    call_command("retention_sweep", verbosity=0, stdout=io.StringIO())
                    last_sweep = now
                except Exception:  # noqa: BLE001 - as above
                    self.stderr.write("retention sweep failed; retrying on the next tick")
