"""Reads of retention: when a case closed (from the trail), which schedules apply to it and when
it falls due, the cases (or their evidence files) due now (one set-based query per record
kind), and the reviews, holds and schedules a member may read (scoped by
`agencies.policy.retention_reach`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from audit.models import Event
from config.exceptions import NotFound
from evidence.models import EvidenceFile
from justice.models import Offence
from referral.access import case_visibility
from referral.models import ProtectiveOrder, Referral

from ..models import (
    CaseOutcome,
    LegalHold,
    RecordKind,
    RetentionReview,
    RetentionSchedule,
)

# The trail's events that close a case: a closure approved, a decline approved, a referral
# merged into another. A case counts as closed on the day of the last of them.
CLOSURE_VERBS = ("approve_closure.approved", "referral.declined", "referral.merged")
CLOSED_STATUSES = (Referral.Status.CLOSED, Referral.Status.DECLINED)

# Orders whose end the `order_in_force` schedule counts from. Bail conditions are not: they
# belong to the investigation, which the case's closure ends.
PROTECTIVE_ORDER_KINDS = tuple(
    kind for kind in ProtectiveOrder.Kind.values if kind != ProtectiveOrder.Kind.BAIL_CONDITIONS
)


def plus_years(day: date, years: int) -> date:
    """`day` and `years` later, as PostgreSQL's `make_interval` counts (29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class _PlusYears(Func):
    """SQL: a date `years` later (`plus_years`)."""

    template = "((%(expressions)s) + make_interval(years => %(years)s))::date"
    output_field = DateField()

    def __init__(self, expression, *, years: int):
        super().__init__(expression, years=int(years))


def case_schedules(record_kind: str = RecordKind.CASE) -> dict[str, RetentionSchedule]:
    """The schedules of a record kind, by outcome."""
    return {s.outcome: s for s in RetentionSchedule.objects.filter(record_kind=record_kind)}


def _closed_at():
    return Subquery(
        Event.objects.filter(referral_id=OuterRef("pk"), verb__in=CLOSURE_VERBS)
        .order_by("-at")
        .values("at")[:1]
    )


def _protective_orders():
    return ProtectiveOrder.objects.filter(
        referral_id=OuterRef("pk"), kind__in=PROTECTIVE_ORDER_KINDS
    )


