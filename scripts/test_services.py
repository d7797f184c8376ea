"""Decide which database and Redis the test suite uses, and say so.

Prints shell `export` lines for the Makefile. PostgreSQL and Redis are used when reachable
(DATABASE_URL / REDIS_URL, or the defaults 127.0.0.1:5432 user postgres and 127.0.0.1:6379);
otherwise SQLite and the in-memory layers. With CI=true an unreachable service is a failure.
"""

import os
import socket
import sys
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    lines, used = [], []
    if reachable(database_url, 5432):
        lines.append(f"export DATABASE_URL='{database_url}'")
        used.append(f"PostgreSQL at {urlparse(database_url).hostname}")
    elif ci:
        print(f"echo 'CI: PostgreSQL is not reachable at {database_url}' >&2; exit 1")
        return 0
    else:
        lines.append("unset DATABASE_URL")
        used.append("SQLite (PostgreSQL not reachable)")
    if reachable(redis_url, 6379):
        lines.append(f"export REDIS_URL='{redis_url}'")
        # Each run's channel groups apart from any other run's on the same Redis.
        lines.append(f"export CHANNEL_PREFIX='concord-test-{os.getpid()}'")
        used.append(f"Redis at {urlparse(redis_url).hostname}")
    elif ci:
        print(f"echo 'CI: Redis is not reachable at {redis_url}' >&2; exit 1")
        return 0
    else:
        lines.append("unset REDIS_URL")
        used.append("in-memory channel layer (Redis not reachable)")
    lines.append(f"echo 'Test suite uses: {', '.join(used)}'")
    print("; ".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
