"""The Victims' Code: whether each duty holder kept the victim informed on time, and the support
victims had (enhanced rights, a named advocate, a safety plan, the right to review).

Three queries, whatever the number of cases: the updates made (contact entries owed under the
Code) grouped by agency kind and trigger; the updates still owed (open tasks) grouped the same
way; the cohort's cases with what support each had.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from agencies.models import AgencyKind
from victims.models import (
    AdvocateAssignment,
    ContactEntry,
    RightToReview,
    SafetyPlan,
    SafetyPlanReview,
)
from workflows.models import AgencyTask, TaskType
from workflows.services.victims import DUTY_HOLDERS, TRIGGER_REASONS, WITNESS_CARE

from ..cohort import Cohort
from ..sql import among
from ..tables import Column, Table, counts_table, share, shares_of_total

# The Code's duty holders: police for the investigation, their witness care unit for the court
# case, CPS for its letters; an update another kind of agency owed keeps its kind.
DUTY_HOLDER_LABELS = {
    "police": "Police (the investigation)",
    WITNESS_CARE: "Witness care (the court case)",
    "cps": "Crown Prosecution Service",
}
UPDATE_TASKS = (TaskType.VICTIM_UPDATE, TaskType.VICTIM_LETTER)
COUNTS = ("due", "made", "on_time", "late", "overdue", "pending")


def build(cohort: Cohort) -> tuple[Table, ...]:
    by_holder, by_trigger = _update_counts(cohort)
    holders = [*DUTY_HOLDER_LABELS, *sorted(set(by_holder) - set(DUTY_HOLDER_LABELS))]
    triggers = [*TRIGGER_REASONS, *sorted(set(by_trigger) - set(TRIGGER_REASONS))]
    return (
        _updates_table(
            "updates_by_duty_holder",
            "Updates to the victim, by duty holder",
            by_holder,
            ((h, DUTY_HOLDER_LABELS.get(h) or _kind_label(h)) for h in holders),
            note=(
                "Each update the Victims' Code owed the victim of a case of the cohort (5 "
                "working days, 1 with enhanced rights), by the duty holder: an agency kind, "
                "with the police's witness care unit apart for the court case. Agencies are "
                "not named, so that a small unit is not singled out. Due counts the updates "
                "made and those still owed past their time; the share on time is of those."
            ),
        ),
        _updates_table(
            "updates_by_trigger",
            "Updates to the victim, by what made them due",
            by_trigger,
            ((t, (TRIGGER_REASONS.get(t) or t or "not known").capitalize()) for t in triggers),
            note="The same updates by the event in the case the victim had to be told of.",
        ),
        support(cohort),
    )


def duty_holder(agency_kind: str, trigger: str) -> str:
    """Who owed an update made or owed by an agency of `agency_kind` for `trigger`."""
    if agency_kind == AgencyKind.POLICE:
        _, _, holder = DUTY_HOLDERS.get(trigger, ("", "", "police"))
        return WITNESS_CARE if holder == WITNESS_CARE else "police"
    return agency_kind or "unknown"


def _update_counts(cohort: Cohort) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """({duty holder: Counter}, {trigger: Counter}) of made, on time and late updates, and
    open ones overdue or pending, from two grouped queries."""
    now = timezone.now()
    made = (
        cohort.rows_of(ContactEntry.objects.filter(due__isnull=False))
        .order_by()
        .values("agency__kind", "trigger")
        .annotate(made=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    )
    owed = (
        cohort.rows_of(AgencyTask.objects.filter(task_type__in=UPDATE_TASKS, is_open=True))
        .order_by()
        .values("agency__kind", "process__data__context__trigger")
        .annotate(
            overdue=Count("pk", filter=Q(due__lt=now)),
            pending=Count("pk", filter=~Q(due__lt=now)),
        )
    )
    by_holder: dict[str, Counter] = {}
    by_trigger: dict[str, Counter] = {}

    def add(kind: str, trigger: str, counts: dict) -> None:
        trigger = trigger or ""
        for bucket, key in ((by_holder, duty_holder(kind, trigger)), (by_trigger, trigger)):
            bucket.setdefault(key, Counter()).update(counts)

    for r in made:
        add(
            r["agency__kind"],
            r["trigger"],
            {
                "made": r["made"],
                "on_time": r["on_time"],
                "late": r["made"] - r["on_time"],
            },
        )
    for r in owed:
        add(
            r["agency__kind"],
            r["process__data__context__trigger"],
            {
                "overdue": r["overdue"],
                "pending": r["pending"],
            },
        )
    return by_holder, by_trigger


def _kind_label(kind: str) -> str:
    return AgencyKind(kind).label if kind in AgencyKind.values else kind.replace("_", " ")


def _values(counts: Counter) -> dict:
    values: dict = {key: counts[key] for key in COUNTS}
    values["due"] = counts["made"] + counts["overdue"]
    values["on_time_share"] = share(values["on_time"], values["due"])
    return values


def _updates_table(
    key: str,
    title: str,
    found: dict[str, Counter],
    rows: Iterable[tuple[str, str]],
    *,
    note: str,
) -> Table:
    return counts_table(
        key=key,
        title=title,
        columns=(
            Column("due", "Updates due"),
            Column("made", "Made"),
            Column("on_time", "Made on time"),
            Column("late", "Made late"),
            Column("overdue", "Not made, overdue"),
            Column("pending", "Not yet due"),
            Column("on_time_share", "Share on time", "share", of="due", numerator="on_time"),
        ),
        found=found,
        rows=rows,
        values=_values,
        total_label="All updates",
        chart_column="on_time_share",
        note=note,
    )


SUPPORT_ROWS = (
    ("enhanced", "Enhanced rights under the Code"),
    ("advocate_ever", "A named advocate, ever"),
    ("advocate_now", "A named advocate now"),
    ("safety_plan", "A safety plan agreed"),
    ("safety_plan_reviewed", "A safety plan reviewed"),
    ("review_offered", "The right to review a decision not to prosecute offered"),
    ("review_requested", "A review requested"),
)


def support(cohort: Cohort) -> Table:
    """The cohort's victims (one a case) and the support each had, in one query."""
    advocates = AdvocateAssignment.objects.values("referral_id")
    reviews = RightToReview.objects.values("referral_id")
    figures = (
        cohort.referrals()
        .order_by()
        .annotate(
            has_advocate_ever=among(advocates),
            has_advocate_now=among(advocates.filter(ended_on__isnull=True)),
            has_safety_plan=among(SafetyPlan.objects.values("referral_id")),
            has_safety_plan_reviewed=among(SafetyPlanReview.objects.values("plan__referral_id")),
            has_review_offered=among(reviews),
            has_review_requested=among(reviews.filter(requested_on__isnull=False)),
        )
        .aggregate(
            cases=Count("pk"),
            enhanced=Count("pk", filter=Q(victim_enhanced_rights=True)),
            **{
                key: Count("pk", filter=Q(**{f"has_{key}": True}))
                for key, _ in SUPPORT_ROWS
                if key != "enhanced"
            },
        )
    )
    return shares_of_total(
        key="support",
        title="Support for victims",
        rows=SUPPORT_ROWS,
        figures=figures,
        total=figures["cases"],
        count_label="Victims",
        share_label="Share of victims",
        total_label="Victims (cases)",
        note=(
            "The victim of each case of the cohort, once: with enhanced rights under the Code "
            "now, a named advocate (ever, and now), a safety plan agreed and reviewed, and the "
            "right to review a decision not to prosecute offered and asked for."
        ),
    )
