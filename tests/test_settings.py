"""Settings from the environment: production is hardened, the embedded default runs alone."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env_overrides: dict[str, str | None]):
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
    "ALLOWED_HOSTS": "concord.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_production_passes_check_deploy_with_no_warnings(check_deploy):
    assert check_deploy.returncode == 0, check_deploy.stdout + check_deploy.stderr
    assert "System check identified no issues" in check_deploy.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_overrides={**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_default_uses_sqlite_and_in_memory_layers(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND']);"
        "print(s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = _manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        env_overrides={"CONCORD_VAR_DIR": str(tmp_path), "DATABASE_URL": None, "REDIS_URL": None},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
    ]
    # The demo's secret key is generated once and kept.
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    _manage("check", env_overrides={"CONCORD_VAR_DIR": str(tmp_path), "DATABASE_URL": None})
    assert (tmp_path / "secret_key").read_text() == key


def test_redis_configures_channels_redis_with_encryption():
    code = (
        "from django.conf import settings as s;"
        "c=s.CHANNEL_LAYERS['default'];print(c['BACKEND']);"
        "print(bool(c['CONFIG']['symmetric_encryption_keys']));print(s.CELERY_BROKER_URL)"
    )
    result = _manage(
        "shell", "-v", "0", "-c", code, env_overrides={"REDIS_URL": "redis://127.0.0.1:6379/3"}
    )
    assert result.stdout.split() == [
        "conferences.channel_layer.MeetingChannelLayer",  # channels-redis pub/sub, decoding once
        "True",
        "redis://127.0.0.1:6379/3",
    ]
