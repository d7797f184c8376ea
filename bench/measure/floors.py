"""This machine's floors: pgbench's read-write TPS, and a view that does one query."""

from __future__ import annotations

import re
import shutil
import subprocess

from django.db import connection

from . import databases
from .http import Client, Load, concurrently


def pgbench_tps(name: str, *, clients: int, seconds: int) -> tuple[float | None, str]:
    """TPC-B-like read-write TPS on a scale-10 pgbench database; None (and why) without pgbench."""
    binary = shutil.which("pgbench")
    if binary is None:
        return None, "pgbench is not installed (apt-get install postgresql-client)"
    databases.recreate(name)
    db = connection.settings_dict
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    init = subprocess.run(  # noqa: S603 - pgbench with our own arguments
        [binary, *args, "-i", "-q", "-s", "10", name], capture_output=True, text=True, env=env,
        check=False,
    )
    if init.returncode != 0:
        return None, f"pgbench -i failed: {init.stderr[-300:]}"
    run = subprocess.run(  # noqa: S603
        [binary, *args, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), name],
        capture_output=True, text=True, env=env, check=False,
    )
    databases.drop(name)  # leave nothing large behind
    match = re.search(r"tps = ([\d.]+)", run.stdout)
    if not match:
        return None, f"pgbench gave no TPS: {run.stderr[-300:]}"
    return float(match.group(1)), f"pgbench -c {clients} -j 2 -T {seconds}, scale 10"


def one_query_view(host: tuple[str, int], *, clients: int, seconds: float) -> Load:
    def unit(index: int):
        client = Client(host)

        def get() -> None:
            client.timed_get("/bench/one-query/")

        return get

    return concurrently(unit, clients=clients, seconds=seconds)
