"""The referral list and the timeline use the same number of queries for 1 row and for 200."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referral.models import (
    Incident,
    Person,
    ProtectiveOrder,
    Referral,
    ReferralAgencyPermission,
)

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx), response.json()


def _bulk_referrals(membership, n, start):
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="view_referral")
    rows = []
    for i in range(n):
        victim = Person.objects.create(name=f"Victim {start + i}")
        suspect = Person.objects.create(name=f"Suspect {start + i}")
        rows.append(
            Referral(
                reference=f"STK-2098-{start + i:06d}",
                referrer_agency=membership.agency,
                referred_by=membership.user,
                victim=victim,
                suspect=suspect,
            )
        )
    created = Referral.objects.bulk_create(rows)
    ReferralAgencyPermission.objects.bulk_create(
        [
            ReferralAgencyPermission(
                group=membership.agency.group, permission=perm, content_object=r
            )
            for r in created
        ]
    )


def test_referral_list_is_constant(demo, as_user):
    police = demo["police.caseworker"]
    client = as_user("police.caseworker")
    _bulk_referrals(police, 1, 0)
    one, body = _count(client, "/api/v1/referrals/?page_size=500")
    assert body["count"] == 1
    _bulk_referrals(police, 199, 1)
    many, body = _count(client, "/api/v1/referrals/?page_size=500")
    assert body["count"] == 200 and len(body["results"]) == 200
    assert one == many


def test_timeline_is_constant(submit, demo, as_user):
    police = demo["police.caseworker"]
    case = submit(orders=[{"kind": "bail_conditions", "conditions": "c", "starts": "2025-01-01"}])
    referral = Referral.objects.get(pk=case["id"])
    client = as_user("police.caseworker")
    url = f"/api/v1/referrals/{case['id']}/timeline/"

    def add(n):
        Incident.objects.bulk_create(
            [
                Incident(
                    referral=referral,
                    occurred_at=timezone.now() - timezone.timedelta(days=i + 1),
                    behaviours=["texts"],
                    description="d",
                    severity=1,
                    reporting_agency=police.agency,
                    recorded_by=police.user,
                    breach_of_order_id=case["orders"][0]["id"] if i % 2 else None,
                )
                for i in range(n)
            ]
        )

    add(1)
    one, body = _count(client, url)
    add(199)
    many, body = _count(client, url)
    assert len([e for e in body["entries"] if e["kind"] in ("incident", "breach")]) == 200
    assert one == many


def test_detail_is_constant(submit, demo, as_user):
    """However many incidents, orders and breaches a case has: the detail reads only the columns
    it shows, so a field left out would cost a query per row."""
    case = submit()
    referral = Referral.objects.get(pk=case["id"])
    police = demo["police.caseworker"]
    client = as_user("police.caseworker")
    url = f"/api/v1/referrals/{case['id']}/"
    one, _ = _count(client, url)
    orders = ProtectiveOrder.objects.bulk_create(
        [
            ProtectiveOrder(
                referral=referral,
                kind="restraining_order",
                conditions=f"No contact ({n})",
                starts=timezone.now().date(),
                agency=police.agency,
                recorded_by=police.user,
            )
            for n in range(5)
        ]
    )
    Incident.objects.bulk_create(
        [
            Incident(
                referral=referral,
                occurred_at=timezone.now(),
                behaviours=["texts"],
                description="d",
                severity=1,
                reporting_agency=police.agency,
                recorded_by=police.user,
                breach_of_order=orders[0] if n % 2 else None,
            )
            for n in range(100)
        ]
    )
    many, body = _count(client, url)
    assert len(body["incidents"]) == 100
    assert {i["reporting_agency"] for i in body["incidents"]} == {police.agency.slug}
    assert sum(1 for i in body["incidents"] if i["breach_of_order"] == orders[0].pk) == 50
    assert [(o["id"], o["breaches"], o["agency"]) for o in body["orders"]] == [
        (order.pk, 50 if order == orders[0] else 0, police.agency.slug) for order in orders
    ]
    assert one == many


def test_risk_never_goes_down_as_incidents_are_logged(submit, as_user):
    from referral.models import RISK_ORDER
    from tests.referral.factories import incident_body

    case = submit()
    client = as_user("police.caseworker")
    levels = []
    for days, behaviours in [(200, ["texts"]), (150, ["threats"]), (2, ["texts"]), (1, ["email"])]:
        client.post(
            f"/api/v1/referrals/{case['id']}/incidents/",
            incident_body(days, behaviours),
            format="json",
        )
        levels.append(client.get(f"/api/v1/referrals/{case['id']}/").json()["risk_level"])
    assert [RISK_ORDER[x] for x in levels] == sorted(RISK_ORDER[x] for x in levels)
    assert levels[-1] == "high"


def test_referral_list_count_comes_from_the_permission_index(demo, as_user):
    """The list's count is the agency's permission rows: equal to the cases it may see."""
    from referral.selectors import referral_list, referral_permissions

    police = demo["police.caseworker"]
    _bulk_referrals(police, 5, 0)
    client = as_user("police.caseworker")
    body = client.get("/api/v1/referrals/").json()
    assert body["count"] >= 5
    assert body["count"] == referral_list(membership=police).count()
    assert body["count"] == referral_permissions(membership=police).count()


def test_referral_list_page_carries_its_total_from_the_permission_index(demo, as_user):
    """One statement for the page and its total; the total a count of the permission rows,
    not a window over every visible case (which would read them all to show fifty)."""
    police = demo["police.caseworker"]
    _bulk_referrals(police, 3, 0)
    client = as_user("police.caseworker")
    client.get("/api/v1/referrals/")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/referrals/").json()
    [page] = [q["sql"] for q in ctx.captured_queries if 'FROM "referral_referral"' in q["sql"]]
    assert " OVER " not in page and "COUNT(*)" in page
    assert body["count"] == 3


def test_referral_list_pages_are_the_visible_cases_newest_first(demo, as_user):
    """The API's pages list what `referral_list` holds, in its order, each with the total."""
    from referral.selectors import referral_list

    police = demo["police.caseworker"]
    _bulk_referrals(police, 17, 0)
    client = as_user("police.caseworker")
    expected = list(referral_list(membership=police).values_list("reference", flat=True))
    seen, page = [], 1
    while True:
        response = client.get(f"/api/v1/referrals/?page_size=5&page={page}")
        if response.status_code == 404:
            break
        body = response.json()
        assert body["count"] == len(expected)
        seen += [row["reference"] for row in body["results"]]
        page += 1
    assert seen == expected and len(seen) >= 17
    # An agency that may see none of them lists none, with a count of 0.
    body = as_user("ftac.caseworker").get("/api/v1/referrals/").json()
    assert body["count"] == 0 and body["results"] == []


