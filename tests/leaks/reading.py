"""Reading everything each account can reach: the API (from the OpenAPI document), the pages
(crawled), the notes' resync over a real WebSocket, the trail's exports, and the e-mails sent."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time
from collections import deque
from dataclasses import replace

from django.core import mail
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from agencies import policy
from agencies.models import SharingAgreement
from audit.models import Event
from privacy.api.retention import REVIEW_STATUSES
from privacy.models import (
    LegalHold,
    RetentionReview,
    RetentionSchedule,
    SubjectAccessItem,
    SubjectAccessRequest,
)
from referral import access
from referral.models import Disclosure
from reports.sections import REPORTS
from tests.agencies.factories import sign_in_verified
from tests.tokens import ticket_for, token_for

from .judge import (
    SUBJECT_ACCESS_BUNDLE,
    SUBJECT_ACCESS_READ,
    TRAIL,
    Finding,
    Hunt,
    Reader,
)
from .pages import workspace_pages

HREF = re.compile(r"""href=["']([^"'#]+)""")
SKIP = ("/static/", "/accounts/logout", "logout", "/claim/", "/release/", "/read/", "/admin/",
        "/api/docs", "/api/schema", "/media/",
        # The case file as a PDF holds the sections its page shows, which the hunt reads;
        # what each agency's PDF holds is read back as text in tests/referral/test_case_file.py.
        "case-file")
# A list sorted another way shows the same rows: the crawl follows each list once.
RESORTED = re.compile(r"[?&](sort|order)=")


def readers_of(memberships) -> list[Reader]:
    """Each account as the policy sees it now: the cases and meetings of its agency."""
    from django.db.models import Q

    from conferences.models import Conference

    out = []
    for m in memberships:
        # An auditor reads the trail (oversight: every agency's; elsewhere: its agency's part).
        auditor = policy.may(m, "read_audit_trail") or (
            "auditor" in m.roles and policy.may(m, "read_agency_trail"))
        cases = frozenset(access.group_case_permissions(m.agency.group_id)
                          .values_list("content_object_id", flat=True))
        conferences = frozenset(Conference.objects.filter(
            Q(invited_agencies=m.agency) | Q(coordinator=m.agency)).values_list("pk", flat=True))
        out.append(Reader(m.user.get_username(), m, m.agency.slug, cases, conferences,
                          auditor))
    return out


def decisions_of(changes) -> list:
    """What an event's changes record as its decision (`policy.TRAIL_DECISION_KEYS`): on the
    trail, auditors read it as they read reasons."""
    if not isinstance(changes, dict):
        return []
    return [changes[k] for k in policy.TRAIL_DECISION_KEYS if k in changes]


class Ids:
    """Every id of every kind the population made, plus one past the last (a guess)."""

    def __init__(self):
        from conferences.models import AgendaItem, Conference, Note
        from evidence.models import EvidenceFile
        from referral.models import Referral
        from workflows.models import AgencyTask

        def with_guess(values):
            values = sorted(values)
            return values + [(values[-1] if values else 0) + 1]

        self.referrals = with_guess(Referral.objects.values_list("pk", flat=True))
        self.tasks = with_guess(AgencyTask.objects.values_list("pk", flat=True))
        self.conferences = with_guess(Conference.objects.values_list("pk", flat=True))
        self.items = list(AgendaItem.objects.values_list("conference_id", "pk"))
        self.items.append((self.conferences[0], max([i for _, i in self.items] or [0]) + 1))
        self.notes = list(Note.objects.values_list("conference_id", "pk"))
        self.task_agency = dict(AgencyTask.objects.values_list("pk", "agency__slug"))
        self.evidence = with_guess(EvidenceFile.objects.values_list("pk", flat=True))
        self.agreements = list(SharingAgreement.objects.values_list("pk", flat=True))
        # The data-protection surfaces' own ids.
        self.reviews = with_guess(RetentionReview.objects.values_list("pk", flat=True))
        self.schedules = list(RetentionSchedule.objects.values_list("pk", flat=True))
        self.holds = with_guess(LegalHold.objects.values_list("pk", flat=True))
        self.requests = with_guess(SubjectAccessRequest.objects.values_list("pk", flat=True))
        items = list(SubjectAccessItem.objects.values_list("request_id", "pk").order_by("pk"))
        self.request_items = items
        # Of each request, its first item; one of another request's; and a guess.
        firsts: dict[int, int] = {}
        for request, item in items:
            firsts.setdefault(request, item)
        self.some_items = list(firsts.items())
        if len(firsts) > 1:
            (one, _), (_, other) = self.some_items[:2]
            self.some_items.append((one, other))
        self.some_items.append((self.requests[0], max((i for _, i in items), default=0) + 1))
        # The disclosures made outside any agreement (the others show the same page).
        self.outside = list(
            Disclosure.objects.filter(outside_agreement=True).values_list("referral_id", "pk"))
        if self.outside:
            self.outside.append((self.referrals[0], self.outside[0][1]))


class Sweep:
    """One account's reads, each checked by the hunt; sensitive reads checked for their event."""

    def __init__(self, hunt: Hunt, reader: Reader, ids: Ids, *, full: bool, page_limit: int):
        self.hunt, self.reader, self.ids, self.full = hunt, reader, ids, full
        self.page_limit = page_limit
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(reader.membership.user)}")
        self.web = Client()
        if reader.membership.demo_account:
            self.web.force_login(reader.membership.user)
        else:
            sign_in_verified(self.web, reader.membership.user)

    # --- one read ---------------------------------------------------------------------------

    def read(self, client, surface: str, url: str):
        before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
        started = time.monotonic()
        response = client.get(url)
        self.hunt.cost[self.hunt.pattern(url)] += time.monotonic() - started
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content).decode()
        elif response.get("Content-Type", "").startswith("application/pdf"):
            pages = PdfReader(io.BytesIO(response.content)).pages
            body = " ".join(" ".join(p.extract_text() for p in pages).split())
        else:
            body = response.content.decode(errors="replace")
        if url.startswith("/api/v1/audit/") and response.status_code == 200:
            sensitive = self._trail(surface, url, body)
        else:
            sensitive = self.hunt.check(self.reader, surface, url, body)
        if sensitive and response.status_code == 200:
            logged = {
                (e.referral_id, SUBJECT_ACCESS_READ if e.verb.startswith("subject_access")
                 else e.changes.get("section"))
                for e in Event.objects.filter(
                    id__gt=before, verb__in=("section.read", "subject_access.records_read"),
                    actor=self.reader.membership.user)
            }
            for reads in sensitive:
                if not reads & logged:
                    self.hunt.unlogged(self.reader, surface, url, reads)
        if SUBJECT_ACCESS_BUNDLE.search(url) and response.status_code == 200 and not (
                Event.objects.filter(id__gt=before, verb="subject_access.bundle_downloaded",
                                     actor=self.reader.membership.user).exists()):
            self.hunt.findings.append(Finding(
                self.reader.username, surface, url, SUBJECT_ACCESS_READ,
                "a subject access bundle downloaded with no event", "unlogged"))
        return response, body

    def _trail(self, surface: str, url: str, body: str):
        """Trail responses apart: reasons (auditors may read them) and everything else."""
        if "format=csv" in url:
            rows = list(csv.DictReader(io.StringIO(body)))
        elif "format=jsonl" in url:
            rows = [json.loads(line) for line in body.splitlines() if line.strip()]
        else:
            data = json.loads(body)
            rows = data.get("results", data if isinstance(data, list) else [])
        for row in rows:  # CSV carries the changes as a JSON string
            if isinstance(row.get("changes"), str):
                row["changes"] = json.loads(row["changes"] or "{}")
        reasons = "\n".join(
            [str(r.get("reason", "")) for r in rows]
            + [str(v) for r in rows for v in decisions_of(r.get("changes"))]
        )
        rest = json.dumps([
            {**{k: v for k, v in r.items() if k not in ("reason", "changes")},
             "changes": {k: v for k, v in (r.get("changes") or {}).items()
                         if k not in policy.TRAIL_DECISION_KEYS}}
            for r in rows
        ], default=str)
        trail = TRAIL + "-" + surface
        sensitive = self.hunt.check(self.reader, trail, url, rest, trail_reasons="")
        sensitive += self.hunt.check(self.reader, trail, url, reasons, trail_reasons=reasons,
                                     count=False)
        return sensitive

    # --- (a) the API, from its OpenAPI document ---------------------------------------------

    def api_urls(self) -> list[str]:
        response = self.api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        schema = json.loads(response.content)
        ids, urls = self.ids, []
        for path, operations in sorted(schema["paths"].items()):
            if "get" not in operations or any(s in path for s in SKIP):
                continue
            names = re.findall(r"{(\w+)}", path)
            if not names:
                fills = [{}]
            elif names == ["referral_id"]:
                fills = [{"referral_id": r} for r in ids.referrals]
            elif names == ["task_id"]:
                tasks = ids.tasks if self.full else [
                    t for t in ids.tasks
                    if ids.task_agency.get(t) in (self.reader.agency, None)] + ids.tasks[::7]
                fills = [{"task_id": t} for t in sorted(set(tasks))]
            elif names == ["conference_id"]:
                fills = [{"conference_id": c} for c in ids.conferences]
            elif names == ["conference_id", "item_id"]:
                fills = [{"conference_id": c, "item_id": i} for c, i in ids.items]
            elif names == ["conference_id", "note_id"]:
                fills = [{"conference_id": c, "note_id": n} for c, n in ids.notes]
            elif names == ["evidence_id"]:
                fills = [{"evidence_id": e} for e in ids.evidence]
            elif names == ["agreement_id"]:
                # Agreements hold no case content: every one, readable by the reader or not.
                fills = [{"agreement_id": a} for a in ids.agreements]
            elif names == ["review_id"]:
                fills = [{"review_id": r} for r in ids.reviews]
            elif names == ["schedule_id"]:
                fills = [{"schedule_id": s} for s in ids.schedules]
            elif names == ["request_id"]:
                fills = [{"request_id": r} for r in ids.requests]
            elif names == ["key"]:
                # Every report, readable or not: one the reader may not open must answer 404.
                fills = [{"key": key} for key in REPORTS]
            else:
                continue  # BASELINE-TEMP
            for fill in fills:
                url = path
                for name, value in fill.items():
                    url = url.replace("{" + name + "}", str(value))
                urls += self._variants(url)
        return urls

    def _variants(self, url: str) -> list[str]:
        if url == "/api/v1/tasks/":
            return [f"{url}?scope={s}&page_size=500" for s in ("mine", "queue", "overdue")]
        if url == "/api/v1/audit/events/":
            return [f"{url}?page_size=500"] + [f"{url}?referral={r}&page_size=500"
                                               for r in self.ids.referrals]
        if url == "/api/v1/audit/events/export/":
            out = [f"{url}?format=csv", f"{url}?format=jsonl"]
            if self.full:
                out += [f"{url}?format=csv&referral={r}" for r in self.ids.referrals]
            return out
        if url == "/api/v1/audit/access/":
            return [f"{url}?section={s}&page_size=500" for s in sorted(policy.SENSITIVE_SECTIONS)]
        if url.endswith("/notes/"):
            return [f"{url}?since=0"]
        if url == "/api/v1/retention/reviews/":
            return [f"{url}?status={s}&page_size=500" for s in REVIEW_STATUSES]
        if url.endswith("/") and url.count("/") <= 4:  # a list
            return [f"{url}?page_size=500"]
        return [url]

    def sweep_api(self) -> None:
        for url in self.api_urls():
            surface = "export" if "/export/" in url else "api"
            response, body = self.read(self.api, surface, url)
            pages = 0
            while surface == "api" and response.status_code == 200 and pages < 20:
                try:
                    data = json.loads(body)
                except ValueError:
                    break
                nxt = data.get("next") if isinstance(data, dict) else None
                if not nxt:
                    break
                pages += 1
                nxt = re.sub(r"^https?://[^/]+", "", nxt)
                response, body = self.read(self.api, surface, nxt)

    # --- (b) the pages, crawled from the menu, and every detail page --------------------------

    def page_urls(self) -> list[str]:
        return ["/"] + workspace_pages(self.ids, agency=self.reader.agency, full=self.full,
                                       skip=lambda url: any(s in url for s in SKIP))

    def sweep_pages(self) -> None:
        # The pages read directly, then as many more as the limit allows, crawled from them.
        queue, seen, crawled = deque(self.page_urls()), set(), 0
        limit = len(queue) + self.page_limit
        while queue and crawled < limit:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            crawled += 1
            surface = TRAIL + "-page" if url.startswith("/workspace/audit/") else "page"
            response, body = self.read(self.web, surface, url)
            found = [response["Location"]] if response.status_code in (301, 302) else []
            found += HREF.findall(body)
            for link in found:
                link = re.sub(r"^https?://(testserver|127\.0\.0\.1)(:\d+)?", "", link)
                if not link.startswith("/") or link.startswith("//") or RESORTED.search(
                        link) or any(s in link for s in SKIP):
                    continue
                if link not in seen:
                    queue.append(link.replace("&amp;", "&"))


