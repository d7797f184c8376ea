"""Which pages each account reads directly: every workspace URL pattern, its ids filled from
the population's (and one past the last, a guess), whether the account may open it or not.

A pattern whose path parameters the hunt does not know fails the hunt, as the API's do: a new
page is read, or named here as one the crawl reaches from the pages that link to it.
"""

from __future__ import annotations

import re

from django.urls import URLResolver, get_resolver

from reports.sections import REPORTS

# Pages left to the crawl: a case's forms, reached from the case's page by those who may open
# it (filling some 40 form routes with every case for every account would add about 15,000
# page reads to the full hunt and more time than CI has); a meeting's forms; the reports, whose
# figures are aggregates (their API is read with every key).
CRAWLED = re.compile(
    r"^/workspace/(referrals/\{referral_id\}/(?!timeline/$|sharing/$|sharing/\{).+"
    r"|conferences/\{conference_id\}/(edit|cancel|agenda)/$"
    r"|reports/\{key\}/)"
)
# Pages under a case named by a second id (an offence, a hearing, an order, a file...): those
# reached by the crawl alone; the records themselves are read on the API with every case id.
NESTED_RECORDS = frozenset({"offence_id", "hearing_id", "application_id", "order_id",
                            "person_id", "evidence_id"})
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def workspace_routes() -> list[str]:
    """Every page under /workspace/, its parameters as `{name}`, sorted."""
    return sorted({"/" + ROUTE_PARAMETER.sub(r"{\1}", r) for r in _routes(
        get_resolver().url_patterns) if r.startswith("workspace/")})


def workspace_pages(ids, *, agency: str, full: bool, skip) -> list[str]:
    """The workspace's pages with their ids filled for an account of `agency` (tasks of its own
    agency only when reduced), but those left to the crawl; `skip(url)` says which the hunt
    never reads."""
    tasks = ids.tasks if full else [t for t in ids.tasks if ids.task_agency.get(t) == agency]
    fills = {
        (): [{}],
        ("referral_id",): [{"referral_id": r} for r in ids.referrals],
        ("referral_id", "disclosure_id"): [
            {"referral_id": r, "disclosure_id": i} for r, i in ids.outside],
        ("task_id",): [{"task_id": t} for t in tasks],
        ("conference_id",): [{"conference_id": c} for c in ids.conferences],
        ("key",): [{"key": k} for k in REPORTS],
        ("agreement_id",): [{"agreement_id": a} for a in ids.agreements],
        ("review_id",): [{"review_id": r} for r in ids.reviews],
        ("schedule_id",): [{"schedule_id": s} for s in ids.schedules],
        ("hold_id",): [{"hold_id": h} for h in ids.holds],
        ("request_id",): [{"request_id": r} for r in ids.requests],
        ("request_id", "item_id"): [
            {"request_id": r, "item_id": i}
            for r, i in (ids.request_items if full else ids.some_items)],
    }
    urls = []
    for route in workspace_routes():
        if skip(route) or CRAWLED.match(route):
            continue
        names = tuple(re.findall(r"{(\w+)}", route))
        if NESTED_RECORDS & set(names):
            continue
        if names not in fills:
            raise AssertionError(f"the hunt does not know how to fill the page {route}")
        for fill in fills[names]:
            url = route
            for name, value in fill.items():
                url = url.replace("{" + name + "}", str(value))
            urls.append(url)
    return urls
