"""The orders and breaches report, on a small caseload made through the apps' services: exact
figures, the cohort's cut, unnamed cases, and a fixed number of queries."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from justice.models import Offence
from orders.services import enforcement_outcome_record
from referral.access import involvement_grant
from referral.models import InvolvementBasis, ProtectiveOrder
from referral.services import IncidentDraft, OrderDraft, incident_record, order_record
from reports.cohort import Cohort
from reports.sections import breaches
from reports.tables import SUPPRESSED, Report, publishable
from workflows.services.orders import breach_enforce

from .justice_cases import convict, police, refer, sentence

pytestmark = pytest.mark.django_db

MARCH = Cohort(since=date(2025, 3, 1), until=date(2025, 3, 31))


def _order(referral, member, kind: str) -> ProtectiveOrder:
    return order_record(
        referral=referral,
        actor=member.user,
        membership=member,
        draft=OrderDraft(kind=kind, conditions="No contact.", starts=date(2025, 1, 1)),
    )


def _breach(order: ProtectiveOrder, member, on: date, outcome: str | None = None) -> Offence | None:
    """A breach of the order on `on` (logged, its offence and enforcement opened as the flow
    does), with the police's outcome if given; its offence (None for bail)."""
    incident = incident_record(
        referral=order.referral,
        actor=member.user,
        membership=member,
        draft=IncidentDraft(
            occurred_at=timezone.make_aware(datetime.combine(on, time(12))),
            behaviours=("texts",),
            description="Texted her.",
            breach_of_order=order.pk,
        ),
    )
    enforcement = breach_enforce(incident=incident, actor=member.user, membership=member)
    if outcome:
        enforcement_outcome_record(task_id=enforcement.task_id, actor=member.user, outcome=outcome)
    return enforcement.offence


def _fined(offence: Offence, pol, cps, on: date, pence: int) -> None:
    police(offence, pol, "charged", on)
    convict(offence, cps, on, "plea_guilty")
    sentence(offence, cps, on, "fine", fine_pence=pence)


@pytest.fixture
def caseload(demo):
    """X: a non-molestation order breached six times (4 in March, 2 in April): three arrests,
    two fined (£80, £100), one not taken further; one no action. Y: a restraining order
    breached twice in April, one arrest charged and given a suspended sentence; bail
    conditions never breached. Z: a stalking protection order never breached. W (referred the
    year before): a breach never counted."""
    pol, cps = demo["police.caseworker"], demo["cps.caseworker"]
    x, y, z = (refer(pol, name, date(2025, 3, 3)) for name in "XYZ")
    w = refer(pol, "W", date(2024, 5, 1))

    nmo = _order(x, pol, "non_molestation_order")
    first = _breach(nmo, pol, date(2025, 3, 5), "arrested")
    _fined(first, pol, cps, date(2025, 3, 6), 8000)
    second = _breach(nmo, pol, date(2025, 3, 9), "arrested")
    _fined(second, pol, cps, date(2025, 3, 10), 10000)
    third = _breach(nmo, pol, date(2025, 3, 12), "arrested")
    police(third, pol, "no_further_action", date(2025, 3, 13), nfa_reason="public_interest")
    _breach(nmo, pol, date(2025, 3, 20), "no_action")
    _breach(nmo, pol, date(2025, 4, 2))
    _breach(nmo, pol, date(2025, 4, 3))

    ro = _order(y, pol, "restraining_order")
    _order(y, pol, "bail_conditions")
    arrested = _breach(ro, pol, date(2025, 4, 10), "arrested")
    police(arrested, pol, "charged", date(2025, 4, 11))
    convict(arrested, cps, date(2025, 4, 20))
    sentence(
        arrested,
        cps,
        date(2025, 5, 1),
        "suspended_sentence",
        custody_days=90,
        suspended_for_days=365,
    )
    _breach(ro, pol, date(2025, 4, 12))

    _order(z, pol, "stalking_protection_order")
    _breach(_order(w, pol, "non_molestation_order"), pol, date(2025, 3, 5), "arrested")
    return {"X": x, "Y": y, "Z": z, "W": w}


def _tables(cohort: Cohort) -> dict:
    return {t.key: t for t in breaches.build(cohort)}


def _values(table) -> dict[str, dict]:
    return {r.key: r.values for r in (*table.rows, *([table.total] if table.total else []))}


