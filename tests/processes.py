"""`manage.py` in a process of its own, under the environment a test gives it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env_overrides: dict[str, str | None]):
    hidden = ("DATABASE_URL", "REDIS_URL", "CONCORD_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "CONCORD_ENV": "production",
    "SECRET_KEY": "x7!Kp2#vQ9@mZ4$wL8^nR3&tY6*bH1(cJ5)dF0_gS-eA+uI=oP~" + "kM",
    "FIELD_ENCRYPTION_KEYS": "MtJX7cVZ1ToiFFqEv5jWhxAIlAdPDywCTlkGLTZI1nE=",
    "ALLOWED_HOSTS": "concord.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
