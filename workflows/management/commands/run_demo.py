"""Serve HTTP and WebSocket with daphne and run the timer loop beside it, until Ctrl-C."""

import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the demo: daphne on HOST:PORT and the in-process timer loop."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between timer runs")

    def handle(self, *args, host, port, tick, **options):
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "config.asgi:application"]
        )
        stop = threading.Event()

        def timer_loop():
            while not stop.wait(tick):
                try:
                    call_command("workflow_timers", verbosity=0)
                except Exception:  # noqa: BLE001 - the loop must outlive one bad run
                    self.stderr.write("timer run failed; retrying on the next tick")

        if not settings.REDIS_URL:
            threading.Thread(target=timer_loop, name="timers", daemon=True).start()
            self.stdout.write(f"Timer loop: in-process, every {tick:.0f}s.")
        else:
            self.stdout.write("Timers: run `celery -A config worker -B` beside this server.")

        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        try:
            server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait()
        finally:
            stop.set()