def test_detail_lists_its_own_incidents_and_escalates_on_the_linked_timeline(submit, as_user):
    from tests.referral.factories import incident_body

    a = submit(incidents=[incident_body(40)])
    b = submit(
        suspect={"name": "Robert Sample", "date_of_birth": "1975-02-11"},
        incidents=[incident_body(3, ["following"])],
        confirm_new=True, confirm_reason="A new matter.",
    )
    client = as_user("police.caseworker")
    detail = client.get(f"/api/v1/referrals/{b['id']}/").json()
    assert detail["linked"]["referrals"] == [{"id": a["id"], "reference": a["reference"]}]
    assert [i["id"] for i in detail["incidents"]] == list(
        Incident.objects.filter(referral_id=b["id"]).order_by("occurred_at", "id")
        .values_list("id", flat=True)
    )
    timeline = client.get(f"/api/v1/referrals/{b['id']}/timeline/").json()
    assert detail["escalation"] == timeline["escalation"]
    assert "following" in detail["escalation"]["figures"]["new_behaviours"]


def test_an_unlinked_referrals_timeline_is_its_own(demo, as_user):
    """A referral with no timeline id yet must not share one with every other such referral."""
    police = demo["police.caseworker"]
    _bulk_referrals(police, 2, 500)
    first, second = Referral.objects.filter(reference__startswith="STK-2098-0005").order_by("id")
    assert first.timeline_id is None and second.timeline_id is None
    for referral, text in ((first, "first"), (second, "second")):
        Incident.objects.create(referral=referral, occurred_at=timezone.now(), behaviours=["texts"],
                                description=text, severity=1, reporting_agency=police.agency,
                                recorded_by=police.user)
    client = as_user("police.caseworker")
    timeline = client.get(f"/api/v1/referrals/{first.pk}/timeline/").json()
    assert {e["referral"] for e in timeline["entries"]} == {first.reference}
    detail = client.get(f"/api/v1/referrals/{first.pk}/").json()
    assert [i["description"] for i in detail["incidents"]] == ["first"]


