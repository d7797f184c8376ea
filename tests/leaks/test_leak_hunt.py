"""The leak hunt: every account reads everything it can reach; no marker appears
where agencies/policy.py says that account may not read it, and every sensitive read is logged.

A population of cases (population.py) carries a unique marker in every field of every case.
Then each demo account, and a member of more agency kinds and roles, reads: every GET of the
OpenAPI document with every id (its own cases and others'), the pages crawled from `/` plus every
detail page, the notes' resync over a real WebSocket (a daphne process), the minutes, the trail's
CSV and JSON Lines exports, its notifications, and the e-mails it was sent. All findings are
collected and reported at once, grouped by kind.

Reduced by default (one round of cases, the demo accounts plus a few non-content roles); the
full hunt with CONCORD_LEAK_HUNT=full (three rounds, a member of every kind and role, every id
on every surface): `make leak-hunt`.
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import replace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from pypdf import PdfReader

from agencies.models import Agency, Role
from agencies.services import member_create
from audit.models import Event
from conferences.models import Conference
from tests.conferences.live import Server
from victims.selectors import WITHHELD

from . import data_protection
from .judge import Hunt
from .population import Population
from .reading import Ids, Sweep, decisions_of, readers_of, sweep_emails, sweep_sockets

FULL = os.environ.get("CONCORD_LEAK_HUNT", "").lower() == "full"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live, pytest.mark.leak_hunt]

# Kinds and roles beyond the demo accounts: reduced, those whose roles see no case content.
# A DPO of another agency than the demo's: another agency's subject access requests are 404.
REDUCED_EXTRA = [("police", Role.ADMIN), ("hub", Role.AUDITOR), ("oversight", Role.ADMIN),
                 ("ftac", Role.SUPERVISOR), ("police", Role.DPO)]


def _extra_members(demo) -> None:
    """A member of each agency kind and role not among the demo accounts (reduced: a few)."""
    wanted = ([(a.slug, role) for a in Agency.objects.all() for role in Role.values]
              if FULL else REDUCED_EXTRA)
    have = {(m.agency.slug, role) for m in demo.values() for role in m.roles}
    for slug, role in wanted:
        if (slug, role) in have:
            continue
        username = f"{slug}.{role}.hunt"
        try:
            demo[username] = member_create(
                agency=Agency.objects.get(slug=slug), username=username,
                password="a-long-hunt-password", roles=[role],
                email=f"{username}@example.org")
        except ValidationError:
            continue  # a role this kind of agency may not hold


def _consent_narrowing(demo, population) -> list[str]:
    """What the victim gave under consent, read by a kind outside that consent (the hub, on
    case H of each round) on the case's detail, page, PDF, timeline and victim's voice: never
    there (withheld on the voice), while police read it. The sweep reads all but the PDF too;
    this reads each surface by name, so that the narrowing is exercised, not assumed."""
    found: list[str] = []
    registry = population.registry
    for key, rid in population.ids.items():
        narrowed = {m for m in registry.consented
                    if registry.markers[m][0].case == key
                    and "coordinator" not in registry.markers[m][0].consented_kinds}
        if not narrowed:
            continue
        hub, police = Client(), Client()
        hub.force_login(demo["hub.caseworker"].user)
        police.force_login(demo["police.caseworker"].user)
        api = f"/api/v1/referrals/{rid}/"
        page = f"/workspace/referrals/{rid}/"
        voice = hub.get(f"{api}victim-voice/")
        if voice.status_code != 200 or voice.json()["wishes"]["wishes"] != WITHHELD:
            found.append(f"hub on {key}: the victim's voice is not withheld ({voice.status_code})")
        pdf = hub.get(f"{page}case-file.pdf")
        pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
            b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)).pages)
        bodies = {
            "detail": hub.get(api).content.decode(),
            "page": hub.get(page).content.decode(),
            "timeline": hub.get(f"{api}timeline/").content.decode(),
            "victim-voice": voice.content.decode(),
            "pdf": " ".join(pdf_text.split()).lower(),
        }
        for surface, body in bodies.items():
            found += [f"hub on {key}: {m} (given under consent) on the {surface}"
                      for m in narrowed if m in body]
        shown = police.get(f"{api}victim-voice/").content.decode()
        if not narrowed <= {m for m in narrowed if m in shown}:
            found.append(f"police on {key}: the consented wishes are not shown")
        if WITHHELD not in bodies["page"]:
            found.append(f"hub on {key}: the page does not say the wishes are withheld")
    if not found and not any(
            "coordinator" not in registry.markers[m][0].consented_kinds
            for m in registry.consented):
        found.append("no case's consent leaves a kind that reads the victim's voice out")
    return found


def test_no_marker_reaches_an_account_the_policy_bars(demo, tmp_path, record_property,
                                                    evidence_storage):
    started = time.monotonic()
    mail.outbox = []
    _extra_members(demo)
    population = Population(demo, rounds=3 if FULL else 1)
    hunt = Hunt(population)

    def answered(username, url, status, body):
        """What the population's own requests were answered (duplicates, linking warnings,
        tasks), against what the account's agency may see at that moment."""
        [reader] = readers_of([demo[username]])
        # The request itself may end the agency's involvement (a decline approved, a case
        # closed): what it answers is judged by what the agency could see when it asked.
        left = set(Event.objects.filter(verb="access.revoked", changes__agency=reader.agency)
                   .values_list("referral_id", flat=True))
        then = replace(reader, cases=reader.cases | left)
        hunt.check(then, "api-post", f"POST {url} -> {status}", body)

    population.on_response = answered
    population.build()
    data_protection.build(population)
    built = time.monotonic()

    for slug, referral in Event.objects.filter(verb="access.revoked").values_list(
            "changes__agency", "referral_id"):
        hunt.ended.setdefault(slug, set()).add(referral)
    for reason, changes in Event.objects.values_list("reason", "changes"):
        words = " ".join([reason, *map(str, decisions_of(changes))]).split()
        hunt.reason_markers.update(m.lower() for m in words if m.lower().startswith("mkr"))
    readers = readers_of(demo.values())
    ids = Ids()

    timing = {"population": built - started}
    for reader in readers:
        # Beyond the pages read directly, how many more the crawl follows.
        sweep = Sweep(hunt, reader, ids, full=FULL, page_limit=500 if FULL else 100)
        t = time.monotonic()
        sweep.sweep_api()
        timing["api"] = timing.get("api", 0) + time.monotonic() - t
        t = time.monotonic()
        sweep.sweep_pages()
        timing["pages"] = timing.get("pages", 0) + time.monotonic() - t
    emails = sweep_emails(hunt, readers)
    t = time.monotonic()
    server = Server()
    timing["server start"] = time.monotonic() - t
    t = time.monotonic()
    try:
        sockets = sweep_sockets(hunt, readers, list(Conference.objects.values_list(
            "pk", flat=True)), server)
    finally:
        server.stop()
    timing["sockets"] = time.monotonic() - t

    markers = len(population.registry.markers)
    responses = sum(hunt.responses.values())
    counts = (
        f"leak hunt ({'full' if FULL else 'reduced'}): {markers} markers "
        f"({len(population.ids)} cases and meetings, {len(population.references)} references) x "
        f"{len(readers)} accounts x {len(hunt.responses)} surfaces; {responses} responses "
        f"checked ({', '.join(f'{s} {n}' for s, n in sorted(hunt.responses.items()))}); "
        f"{hunt.marker_checks} marker checks; {emails} e-mails, sockets {sockets}; "
        f"markers found where allowed: {sum(hunt.found_allowed.values())}; "
        f"findings: {len(hunt.findings)}; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items())
        + f", total {time.monotonic() - started:.1f} s"
    )
    # A marker no account was ever shown tests nothing: named, so that a population change
    # that stops showing a field is seen.
    unseen = sorted(g.describe(population.ids) for m, grants in population.registry.markers.items()
                    if m not in hunt.seen for g in grants[:1])
    counts += f"; markers never shown where allowed: {len(unseen)}"
    (tmp_path / "leak-hunt-counts.txt").write_text(
        counts + "\n\nNever shown where allowed:\n  " + "\n  ".join(unseen) + "\n\n"
        + hunt.report(10**6))
    record_property("leak_hunt_counts", counts)
    print("\n" + counts)
    print("never shown where allowed: " + ", ".join(unseen))
    print("slowest reads: " + ", ".join(f"{p} {s:.1f} s" for p, s in hunt.cost.most_common(8)))
    print(f"(the whole list: {tmp_path / 'leak-hunt-counts.txt'})")

    narrowing = _consent_narrowing(demo, population)
    assert not narrowing, "\n".join(narrowing)
    # The hunt must have seen the material it hunts for, or a clean result means nothing.
    assert sum(hunt.found_allowed.values()) > markers, counts
    assert sockets.get("open") and not [o for o in sockets if o.startswith(("failed", "silent"))], (
        f"the sockets were not all read: {sockets}")
    assert not hunt.findings, counts + "\n" + hunt.report()
