"""The embedded default works: migrate and seed into a fresh SQLite file, then one request."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), settings.DATABASES
assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer")
call_command("migrate", "--noinput", verbosity=0)
call_command("seed_demo", verbosity=0)
call_command("seed_demo", verbosity=0)  # idempotent
client = Client()
response = client.post(
    "/api/v1/auth/token/",
    {
        "username": "police.caseworker",
        "password": os.environ.get("DEMO_PASSWORD", "demo-pass-2026"),
    },
    content_type="application/json",
)
assert response.status_code == 200, response.content
token = response.json()["token"]
response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
assert response.status_code == 200 and response.json()["agency"] == "police", response.content
print("embedded default smoke: migrate, seed twice, sign in, one request: ok")
