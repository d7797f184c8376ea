"""The criminal-justice outcomes report, on a small caseload made through the apps' services:
exact figures, the cohort's cut, and a fixed number of queries."""

from datetime import date

import pytest

from agencies.services import agency_create, member_create
from justice.models import OffenceKind
from orders.services import ApplicationDecision, order_application_decide, order_application_make
from referral.access import involvement_grant
from referral.models import InvolvementBasis
from referral.services import OrderDraft, order_record
from reports.cohort import Cohort
from reports.sections import justice
from reports.tables import SUPPRESSED, Report, publishable

from .justice_cases import convict, cps_charge, offence, police, refer, sentence

pytestmark = pytest.mark.django_db

MARCH = Cohort(since=date(2025, 3, 1), until=date(2025, 3, 31))
REFERRED = date(2025, 3, 3)


def _day(n: int) -> date:
    """`n` days after the referrals were received."""
    return date.fromordinal(REFERRED.toordinal() + n)


def _spo_application(referral, member, decision: str) -> None:
    application = order_application_make(
        referral=referral, actor=member.user, membership=member, applied_on=_day(2)
    )
    order_application_decide(
        referral=referral,
        application_id=application.pk,
        actor=member.user,
        membership=member,
        decision=ApplicationDecision(decision=decision, on=_day(5), conditions="No contact."),
    )


@pytest.fixture
def caseload(demo):
    """Seven cases referred on 3 March 2025 and one the year before (never counted):

    A: charged by CPS on day 10, convicted day 30, sentenced day 40 to a community order with a
       restraining order; its second offence not taken further by police.
    B: charged by police day 20, convicted day 50, fined £80 on day 60.
    C: cautioned; a non-molestation order in place before referral.
    D: released under investigation.   E: no offence; an SPO made on day 5.
    F: an offence under investigation; an SPO application refused.
    H: charged day 1, convicted and fined £120 on day 8.
    """
    pol, cps = demo["police.caseworker"], demo["cps.caseworker"]
    cases = {name: refer(pol, name, REFERRED) for name in "ABCDEFH"}
    cases["G"] = refer(pol, "G", date(2024, 1, 10))

    a1, a2 = offence(cases["A"], pol), offence(cases["A"], pol, OffenceKind.CRIMINAL_DAMAGE)
    police(a1, pol, "referred_to_cps", _day(5))
    cps_charge(a1, cps, _day(10))
    convict(a1, cps, _day(30))
    sentence(a1, cps, _day(40), "community_order", restraining=True)
    police(a2, pol, "no_further_action", _day(5), nfa_reason="public_interest")

    b = offence(cases["B"], pol, OffenceKind.PHA_S2A)
    police(b, pol, "charged", _day(20))
    convict(b, cps, _day(50), "plea_guilty")
    sentence(b, cps, _day(60), "fine", fine_pence=8000)

    police(offence(cases["C"], pol, OffenceKind.PHA_S2), pol, "cautioned", _day(3))
    order_record(
        referral=cases["C"],
        actor=pol.user,
        membership=pol,
        draft=OrderDraft(
            kind="non_molestation_order", conditions="No contact.", starts=date(2025, 1, 1)
        ),
    )
    police(offence(cases["D"], pol), pol, "released_under_investigation", _day(2))
    _spo_application(cases["E"], pol, "made")
    offence(cases["F"], pol)
    _spo_application(cases["F"], pol, "refused")

    h = offence(cases["H"], pol, OffenceKind.MALICIOUS_COMMUNICATIONS)
    police(h, pol, "charged", _day(1))
    convict(h, cps, _day(8))
    sentence(h, cps, _day(8), "fine", fine_pence=12000)

    g = offence(cases["G"], pol)
    police(g, pol, "charged", date(2024, 2, 1))
    convict(g, cps, date(2024, 3, 1))
    sentence(g, cps, date(2024, 4, 1), "immediate_custody", custody_days=180, restraining=True)
    return cases


def _tables(cohort: Cohort) -> dict:
    return {t.key: t for t in justice.build(cohort)}


def _values(table) -> dict[str, dict]:
    return {r.key: r.values for r in (*table.rows, *([table.total] if table.total else []))}


def _column(table, column: str) -> dict:
    return {key: values.get(column) for key, values in _values(table).items()}


def test_case_outcomes_count_a_case_for_any_offence_with_the_outcome(caseload):
    table = _tables(MARCH)["case_outcomes"]
    assert _column(table, "cases") == {
        "total": 7,
        "with_offence": 6,
        "charged": 3,
        "convicted": 3,
        "acquitted": 0,
        "immediate_custody": 0,
        "suspended_sentence": 0,
        "community_order": 1,
        "fine": 2,
        "discharge": 0,
        "other_sentence": 0,
    }
    assert _values(table)["charged"]["cases_share"] == round(3 / 7, 4)
    assert table.total.values["cases_share"] == 1.0 and not table.parts


def test_police_outcomes_place_each_case_at_its_furthest_offence(caseload):
    table = _tables(MARCH)["police_outcomes"]
    assert _column(table, "cases") == {
        "charged": 3,
        "cautioned": 1,
        "community_resolution": 0,
        "out_of_court_other": 0,
        "no_further_action": 0,
        "released_under_investigation": 1,
        "under_investigation": 1,
        "total": 6,
    }
    # Offences each where they stand: A's second offence is not taken further.
    assert _column(table, "offences") == {
        "charged": 3,
        "cautioned": 1,
        "community_resolution": 0,
        "out_of_court_other": 0,
        "no_further_action": 1,
        "released_under_investigation": 1,
        "under_investigation": 1,
        "total": 7,
    }
    assert _values(table)["charged"]["offences_share"] == round(3 / 7, 4)
    assert table.parts


