"""The victims app's detail keys and cards read in a fixed number of queries: one per section,
none for a section the reader may not read; the same for 1 record as for 50."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from victims import case_file
from victims.models import (
    ContactEntry,
    PersonAtRisk,
    RightToReview,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)

pytestmark = pytest.mark.django_db


def _fill(referral, member, n):
    by = {"agency": member.agency, "recorded_by": member.user}
    today = timezone.localdate()
    VictimWishes.objects.bulk_create(
        [VictimWishes(referral=referral, supports_prosecution=True, wishes=f"w{i}", **by)
         for i in range(n)])
    StatementOffer.objects.bulk_create(
        [StatementOffer(referral=referral, offered_on=today, **by) for _ in range(n)])
    RightToReview.objects.bulk_create(
        [RightToReview(referral=referral, decided_by_kind="police", decision_on=today,
                       offered_on=today) for _ in range(n)])
    plan = SafetyPlan.objects.filter(referral=referral).first() or SafetyPlan.objects.create(
        referral=referral, agreed_on=today, review_on=today, **by)
    SafetyPlanReview.objects.bulk_create(
        [SafetyPlanReview(plan=plan, reviewed_on=today, **by) for _ in range(n)])
    PersonAtRisk.objects.bulk_create(
        [PersonAtRisk(referral=referral, relation="child", **by) for _ in range(n)])
    ContactEntry.objects.bulk_create(
        [ContactEntry(referral=referral, at=timezone.now() - timedelta(minutes=i),
                      method="phone", reached=True, **by) for i in range(n)])


def _queries(call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx), result


def test_detail_keys_read_in_a_fixed_number_of_queries_whatever_the_rows(case, demo):
    police = demo["police.caseworker"]
    referral = case()
    _fill(referral, police, 1)
    one, first = _queries(lambda: case_file.detail_sections(referral=referral, membership=police))
    _fill(referral, police, 49)
    many, after = _queries(lambda: case_file.detail_sections(referral=referral,
                                                             membership=police))
    # The victim's voice in three (its row, the rights to review, the safety plan's reviews),
    # the others at risk in one, the contact log in one.
    assert one == many == 5
    assert len(after["victim_contact"]["log"]) == 50
    assert len(after["victim_voice"]["reviews"]) == 50
    assert len(after["victim_voice"]["safety_plan"]["reviews"]) == 50
    assert len(after["safeguarding"]["others_at_risk"]) == 50


def test_page_context_is_constant_and_the_log_holds_the_latest_20(case, demo):
    police = demo["police.caseworker"]
    referral = case()
    _fill(referral, police, 1)

    def page():
        sections = case_file.detail_sections(referral=referral, membership=police)
        return case_file.page_context(referral=referral, membership=police, sections=sections,
                                      names={})

    one, _ = _queries(page)
    _fill(referral, police, 49)
    many, context = _queries(page)
    # The detail's five: the page reads nothing again (the voice holds the entitlement intake
    # recorded, so the flag of an opt-out without a reason needs no query of its own).
    assert one == many == 5
    assert len(context["victims"]["contacts"]) == 20


@pytest.mark.parametrize("username,queries", [
    ("probation.caseworker", 1),  # safeguarding only
    ("ftac.caseworker", 1),  # safeguarding only
    ("oversight.auditor", 0),
])
def test_no_query_for_a_section_the_reader_may_not_read(case, demo, username, queries):
    referral = case()
    count, sections = _queries(lambda: case_file.detail_sections(
        referral=referral, membership=demo[username]))
    assert count == queries and "victim_voice" not in sections