def test_orders_by_how_often_they_were_breached(caseload):
    table = _tables(MARCH)["breaches_per_order"]
    assert {k: (v["orders"], v["breaches"]) for k, v in _values(table).items()} == {
        "none": (2, 0),
        "one": (0, 0),
        "two_to_four": (1, 2),
        "five_to_nine": (1, 6),
        "ten_to_nineteen": (0, 0),
        "twenty_or_more": (0, 0),
        "total": (4, 8),
    }
    assert _values(table)["five_to_nine"]["breaches_share"] == 0.75
    assert _values(table)["none"]["orders_share"] == 0.5
    assert table.parts


def test_what_each_breach_led_to(caseload):
    rows = _values(_tables(MARCH)["breach_outcomes"])
    assert {k: v["breaches"] for k, v in rows.items()} == {
        "arrested": 4,
        "voluntary_interview": 0,
        "warned": 0,
        "recalled": 0,
        "not_traced": 0,
        "no_action": 1,
        "offence": 8,
        "charged": 3,
        "no_further_action": 1,
        "convicted": 3,
        "immediate_custody": 0,
        "suspended_sentence": 1,
        "community_order": 0,
        "fine": 2,
        "discharge": 0,
        "other_sentence": 0,
        "total": 8,
    }
    assert rows["fine"] == {
        "breaches": 2,
        "breaches_share": 0.25,
        "fines_total_pence": 18000,
        "fines_median_pence": 9000,
    }
    assert rows["arrested"]["breaches_share"] == 0.5


def test_the_most_breached_cases_are_unnamed(caseload):
    table = _tables(MARCH)["most_breached"]
    assert [(r.key, r.label) for r in table.rows] == [("case_1", "Case 1"), ("case_2", "Case 2")]
    assert [r.values for r in table.rows] == [
        {
            "breaches": 6,
            "arrested": 3,
            "charged": 2,
            "fined": 2,
            "fines_pence": 18000,
            "sentence": "Fine",
        },
        {
            "breaches": 2,
            "arrested": 1,
            "charged": 1,
            "fined": 0,
            "fines_pence": 0,
            "sentence": "Suspended sentence",
        },
    ]
    text = repr(table)
    assert all(case.reference not in text for case in caseload.values())
    assert "Victim" not in text and "Suspect" not in text


def test_breaches_by_month(caseload):
    table = _tables(MARCH)["breaches_by_month"]
    assert [(r.key, r.values["count"]) for r in table.rows] == [("2025-03", 4), ("2025-04", 4)]
    assert table.total.values["count"] == 8 and table.chart == "series"


def test_the_cohort_cut(caseload, demo):
    everything = _tables(Cohort())
    assert everything["breaches_by_month"].total.values["count"] == 9
    assert _values(everything["breaches_per_order"])["one"]["orders"] == 1

    probation = demo["probation.caseworker"].agency
    involvement_grant(
        referral=caseload["Y"], agency=probation, basis=InvolvementBasis.TASK, source="test"
    )
    seen = _tables(Cohort(since=MARCH.since, until=MARCH.until, scope_group=probation.group_id))
    assert _values(seen["breach_outcomes"])["total"]["breaches"] == 2
    assert _values(seen["breaches_per_order"])["total"]["orders"] == 2
    assert [r.values["breaches"] for r in seen["most_breached"].rows] == [2]


def test_published_small_counts_are_hidden(caseload):
    report = Report(key="breaches", title="", summary="", cohort={}, tables=breaches.build(MARCH))
    table = next(t for t in publishable(report).tables if t.key == "most_breached")
    case_1, case_2 = (r.values for r in table.rows)
    assert case_1["breaches"] == 6 and case_1["fines_pence"] == SUPPRESSED
    assert case_2["breaches"] == SUPPRESSED and case_2["sentence"] == SUPPRESSED


def test_the_report_reads_a_fixed_number_of_queries(caseload, demo, django_assert_num_queries):
    with django_assert_num_queries(5):
        breaches.build(MARCH)
    pol = demo["police.caseworker"]
    order = _order(refer(pol, "V", date(2025, 3, 4)), pol, "restraining_order")
    for day in (6, 7, 8):
        _breach(order, pol, date(2025, 3, day), "arrested")
    with django_assert_num_queries(5):
        tables = _tables(MARCH)
    assert _values(tables["breach_outcomes"])["arrested"]["breaches"] == 7