def test_offence_outcomes_by_kind(caseload):
    rows = _values(_tables(MARCH)["offence_outcomes"])
    assert rows["pha_s4a"] == {
        "offences": 3,
        "charged": 1,
        "charged_share": round(1 / 3, 4),
        "convicted": 1,
        "convicted_share": round(1 / 3, 4),
        "immediate_custody": 0,
        "suspended_sentence": 0,
        "community_order": 1,
        "fine": 0,
        "discharge": 0,
        "other_sentence": 0,
    }
    assert rows["malicious_communications"]["fine"] == 1
    assert rows["criminal_damage"]["charged"] == 0 and rows["threats_to_kill"]["offences"] == 0
    assert {
        k: rows["total"][k]
        for k in (
            "offences",
            "charged",
            "convicted",
            "fine",
            "community_order",
            "immediate_custody",
        )
    } == {
        "offences": 7,
        "charged": 3,
        "convicted": 3,
        "fine": 2,
        "community_order": 1,
        "immediate_custody": 0,
    }


def test_fines_count_total_median_and_largest_in_pence(caseload):
    rows = _values(_tables(MARCH)["fines"])
    assert rows["total"] == {
        "fines": 2,
        "total_pence": 20000,
        "median_pence": 10000,
        "largest_pence": 12000,
    }
    assert rows["other"] == rows["total"]
    assert rows["breach"] == {
        "fines": 0,
        "total_pence": 0,
        "median_pence": None,
        "largest_pence": None,
    }


def test_orders_made_since_referral_and_applications(caseload):
    tables = _tables(MARCH)
    orders = _values(tables["orders_made"])
    assert {k: (v["orders"], v["cases"]) for k, v in orders.items() if k != "total"} == {
        "any_order": (2, 2),
        "stalking_protection_order": (1, 1),
        "interim_spo": (0, 0),
        "restraining_order": (1, 1),
        "restraining_order_on_conviction": (1, 1),
        "restraining_order_on_acquittal": (0, 0),
        "non_molestation_order": (0, 0),
    }
    assert orders["any_order"]["cases_share"] == round(2 / 7, 4)
    assert orders["total"]["cases"] == 7
    assert _column(tables["order_applications"], "applications") == {
        "pending": 0,
        "interim_made": 0,
        "made": 1,
        "refused": 1,
        "withdrawn": 0,
        "total": 2,
    }


def test_time_to_outcome_is_the_median_of_each_case_first(caseload):
    assert _values(_tables(MARCH)["time_to_outcome"]) == {
        "charge": {"cases": 3, "median_days": 10},
        "conviction": {"cases": 3, "median_days": 30},
        "sentence": {"cases": 3, "median_days": 40},
        "order": {"cases": 2, "median_days": 22.5},
    }


def test_every_case_counts_with_an_open_period(caseload):
    tables = _tables(Cohort())
    assert _values(tables["case_outcomes"])["immediate_custody"]["cases"] == 1
    assert tables["case_outcomes"].total.values["cases"] == 8
    assert _values(tables["orders_made"])["restraining_order_on_conviction"]["cases"] == 2


def test_a_region_and_an_agency_count_only_their_cases(caseload, demo):
    north = agency_create(name="North Police", slug="north-police", kind="police", region="North")
    officer = member_create(
        agency=north, username="north.officer", password=None, roles=["caseworker"]
    )
    far = refer(officer, "N", REFERRED)
    police(offence(far, officer), officer, "charged", _day(4))
    assert _tables(MARCH)["case_outcomes"].total.values["cases"] == 8
    north_only = _tables(Cohort(since=MARCH.since, until=MARCH.until, region="North"))
    assert _values(north_only["case_outcomes"])["charged"]["cases"] == 1
    assert north_only["case_outcomes"].total.values["cases"] == 1

    probation = demo["probation.caseworker"].agency
    involvement_grant(
        referral=caseload["B"], agency=probation, basis=InvolvementBasis.TASK, source="test"
    )
    seen = _tables(Cohort(since=MARCH.since, until=MARCH.until, scope_group=probation.group_id))
    assert seen["case_outcomes"].total.values["cases"] == 1
    assert _values(seen["fines"])["total"]["total_pence"] == 8000
    assert _values(seen["time_to_outcome"])["charge"] == {"cases": 1, "median_days": 20}


def test_published_small_counts_are_hidden(caseload):
    report = Report(key="justice", title="", summary="", cohort={}, tables=justice.build(MARCH))
    rows = _values(next(t for t in publishable(report).tables if t.key == "fines"))
    assert rows["total"]["fines"] == SUPPRESSED and rows["total"]["median_pence"] == SUPPRESSED


def test_the_report_reads_a_fixed_number_of_queries(caseload, demo, django_assert_num_queries):
    with django_assert_num_queries(8):
        justice.build(MARCH)
    pol = demo["police.caseworker"]
    for name in ("P", "Q", "R"):
        police(offence(refer(pol, name, REFERRED), pol), pol, "charged", _day(3))
    with django_assert_num_queries(8):
        tables = _tables(MARCH)
    assert _values(tables["case_outcomes"])["charged"]["cases"] == 6
