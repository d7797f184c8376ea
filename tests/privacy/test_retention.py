"""Retention's services on the real database: which schedule applies, the daily sweep, the
supervisor's decisions and legal holds."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from config.exceptions import Conflict, DomainError, NotAllowed
from privacy import services
from privacy.models import RetentionReview, RetentionSchedule
from privacy.selectors.retention import case_retention, plus_years
from referral.models import Referral
from tests.agencies.factories import MemberFactory
from tests.privacy.factories import bare_case, years_on

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_the_seeded_schedules_are_one_per_outcome(schedules):
    assert schedules == {"declined": 2, "no_conviction": 6, "convicted": 10, "order_in_force": 6}


@pytest.mark.parametrize(
    "case,outcome,due",
    [
        (dict(), "no_conviction", lambda: years_on(6)),
        (dict(status="declined"), "declined", lambda: years_on(2)),
        (dict(convicted=True), "convicted", lambda: years_on(10)),
        # An order ending in three years outlasts the closure's six: six years from its end.
        (
            dict(orders=[{"expires": date.today() + timedelta(days=3 * 366)}]),
            "order_in_force",
            lambda: plus_years(date.today() + timedelta(days=3 * 366), 6),
        ),
        # A conviction's ten years from closure outlast an order that ends in two (and six after).
        (
            dict(convicted=True, orders=[{"expires": date.today() + timedelta(days=2 * 365)}]),
            "convicted",
            lambda: years_on(10),
        ),
        # An order discharged (ended) counts from the day it ended.
        (
            dict(
                orders=[
                    {
                        "expires": None,
                        "status": "discharged",
                        "ended_on": date.today() + timedelta(days=800),
                    }
                ]
            ),
            "order_in_force",
            lambda: plus_years(date.today() + timedelta(days=800), 6),
        ),
        # Bail conditions are the investigation's, not a protective order.
        (
            dict(
                orders=[{"kind": "bail_conditions", "expires": date.today() + timedelta(days=9000)}]
            ),
            "no_conviction",
            lambda: years_on(6),
        ),
    ],
)
def test_the_longest_applicable_schedule_wins(demo, case, outcome, due):
    due_at = case_retention(referral=bare_case(demo, **case))
    assert (due_at.schedule.outcome, due_at.due_on) == (outcome, due())


def test_an_order_in_force_with_no_end_keeps_the_case_and_an_open_case_is_never_due(demo):
    kept = bare_case(demo, orders=[{"expires": None}])
    assert case_retention(referral=kept) is None
    assert case_retention(referral=bare_case(demo, status=None)) is None
    assert services.retention_sweep(today=years_on(50)) == 0


def _reviewed(referral) -> list[RetentionReview]:
    return list(RetentionReview.objects.filter(referral=referral))


def test_the_sweep_opens_a_review_for_a_case_past_its_schedule_only(demo):
    past = bare_case(demo)
    within = bare_case(demo, convicted=True)
    held = bare_case(demo)
    services.legal_hold_place(
        referral=held,
        actor=demo["police.supervisor"].user,
        membership=demo["police.supervisor"],
        reason="Civil claim.",
    )
    still_open = bare_case(demo, status=None)
    # The day before it falls due: nothing; on the day: the one case, once.
    assert services.retention_sweep(today=years_on(6, -1)) == 0
    assert services.retention_sweep(today=years_on(6)) == 1
    [review] = _reviewed(past)
    assert (review.status, review.outcome, review.years) == ("due", "no_conviction", 6)
    assert (review.counted_from, review.due_on) == (TODAY(), years_on(6))
    assert not _reviewed(within) and not _reviewed(held) and not _reviewed(still_open)
    assert Event.objects.filter(referral_id=past.pk, verb="retention.due").count() == 1
    # Idempotent: a second run the same day, or later, opens nothing more for it.
    assert services.retention_sweep(today=years_on(6)) == 0
    assert services.retention_sweep(today=years_on(7)) == 0
    assert len(_reviewed(past)) == 1


def test_a_case_linked_to_an_open_case_is_kept(demo):
    closed, other = bare_case(demo), bare_case(demo, status=None)
    Referral.objects.filter(pk__in=[closed.pk, other.pk]).update(timeline_id=closed.pk)
    assert services.retention_sweep(today=years_on(20)) == 0
    Referral.objects.filter(pk=other.pk).update(status="closed")
    assert services.retention_sweep(today=years_on(20)) == 1


def _due_review(demo, **case) -> RetentionReview:
    referral = bare_case(demo, **case)
    services.retention_sweep(today=years_on(12))
    return RetentionReview.objects.get(referral=referral)


def test_a_deferred_review_reopens_on_its_date(demo):
    review = _due_review(demo)
    supervisor = demo["police.supervisor"]
    until = TODAY() + timedelta(days=30)
    services.retention_review_decide(
        review=review,
        actor=supervisor.user,
        membership=supervisor,
        decision="defer",
        reason="Appeal pending.",
        deferred_until=until,
    )
    review.refresh_from_db()
    assert (review.status, review.deferred_until, review.decided_by) == (
        "deferred",
        until,
        supervisor.user,
    )
    assert services.retention_sweep(today=until - timedelta(days=1)) == 0
    assert services.retention_sweep(today=until) == 1
    review.refresh_from_db()
    assert review.status == "due"
    verbs = list(
        Event.objects.filter(referral_id=review.referral_id)
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs[-3:] == ["retention.due", "retention.deferred", "retention.reopened"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"decision": "defer", "reason": ""}, "reason"),
        ({"decision": "defer", "reason": "Later."}, "deferred_until"),
        (
            {"decision": "defer", "reason": "Later.", "deferred_until": date.today()},
            "deferred_until",
        ),
        ({"decision": "keep", "reason": "Why not."}, "decision"),
        ({"decision": "erase", "reason": "  "}, "reason"),
    ],
)
def test_a_decision_needs_its_fields_and_writes_nothing_without_them(demo, data, field):
    review = _due_review(demo)
    supervisor = demo["police.supervisor"]
    with pytest.raises(DomainError) as refused:
        services.retention_review_decide(
            review=review, actor=supervisor.user, membership=supervisor, **data
        )
    assert field in refused.value.fields
    review.refresh_from_db()
    assert review.status == "due" and review.decided_by is None


def test_a_caseworker_may_not_decide(demo):
    review = _due_review(demo)
    member = demo["police.caseworker"]
    with pytest.raises(NotAllowed):
        services.retention_review_decide(
            review=review,
            actor=member.user,
            membership=member,
            decision="defer",
            reason="x",
            deferred_until=TODAY() + timedelta(days=1),
        )


def test_a_legal_hold_stops_erasure_until_lifted(demo):
    review = _due_review(demo)
    supervisor = demo["police.supervisor"]
    hold = services.legal_hold_place(
        referral=review.referral,
        actor=supervisor.user,
        membership=supervisor,
        reason="Judicial review.",
    )
    with pytest.raises(Conflict):
        services.retention_review_decide(
            review=review,
            actor=supervisor.user,
            membership=supervisor,
            decision="erase",
            reason="Past its schedule.",
        )
    review.refresh_from_db()
    assert review.status == "due"
    services.legal_hold_lift(
        hold=hold, actor=supervisor.user, membership=supervisor, reason="Review dismissed."
    )
    with pytest.raises(Conflict):
        services.legal_hold_lift(
            hold=hold, actor=supervisor.user, membership=supervisor, reason="Again."
        )
    verbs = set(Event.objects.filter(referral_id=review.referral_id).values_list("verb", flat=True))
    assert {"legal_hold.placed", "legal_hold.lifted"} <= verbs


def test_a_hold_needs_a_reason_and_a_supervisor(demo):
    referral = bare_case(demo)
    supervisor, caseworker = demo["police.supervisor"], demo["police.caseworker"]
    with pytest.raises(DomainError) as refused:
        services.legal_hold_place(
            referral=referral, actor=supervisor.user, membership=supervisor, reason=" "
        )
    assert "reason" in refused.value.fields
    with pytest.raises(NotAllowed):
        services.legal_hold_place(
            referral=referral, actor=caseworker.user, membership=caseworker, reason="Claim."
        )


def test_a_longer_schedule_set_later_applies_at_the_next_sweep(demo):
    admin = MemberFactory(agency=demo["hub.supervisor"].agency, roles=["admin"])
    referral = bare_case(demo)
    schedule = RetentionSchedule.objects.get(outcome="no_conviction")
    services.retention_schedule_update(
        schedule=schedule, actor=admin.user, membership=admin, years=8
    )
    assert services.retention_sweep(today=years_on(7)) == 0
    assert services.retention_sweep(today=years_on(8)) == 1
    assert RetentionReview.objects.get(referral=referral).years == 8
    with pytest.raises(NotAllowed):
        services.retention_schedule_update(
            schedule=schedule, actor=admin.user, membership=demo["hub.supervisor"], years=9
        )


def test_the_sweep_reads_set_based_whatever_the_number_due(demo):
    """No query per case: one due case and five cost the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_open(count: int) -> int:
        for _ in range(count):
            bare_case(demo)
        with CaptureQueriesContext(connection) as captured:
            assert services.retention_sweep(today=years_on(6)) == count
        return len(captured)

    assert queries_to_open(1) == queries_to_open(5)
