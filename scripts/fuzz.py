"""`make fuzz`: schemathesis against a live `manage.py serve`, signed in as three roles.

A scratch database (PostgreSQL `<name>_fuzz` beside DATABASE_URL's, dropped and made again; a
temporary SQLite file without PostgreSQL) gets the migrations and the demo accounts; the server
runs on a free port; each role's token comes from `POST /api/v1/auth/token/` (the API's
contract, whatever stores tokens); schemathesis then runs every operation of the OpenAPI
document with the `not_a_server_error`, `status_code_conformance` and
`response_schema_conformance` checks: no answer may be a 500, every status answered must be one
the document declares, and every body must fit the schema the document declares for it. Phases
FUZZ_PHASES (default: the document's examples, the coverage phase's boundary and negative cases,
then FUZZ_EXAMPLES random examples per operation, 4 by default): about three minutes for the
three roles. Exits non-zero on any failure.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
DEMO_PASSWORD = "demo-pass-fuzz-2026"
# Three roles: a caseworker of a referring agency, the hub's chair, the oversight auditor.
ROLES = ("police.caseworker", "hub.chair", "oversight.auditor")
# Operations that end the caller's own sign-in would turn the rest of its run into 401s.
EXCLUDE_PATHS = r"/auth/(logout|tokens?/.+|sessions?/)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgresql(url: str, *statements: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
        password=parsed.password, dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    admin.close()


def scratch_database(env: dict[str, str], workdir: Path) -> str:
    """A fresh, empty database for this run; its URL."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_fuzz"
    _postgresql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path="/" + name))


def drop_scratch_database(url: str) -> None:
    if url.startswith(("postgres://", "postgresql://")):
        name = urlparse(url).path.lstrip("/")
        _postgresql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("fuzz: the server did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("fuzz: the server did not start in 60 s")


def token(base: str, username: str) -> str:
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())["token"]


def fuzz(base: str, role: str, key: str, workdir: Path) -> int:
    print(f"--- schemathesis as {role} ---", flush=True)
    command = [
        SCHEMATHESIS, "run", f"{base}/api/schema/",
        "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
        "--header", f"Authorization: Token {key}",
        "--max-examples", os.environ.get("FUZZ_EXAMPLES", "4"),
        "--phases", os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing"),
        "--exclude-path-regex", EXCLUDE_PATHS,
        "--workers", "1",
        "--seed", os.environ.get("FUZZ_SEED", "30"),
        "--generation-database", "none",
        "--request-timeout", "30",
        "--no-color",
        "--report", "junit",
        "--report-junit-path", str(workdir / f"{role}.xml"),
    ]
    # In the scratch folder: schemathesis keeps a cache of the failures it found beside it.
    return subprocess.run(command, cwd=workdir, check=False).returncode  # noqa: S603


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="concord-fuzz-"))
    env = {
        **os.environ,
        "CONCORD_ENV": "development",
        "DEBUG": "false",
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "CONCORD_VAR_DIR": str(workdir),
        "CACHE_KEY_PREFIX": "fuzz",
        "CHANNEL_PREFIX": f"fuzz-{os.getpid()}",
        # Sign-in failures the fuzzer provokes must not lock the three roles out.
        "AXES_FAILURE_LIMIT": "1000000",
    }
    env.pop("CONCORD_TESTING", None)
    env["DATABASE_URL"] = scratch_database(env, workdir)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    failed = []
    try:
        keys = {role: token(base, role) for role in ROLES}
        for role in ROLES:
            if fuzz(base, role, keys[role], workdir) != 0:
                failed.append(role)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        drop_scratch_database(env["DATABASE_URL"])
    shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print(f"fuzz: failures as {', '.join(failed)} (see above)", file=sys.stderr)
        return 1
    print(f"fuzz: no server error, every status and body as declared, as {', '.join(ROLES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