def _open_on_timeline():
    """A linked case still open: a case stays while its timeline is being worked."""
    return Referral.objects.filter(
        timeline_id=OuterRef("timeline_id"), status__in=Referral.OPEN_STATUSES
    )


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def with_retention_facts(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """The cases with what their retention is decided from: `closed_on`, `convicted`,
    `has_order`, `order_end` (the latest end of a protective order), `order_open` (an order in
    force with no end date)."""
    return referrals.annotate(
        closed_on=TruncDate(_closed_at()),
        convicted=Exists(
            Offence.objects.filter(referral_id=OuterRef("pk"), status=Offence.Status.CONVICTED)
        ),
        has_order=Exists(_protective_orders()),
        order_end=Subquery(
            _protective_orders()
            .annotate(end=Coalesce("ended_on", "expires"))
            .order_by(F("end").desc(nulls_last=True))
            .values("end")[:1]
        ),
        order_open=Exists(
            _protective_orders().filter(
                status=ProtectiveOrder.Status.IN_FORCE, expires__isnull=True
            )
        ),
    )


def _due_on_expression(schedules: dict[str, RetentionSchedule]):
    """SQL for the date a case falls due: the latest of each applicable schedule's (PostgreSQL's
    GREATEST passes over the NULLs of those that do not apply); NULL if none applies."""
    terms = []
    by_closure = {
        CaseOutcome.DECLINED: Q(status=Referral.Status.DECLINED),
        CaseOutcome.CONVICTED: Q(status=Referral.Status.CLOSED, convicted=True),
        CaseOutcome.NO_CONVICTION: Q(status=Referral.Status.CLOSED, convicted=False),
    }
    for outcome, condition in by_closure.items():
        if outcome in schedules:
            terms.append(
                Case(
                    When(
                        condition, then=_PlusYears(F("closed_on"), years=schedules[outcome].years)
                    ),
                    output_field=DateField(),
                )
            )
    if CaseOutcome.ORDER_IN_FORCE in schedules:
        terms.append(
            Case(
                When(
                    has_order=True,
                    then=_PlusYears(
                        F("order_end"), years=schedules[CaseOutcome.ORDER_IN_FORCE].years
                    ),
                ),
                output_field=DateField(),
            )
        )
    if not terms:
        return Value(None, output_field=DateField())
    return terms[0] if len(terms) == 1 else Greatest(*terms)


@dataclass(frozen=True)
class Due:
    """When a case falls due and why: the schedule that keeps it longest, and the date its
    years run from."""

    schedule: RetentionSchedule
    counted_from: date
    due_on: date


def retention_due(case: Referral, schedules: dict[str, RetentionSchedule]) -> Due | None:
    """The longest applicable schedule of a case annotated by `with_retention_facts`, or None
    (open, not closed on the trail, an order with no end, or no schedule applies)."""
    if case.status not in CLOSED_STATUSES or case.closed_on is None or case.order_open:
        return None
    if case.status == Referral.Status.DECLINED:
        outcome = CaseOutcome.DECLINED
    else:
        outcome = CaseOutcome.CONVICTED if case.convicted else CaseOutcome.NO_CONVICTION
    candidates = []
    if outcome in schedules:
        candidates.append((schedules[outcome], case.closed_on))
    if case.has_order and case.order_end and CaseOutcome.ORDER_IN_FORCE in schedules:
        candidates.append((schedules[CaseOutcome.ORDER_IN_FORCE], case.order_end))
    dues = [Due(s, start, plus_years(start, s.years)) for s, start in candidates]
    # The longest retention wins; on a tie, the closure's own outcome.
    return max(dues, key=lambda d: d.due_on, default=None)


def _closed_and_kept_cases(
    *, today: date, schedules: dict[str, RetentionSchedule], record_kind: str
) -> QuerySet[Referral]:
    """The closed cases that `schedules` may have made due on `today`: not erased, with no open
    review of `record_kind` (nor, for the case kind, any review of it), no active legal hold and
    no open case on their timeline. The trail's closure events (by their verb's index) narrow
    it first to the cases closed long enough ago for the shortest schedule to have run."""
    shortest = min(s.years for s in schedules.values())
    # Generous by a few days (leap days, the day's time zone): the exact test is `due_on`.
    closed_before = plus_years(today, -shortest) + timedelta(days=3)
    closure_ids = Event.objects.filter(
        verb__in=CLOSURE_VERBS,
        at__lt=timezone.make_aware(datetime.combine(closed_before, time.min)),
    ).values("referral_id")
    reviews = RetentionReview.objects.filter(referral_id=OuterRef("pk"), record_kind=record_kind)
    if record_kind != RecordKind.CASE:
        reviews = reviews.filter(status__in=RetentionReview.OPEN_STATUSES)
    return (
        Referral.objects.filter(
            status__in=CLOSED_STATUSES, pk__in=closure_ids, erased_at__isnull=True
        )
        .exclude(Exists(reviews))
        .exclude(Exists(active_holds().filter(referral_id=OuterRef("pk"))))
        .exclude(Q(timeline_id__isnull=False) & Exists(_open_on_timeline()))
    )


def _past_schedules(cases: QuerySet[Referral], schedules, *, today: date) -> QuerySet[Referral]:
    return (
        with_retention_facts(cases)
        .filter(closed_on__isnull=False, order_open=False)
        .annotate(due_on=_due_on_expression(schedules))
        .filter(due_on__lte=today)
        .order_by("pk")
    )


def due_cases(*, today: date) -> QuerySet[Referral]:
    """The closed cases past their retention on `today` (`_closed_and_kept_cases`: none
    reviewed yet), annotated as `with_retention_facts` and with `due_on`. One query."""
    schedules = case_schedules()
    if not schedules:
        return Referral.objects.none()
    cases = _closed_and_kept_cases(today=today, schedules=schedules, record_kind=RecordKind.CASE)
    return _past_schedules(cases, schedules, today=today)


def evidence_schedules() -> dict[str, RetentionSchedule]:
    """What keeps a case's evidence files, by outcome: the outcome's `evidence_file` schedule,
    or where it has none its case schedule (the files follow the case). Empty when no
    `evidence_file` schedule is set: the files then always go with their case."""
    own = case_schedules(RecordKind.EVIDENCE_FILE)
    return {**case_schedules(), **own} if own else {}


def due_evidence_cases(*, today: date) -> QuerySet[Referral]:
    """The closed cases whose evidence files are past their retention on `today` (the longest
    of `evidence_schedules` that applies) while the case itself has no open review: still
    holding un-erased files, with no open evidence review, and otherwise kept as
    `_closed_and_kept_cases` keeps them. Annotated like `due_cases`; one query."""
    schedules = evidence_schedules()
    if not schedules:
        return Referral.objects.none()
    cases = (
        _closed_and_kept_cases(
            today=today, schedules=schedules, record_kind=RecordKind.EVIDENCE_FILE
        )
        .filter(
            Exists(EvidenceFile.objects.filter(referral_id=OuterRef("pk"), erased_at__isnull=True))
        )
        .exclude(
            Exists(
                RetentionReview.objects.filter(
                    referral_id=OuterRef("pk"),
                    record_kind=RecordKind.CASE,
                    status__in=RetentionReview.OPEN_STATUSES,
                )
            )
        )
    )
    return _past_schedules(cases, schedules, today=today)


def case_retention(*, referral: Referral) -> Due | None:
    """When this case falls due for a retention review, or None (see `retention_due`)."""
    case = with_retention_facts(Referral.objects.filter(pk=referral.pk)).first()
    return retention_due(case, case_schedules()) if case is not None else None


# --- What a member may read ------------------------------------------------------------------


def _reach_filter(membership: Membership | None, *, prefix: str = "referral__") -> Q | None:
    """The cases inside the member's retention reach, as a filter; None for none."""
    reach = policy.retention_reach(membership)
    if reach is None:
        return None
    # Every row: a condition that holds (an empty Q would drop out of an OR).
    everything = Q(pk__isnull=False)
    if reach == "all":
        return everything
    if reach == "region":
        region = membership.agency.region
        return everything if not region else Q(**{f"{prefix}referrer_agency__region": region})
    return Q(**{f"{prefix}referrer_agency_id": membership.agency_id})


def in_reach(*, membership: Membership | None, referral: Referral) -> bool:
    where = _reach_filter(membership, prefix="")
    return where is not None and Referral.objects.filter(where, pk=referral.pk).exists()


def review_list(
    *,
    membership: Membership | None,
    statuses=RetentionReview.OPEN_STATUSES,
    record_kind: str | None = None,
) -> QuerySet[RetentionReview]:
    """The reviews of the cases in the member's reach (of one record kind, if given), oldest
    due first."""
    where = _reach_filter(membership)
    if where is None:
        return RetentionReview.objects.none()
    if record_kind is not None:
        where &= Q(record_kind=record_kind)
    return (
        RetentionReview.objects.filter(where, status__in=statuses)
        .select_related("referral", "referral__referrer_agency", "schedule", "decided_by")
        .annotate(held=Exists(active_holds().filter(referral_id=OuterRef("referral_id"))))
        .order_by("due_on", "pk")
    )


def review_get(*, membership: Membership | None, review_id: int) -> RetentionReview:
    """One review in the member's reach; `NotFound` otherwise."""
    review = (
        review_list(membership=membership, statuses=RetentionReview.Status.values)
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFound("No such retention review.")
    return review


def hold_case_get(*, membership: Membership | None, referral_id: int) -> Referral:
    """A case whose legal holds the member may be shown: in its retention reach, or one its
    agency may see now. `NotFound` otherwise."""
    reach = _reach_filter(membership, prefix="")
    if reach is None:
        raise NotFound()
    referral = (
        Referral.objects.filter(reach | case_visibility(membership), pk=referral_id)
        .select_related("referrer_agency")
        .first()
    )
    if referral is None:
        raise NotFound()
    return referral


def holds_of(*, referral: Referral) -> QuerySet[LegalHold]:
    """A case's holds, active first, newest first."""
    return (
        LegalHold.objects.filter(referral_id=referral.pk)
        .select_related("agency", "placed_by", "lifted_by")
        .order_by(F("lifted_at").desc(nulls_first=True), "-placed_at", "-pk")
    )


def hold_get(*, membership: Membership | None, hold_id: int) -> LegalHold:
    """One hold, of a case the member may be shown (`hold_case_get`); `NotFound` otherwise."""
    hold = LegalHold.objects.filter(pk=hold_id).select_related("referral").first()
    if hold is None:
        raise NotFound()
    hold_case_get(membership=membership, referral_id=hold.referral_id)
    return hold


def case_erased(*, referral: Referral) -> bool:
    """Whether the case's personal data was erased (as the case's row says now)."""
    return Referral.objects.filter(pk=referral.pk, erased_at__isnull=False).exists()


def schedule_list() -> QuerySet[RetentionSchedule]:
    return RetentionSchedule.objects.all()


def schedule_get(*, schedule_id: int) -> RetentionSchedule:
    schedule = RetentionSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound("No such retention schedule.")
    return schedule
