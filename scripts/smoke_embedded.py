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
auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

# The search's plain fallback (no pg_trgm, no full text): accents, case, word order and aliases.
from tests.referral.factories import payload  # noqa: E402

body = payload(victim={"name": "Zoë Adams", "date_of_birth": "1991-03-02"},
               suspect={"name": "John Smith", "date_of_birth": "1972-05-05",
                        "aliases": ["Johnny Blade"]})
response = client.post("/api/v1/referrals/", body, content_type="application/json", **auth)
assert response.status_code == 201, response.content
reference = response.json()["reference"]
for query in ("zoe", "ADAMS, Zoë", "johnny blade", "smith", reference, reference[-6:]):
    response = client.get("/api/v1/referrals/", {"q": query}, **auth)
    assert response.status_code == 200, response.content
    found = [row["reference"] for row in response.json()["results"]]
    assert found == [reference], (query, found)
response = client.get("/api/v1/referrals/", {"q": "Wilhelmina"}, **auth)
assert response.json()["results"] == [], response.content

# What happened after referral, on SQLite too: an offence, an order and its breach (an offence
# and its enforcement), the victim's voice; then the detail, each app's GET and the case page.
from datetime import timedelta  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

case = client.post("/api/v1/referrals/", payload(offences=[{"kind": "pha_s4a"}]),
                   content_type="application/json", **auth).json()
base = f"/api/v1/referrals/{case['id']}/"
today = timezone.localdate()
order = client.post(base + "orders/", {"kind": "restraining_order", "conditions": "No contact",
                                       "starts": (today - timedelta(days=5)).isoformat()},
                    content_type="application/json", **auth)
assert order.status_code == 201, order.content
breach = client.post(base + "incidents/", {
    "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(), "behaviours": ["texts"],
    "description": "Texted.", "breach_of_order": order.json()["id"],
}, content_type="application/json", **auth)
assert breach.status_code == 201, breach.content
wishes = client.post(base + "victim-voice/wishes/",
                     {"wishes": "To be kept informed.", "supports_prosecution": None},
                     content_type="application/json", **auth)
assert wishes.status_code == 201, wishes.content
for path in ("", "offences/", "court/", "orders/", "assessments/", "interventions/",
             "victim-voice/", "contacts/", "others-at-risk/"):
    response = client.get(base + path, **auth)
    assert response.status_code == 200, (path, response.content)
detail = client.get(base, **auth).json()
assert {o["kind"] for o in detail["offences"]} == {"pha_s4a", "pha_s5_5"}, detail["offences"]
assert detail["victim_voice"]["wishes"]["wishes"] == "To be kept informed."
client.force_login(get_user_model().objects.get(username="police.caseworker"))
page = client.get(f"/workspace/referrals/{case['id']}/")
assert page.status_code == 200 and b"Breach of a restraining order" in page.content
print("embedded default smoke: migrate, seed twice, sign in, one request, search, the practice "
      "records: ok")