def test_an_unlinked_referrals_risk_is_raised_by_its_own_incidents_only(demo, as_user):
    """Logging an incident re-evaluates the signal over the case's own timeline: for a case not
    linked yet, its own incidents, not those of every other unlinked case."""
    from tests.referral.factories import incident_body

    police = demo["police.caseworker"]
    _bulk_referrals(police, 2, 600)
    first, second = Referral.objects.filter(reference__startswith="STK-2098-0006").order_by("id")
    for days in (10, 20, 30):
        Incident.objects.create(referral=second, occurred_at=timezone.now() - timedelta(days=days),
                                behaviours=["texts"], description="elsewhere", severity=1,
                                reporting_agency=police.agency, recorded_by=police.user)
    response = as_user("police.caseworker").post(
        f"/api/v1/referrals/{first.pk}/incidents/", incident_body(2),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["escalation"]["level"] == first.risk_level
    first.refresh_from_db()
    assert first.risk_level == Referral._meta.get_field("risk_level").default


@pytest.mark.django_db(transaction=True)
def test_a_case_detail_logs_its_sensitive_reads_in_one_statement_of_their_own(submit, as_user):
    """No BEGIN and COMMIT around the read events (two round trips more per case read): the
    INSERT is atomic on its own and committed before the answer leaves."""
    from agencies import policy
    from agencies.models import Membership
    from audit.models import Event

    case = submit()
    client = as_user("police.caseworker")
    before = Event.objects.order_by("-id").values_list("id", flat=True).first()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/referrals/{case['id']}/")
    assert response.status_code == 200
    logged = [q["sql"] for q in ctx.captured_queries]
    [insert] = [n for n, sql in enumerate(logged) if sql.startswith('INSERT INTO "audit_event"')]
    assert "BEGIN" not in logged[:insert]  # (the tests seal inline after it; servers in a thread)
    from referral.case_file import PRACTICE_SECTIONS

    police = Membership.objects.get(user__username="police.caseworker")
    # The practice sections are logged only when the case holds something in them: of them,
    # a stalking case holds from intake the victim's entitlement (the victim's voice).
    sensitive = set(policy.readable_sections(police)) & policy.SENSITIVE_SECTIONS
    sensitive -= PRACTICE_SECTIONS - {"victim_voice"}
    read = Event.objects.filter(verb="section.read", referral_id=case["id"], id__gt=before)
    assert sorted(e.changes["section"] for e in read) == sorted(sensitive)
    assert "victim_contact" in sensitive


def test_a_referral_writes_its_incidents_and_their_events_in_one_insert_each(as_user):
    """A referral brings its history: one INSERT for its incidents and one for their events,
    whether it brings one or three, each event naming its incident, in the order given."""
    from audit.models import Event
    from tests.referral.factories import incident_body, payload

    def refer(victim: str, suspect: str, days_ago: list[int]):
        body = payload(
            victim={"name": victim, "date_of_birth": "1990-04-01"},
            suspect={"name": suspect, "date_of_birth": "1975-02-11"},
            incidents=[incident_body(days_ago=d) for d in days_ago],
        )
        with CaptureQueriesContext(connection) as ctx:
            response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT INTO")]
        return response.json()["id"], inserts

    def writes(inserts, table):
        return sum(sql.startswith(f'INSERT INTO "{table}"') for sql in inserts)

    # Older than a year, so that no number of them changes the case's risk or route.
    one, with_one = refer("Carol Single", "Dan Single", [400])
    three, with_three = refer("Erin Triple", "Frank Triple", [600, 400, 500])
    assert writes(with_one, "referral_incident") == writes(with_three, "referral_incident") == 1
    assert writes(with_three, "audit_event") == writes(with_one, "audit_event")

    incidents = Incident.objects.filter(referral_id=three).order_by("id")
    ages = [(timezone.now() - i.occurred_at).days for i in incidents]
    assert ages == [600, 400, 500]
    logged = Event.objects.filter(referral_id=three, verb="incident.recorded").order_by("id")
    assert [e.object_id for e in logged] == [str(i.pk) for i in incidents]
    assert Event.objects.filter(referral_id=one, verb="incident.recorded").count() == 1


def test_a_referral_breaching_an_earlier_cases_order_looks_its_orders_up_once(submit, as_user):
    """A new referral of the same people shares the earlier case's timeline, so its incidents may
    breach that case's order: however many do, one look-up finds the orders they name."""
    from tests.referral.factories import incident_body, payload

    earlier = submit(
        orders=[{"kind": "bail_conditions", "conditions": "Curfew", "starts": "2025-01-01"}]
    )
    order = earlier["orders"][0]["id"]
    body = payload(
        confirm_new=True,
        confirm_reason="A new course of conduct after the first case's charge.",
        incidents=[
            incident_body(3, ["texts"], breach_of_order=order),
            incident_body(2, ["texts"]),
            incident_body(1, ["phone_calls"], breach_of_order=order),
        ],
    )
    with CaptureQueriesContext(connection) as ctx:
        response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    # Of the orders read in the request, the look-up of those named by id (the answer then reads
    # the new case's own orders, with their breach counts, for its detail, and their facts:
    # notification duty and breach summary, `orders.selectors.order_facts`).
    orders = [q["sql"] for q in ctx.captured_queries
              if q["sql"].startswith('SELECT "referral_protectiveorder"')]
    look_ups = [sql for sql in orders if '"referral_protectiveorder"."id" IN (' in sql]
    assert len(look_ups) == 1 and len(orders) == 3, orders
    recorded = Incident.objects.filter(referral_id=response.json()["id"]).order_by("id")
    assert [i.breach_of_order_id for i in recorded] == [order, None, order]
