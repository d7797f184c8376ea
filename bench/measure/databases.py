"""The benchmark's own databases: migrated once into a template, copied, filled, switched to.

Every name derives from the configured database (`concord_bench` -> `concord_bench_n500`), so a
benchmark never writes into the database it was started against.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.db import connection

from bench.generate import Summary, generate


def base_name() -> str:
    return connection.settings_dict["NAME"]


def _admin(sql: str) -> None:
    """Run CREATE/DROP DATABASE from the maintenance database (outside any transaction)."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(sql)


def recreate(name: str, *, template: str | None = None) -> None:
    connection.close()
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop(name: str) -> None:
    connection.close()
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def using(name: str) -> Iterator[None]:
    """Point the default connection (and every thread's new one) at another database."""
    old = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = old


def migrated_template(name: str) -> str:
    """An empty database with every migration applied, to copy caseloads into."""
    recreate(name)
    return migrated(name)


def migrated(name: str) -> str:
    """`name` with every migration applied: a reused caseload gets the indexes and columns
    added since. Then vacuumed, as autovacuum would leave a database in service after a
    migration that rewrote rows: its visibility map cleared, index-only scans read the heap."""
    with using(name):
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return name


def with_caseload(name: str, *, template: str, referrals: int, seed: int, log) -> Summary:
    recreate(name, template=template)
    with using(name):
        return generate(referrals=referrals, seed=seed, log=log)


def url_of(name: str) -> str:
    """A DATABASE_URL for another process (a server, pgbench) to reach this database."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{name}"
