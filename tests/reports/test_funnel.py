"""The funnel from referral to triage's decision, and the cases by screened level, counted from
cases driven through the flow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency
from referral.models import Referral
from reports.cohort import Cohort
from reports.sections import funnel
from tests.referral.factories import ReferralFactory
from tests.reports.flow_cases import accept, refer, user, work

pytestmark = pytest.mark.django_db

REASON = "No course of conduct: a single contact."


@pytest.fixture
def caseload(demo):
    """Seven cases, one of each course, and one bare case with no screen and no flow."""
    cases = {}
    cases["accepted"] = refer(yes=0)
    accept(cases["accepted"])

    cases["info"] = refer(yes=3)
    work(
        "hub.caseworker",
        "triage",
        cases["info"],
        {"decision": "request_info", "risk_level": "medium"},
    )
    work("police.caseworker", "provide_info", cases["info"], {"information": "Dates added."})
    accept(cases["info"], "medium")

    cases["declined"] = refer(yes=2)
    work(
        "hub.caseworker",
        "triage",
        cases["declined"],
        {"decision": "decline", "risk_level": "standard", "reason": REASON},
    )
    work("hub.supervisor", "approve_decline", cases["declined"], {"approved": True})

    cases["refused"] = refer(yes=2)
    work(
        "hub.caseworker",
        "triage",
        cases["refused"],
        {"decision": "decline", "risk_level": "standard", "reason": REASON},
    )
    work(
        "hub.supervisor",
        "approve_decline",
        cases["refused"],
        {"approved": False, "reason": "A pattern: accept it."},
    )
    accept(cases["refused"])

    cases["lowered"] = refer(yes=7)
    accept(cases["lowered"], "medium", reason="Suspect moved abroad; verified.")
    work(
        "hub.supervisor",
        "approve_downgrade",
        cases["lowered"],
        {"approved": True, "reason": "Verified with the force abroad."},
    )

    cases["kept_high"] = refer(yes=6, risk_level="standard", risk_reason="Suspect in custody.")
    work(
        "police.supervisor",
        "approve_downgrade",
        cases["kept_high"],
        {"approved": False, "reason": "Release is due next month."},
    )

    cases["waiting"] = refer(yes=4)

    hub = Agency.objects.get(slug="hub")
    cases["bare"] = ReferralFactory(referrer_agency=hub, referred_by=user("hub.caseworker")).pk
    return cases


def _rows(table):
    return {r.key: r.values for r in table.rows}


def _funnel(cohort):
    tables = {t.key: t for t in funnel.build(cohort)}
    return tables


def test_every_step_counts_each_case_once(caseload):
    tables = _funnel(Cohort())
    rows = _rows(tables["funnel"])
    assert {k: v["cases"] for k, v in rows.items()} == {
        "referred": 8,
        "screened": 7,
        "triaged": 5,
        "info_requested": 1,
        "accepted": 4,
        "decline_proposed": 2,
        "decline_approved": 1,
        "decline_refused": 1,
        "downgrade_proposed": 2,
        "downgrade_approved": 1,
        "downgrade_refused": 1,
    }
    assert rows["accepted"] == {"cases": 4, "of_cases": 5, "share": 0.8}
    assert rows["decline_approved"] == {"cases": 1, "of_cases": 2, "share": 0.5}
    assert rows["screened"] == {"cases": 7, "of_cases": 8, "share": 0.875}
    assert tables["funnel"].chart == "funnel"

    # The screen's level, and the level now: one high case lowered to medium with approval;
    # the refused proposal kept the other high; the bare case is at the standard level.
    levels = _rows(tables["screened_level"])
    assert levels == {
        "high": {"screened": 2, "share": 0.25, "current": 1},
        "medium": {"screened": 2, "share": 0.25, "current": 3},
        "standard": {"screened": 3, "share": 0.375, "current": 4},
        "not_screened": {"screened": 1, "share": 0.125, "current": None},
    }
    assert tables["screened_level"].total.values["screened"] == 8
    assert Referral.objects.get(pk=caseload["lowered"]).risk_level == "medium"


def test_the_cohort_cuts_by_period_region_and_agency(caseload, demo):
    old = timezone.now() - timedelta(days=40)
    Referral.objects.filter(pk__in=[caseload["declined"], caseload["waiting"]]).update(
        created_at=old
    )
    recent = _rows(_funnel(Cohort(since=timezone.localdate() - timedelta(days=10)))["funnel"])
    assert recent["referred"]["cases"] == 6
    assert recent["decline_approved"]["cases"] == 0 and recent["decline_proposed"]["cases"] == 1

    Agency.objects.filter(slug="police").update(region="North")
    north = _rows(_funnel(Cohort(region="North"))["funnel"])
    assert north["referred"]["cases"] == 7  # not the bare case the hub referred

    # Probation sees the cases it researches: the four accepted.
    probation = demo["probation.caseworker"].agency.group_id
    seen = _rows(_funnel(Cohort(scope_group=probation))["funnel"])
    assert {k: v["cases"] for k, v in seen.items()} == {
        "referred": 4,
        "screened": 4,
        "triaged": 4,
        "info_requested": 1,
        "accepted": 4,
        "decline_proposed": 1,
        "decline_approved": 0,
        "decline_refused": 1,
        "downgrade_proposed": 1,
        "downgrade_approved": 1,
        "downgrade_refused": 0,
    }


def test_three_queries_whatever_the_cases(caseload, demo, django_assert_num_queries):
    for cohort in (
        Cohort(),
        Cohort(scope_group=demo["probation.caseworker"].agency.group_id),
        Cohort(region="Nowhere"),
    ):
        with django_assert_num_queries(3):
            funnel.build(cohort)