# --- (c) the notes' resync over a real WebSocket ---------------------------------------------


def sweep_sockets(hunt: Hunt, readers: list[Reader], conferences: list[int],
                  server) -> dict[str, int]:
    """Each account opens each meeting's socket, asks for a resync from 0, and keeps what it
    is sent until the socket is quiet (or it is closed: 4403 for those who may not attend)."""
    import websockets

    from tests.threads import run_scenario

    gate = asyncio.Semaphore(6)  # a handful at once: daphne answers each from its thread pool

    async def one(reader: Reader, conference: int):
        frames, outcome = [], "open"
        async with gate:
            # A ticket is good once, for a minute: taken when the socket is about to open.
            ticket = ticket_for(reader.membership.user)
            url = f"{server.ws_url}/ws/conferences/{conference}/?ticket={ticket}"
            try:
                async with websockets.connect(url, open_timeout=20) as ws:
                    await ws.send(json.dumps({"type": "resync", "since": 0}))
                    # The first frame may wait on a busy machine; after it, a quiet socket
                    # has said all it will.
                    while True:
                        frames.append(await asyncio.wait_for(ws.recv(), 0.8 if frames else 10))
            except TimeoutError:
                outcome = "open" if frames else "silent"
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                outcome = "open" if frames and code != 4403 else f"closed {code}"
            except Exception as exc:  # noqa: BLE001 - reported as not covered
                outcome = f"failed {exc!r}"
        return reader, conference, frames, outcome

    async def scenario():
        return await asyncio.gather(*[one(r, c) for r in readers for c in conferences])

    outcomes: dict[str, int] = {}
    for reader, conference, frames, outcome in run_scenario(scenario):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        hunt.check(reader, "socket", f"ws /ws/conferences/{conference}/ resync",
                   "\n".join(frames))
    return outcomes


# --- (d) the e-mails sent --------------------------------------------------------------------


def sweep_emails(hunt: Hunt, readers: list[Reader]) -> int:
    by_email = {r.membership.user.email.lower(): r for r in readers if r.membership.user.email}
    checked = 0
    for message in mail.outbox:
        for to in message.to:
            reader = by_email.get(to.lower())
            if reader is None:
                continue
            checked += 1
            # Judged against the cases its agency could see when it was sent: the involvement
            # the message came from may have ended since.
            then = replace(reader, cases=reader.cases | hunt.ended.get(reader.agency, set()))
            hunt.check(then, "email", f"mail to {to}: {message.subject[:40]}",
                       f"{message.subject}\n{message.body}")
    return checked
