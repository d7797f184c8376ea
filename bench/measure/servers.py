"""Live servers on the benchmark database: daphne (`manage.py serve`), uvicorn workers (ASGI),
and two WSGI servers with threaded workers, HTTP only: gunicorn (HTTP parsed in Python) and
Granian (in Rust). Each serves `bench.settings` (Concord's, with the one-query view).

uWSGI is not among them: with eight clients running lifecycles (POSTs that commit and queue
notices) its requests took seconds each, for a cause not found."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# The servers' Redis database (BENCH_REDIS_DB, default 14): their Celery queue stays apart from
# the configured one. Two benchmarks running at once on one Redis need a database each: the
# workers purge their queue when they start.
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "14"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str:
    return settings.REDIS_URL.rsplit("/", 1)[0] + f"/{REDIS_DB}" if settings.REDIS_URL else ""


def queued_messages() -> int:
    """Celery messages waiting on the servers' Redis database (their worker's backlog)."""
    import redis

    return redis.Redis.from_url(redis_url()).llen("celery") if settings.REDIS_URL else 0


# Servers whose worker threads live on, and so keep their database connections (WSGI).
THREADED = ("gunicorn", "granian")


def available(kind: str) -> bool:
    """daphne always; the others when the `bench` extra is installed."""
    return kind == "daphne" or _bin(kind).exists()


def _bin(name: str) -> Path:
    return Path(sys.executable).parent / name


class Server:
    """One server process (and its workers) serving `bench.settings` on a free port."""

    def __init__(self, kind: str, database_url: str, *, workers: int = 2) -> None:
        self.kind, self.port = kind, free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url(),
            "CHANNEL_PREFIX": f"concord-bench-{os.getpid()}",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            # Under ASGI every request runs in a thread of its own: a persistent connection
            # would be left open per request (eight clients exhaust PostgreSQL's 100
            # connections within seconds), so ASGI servers connect per request. WSGI worker
            # threads live on and keep theirs.
            "CONN_MAX_AGE": "60" if kind in THREADED else "0",
        }
        for name in ("CONCORD_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        if kind == "daphne":
            command = [sys.executable, "manage.py", "serve", "--host", "127.0.0.1",
                       "--port", str(self.port)]
        elif kind == "uvicorn":
            command = [str(_bin("uvicorn")), "config.asgi:application",
                       "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
                       "--no-access-log", "--lifespan", "off", "--log-level", "warning"]
        elif kind == "granian":
            command = [str(_bin("granian")), "--interface", "wsgi", "config.wsgi:application",
                       "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
                       "--blocking-threads", "4", "--no-ws", "--log-level", "warning"]
        else:
            command = [str(_bin("gunicorn")), "config.wsgi:application",
                       "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                       "--worker-class", "gthread", "--threads", "4",
                       "--log-level", "warning"]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and servers
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        # Notices of queued tasks are written by a worker (workflows/tasks.py), as in
        # production: one beside each server, on the servers' Redis database, its backlog from
        # earlier runs purged first. Its e-mail goes to the console backend, unread. Without
        # Redis the servers run Celery's tasks in-process and need none.
        self.worker = None
        if settings.REDIS_URL:
            self.worker = subprocess.Popen(  # noqa: S603
                [str(_bin("celery")), "-A", "config", "worker", "--pool", "solo", "--purge",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel", "warning"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.kind} exited: "
                                   + self.process.stderr.read().decode()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    time.sleep(0.5 if self.kind == "daphne" else 2.0)  # workers still booting
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind} did not start in 60 s")

    @property
    def host(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def pids(self) -> list[int]:
        """The serving processes (the other servers' supervisors do not serve)."""
        children = _children(self.process.pid)
        return children if self.kind != "daphne" and children else [self.process.pid]

    def peak_rss_mb(self) -> float:
        """The largest peak resident size (VmHWM) of any one serving process."""
        return max((_status_kb(pid, "VmHWM") / 1024 for pid in self.pids()), default=0.0)

    def stop(self) -> None:
        processes = [p for p in (self.process, self.worker) if p is not None]
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
