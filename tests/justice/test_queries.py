"""The justice records read in the same number of queries for one offence and for ten."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from justice import case_file
from justice.services import (
    ChargingDraft,
    OutcomeDraft,
    PoliceDecisionDraft,
    RequirementDraft,
    SentenceDraft,
    charging_decision_record,
    hearing_outcome_record,
    police_decision_record,
    sentence_record,
)
from tests.justice.factories import offence_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _sentenced(referral, demo, hearing):
    """An offence that went all the way: arrested, charged, convicted, sentenced."""
    police, cps = demo["police.caseworker"], demo["cps.caseworker"]
    offence = offence_for(referral, police)
    police_decision_record(offence=offence, actor=police.user, membership=police,
                           draft=PoliceDecisionDraft(kind="arrested", decided_on=TODAY))
    charging_decision_record(referral=referral, offence=offence, actor=cps.user, membership=cps,
                             draft=ChargingDraft(decision="charge", decided_on=TODAY))
    hearing_outcome_record(hearing=hearing, actor=cps.user, membership=cps,
                           draft=OutcomeDraft(result="convicted", offence=offence))
    sentence_record(offence=offence, actor=cps.user, membership=cps, draft=SentenceDraft(
        disposal="community_order", sentenced_on=TODAY, hearing=hearing,
        requirements=(RequirementDraft(kind="unpaid_work"),),
    ))


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx), result


@pytest.mark.parametrize("username", ["police.caseworker", "ftac.caseworker", "cps.caseworker"])
def test_detail_sections_are_constant(case, demo, held_hearing, username):
    referral = case()
    hearing = held_hearing(referral)
    _sentenced(referral, demo, hearing)
    member = demo[username]
    one, first = _count(lambda: case_file.detail_sections(referral=referral, membership=member))
    for _ in range(9):
        _sentenced(referral, demo, hearing)
    ten, second = _count(lambda: case_file.detail_sections(referral=referral, membership=member))
    assert len(second["offences"]) == 10
    assert one == ten
    page, _ = _count(lambda: case_file.page_context(referral=referral, membership=member,
                                                    sections=second, names={}))
    assert page == 0  # the page's cards are the detail's sections, not read again


def test_page_context_is_constant(case, demo, held_hearing):
    referral = case()
    hearing = held_hearing(referral)
    member = demo["cps.caseworker"]
    _sentenced(referral, demo, hearing)

    def page():
        sections = case_file.detail_sections(referral=referral, membership=member)
        return case_file.page_context(referral=referral, membership=member, sections=sections,
                                      names={})

    one, _ = _count(page)
    for _ in range(9):
        _sentenced(referral, demo, hearing)
    ten, context = _count(page)
    assert len(context["justice_offences"]) == 10
    # The warning signs, the offences with their police and CPS decisions, the hearings, their
    # outcomes and the sentences with their requirements and orders: each table once.
    assert one == ten == 9


def test_no_query_for_unreadable_sections(case, demo):
    referral = case()
    with CaptureQueriesContext(connection) as ctx:
        sections = case_file.detail_sections(
            referral=referral, membership=demo["oversight.auditor"]
        )
    assert set(sections) == {"warning_signs"}
    assert len(ctx) == 1  # the case-wide warning signs only


def test_the_api_list_is_constant(case, demo, held_hearing, as_user):
    referral = case()
    hearing = held_hearing(referral)
    client = as_user("police.caseworker")
    _sentenced(referral, demo, hearing)
    one, _ = _count(lambda: client.get(f"/api/v1/referrals/{referral.pk}/offences/"))
    for _ in range(9):
        _sentenced(referral, demo, hearing)
    ten, response = _count(lambda: client.get(f"/api/v1/referrals/{referral.pk}/offences/"))
    assert len(response.json()) == 10
    assert one == ten
