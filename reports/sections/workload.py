"""Overdue work, by agency: each agency's open tasks and how many are past their due time,
and its open conference actions and how many are past their due day.

A conference action is worked as an `action` task for its agency (`workflows.services.
action_assign`), so it counts among the agency's tasks as well; the action columns count the
actions themselves, open until the agency reports an outcome. Only work on the cohort's cases
counts (work on no case, such as sending a meeting's minutes, belongs to no cohort). A case
agency's reader sees its own agency's row alone. Two grouped queries.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from conferences.models import ConferenceAction
from workflows.models import AgencyTask

from ..cohort import Cohort
from ..tables import Column, Row, Table, share

COUNTS = ("open", "overdue", "escalated", "actions_open", "actions_overdue")


def build(cohort: Cohort) -> tuple[Table, ...]:
    now = timezone.now()
    agencies: dict[int, dict] = {}
    for row in _tasks(cohort, now):
        agencies.setdefault(row["agency_id"], _blank(row))
        agencies[row["agency_id"]].update(
            open=row["open"], overdue=row["overdue"], escalated=row["escalated"]
        )
    for row in _actions(cohort, now):
        agencies.setdefault(row["agency_id"], _blank(row))
        agencies[row["agency_id"]].update(
            actions_open=row["actions_open"], actions_overdue=row["actions_overdue"]
        )
    ordered = sorted(agencies.values(), key=lambda a: (a["name"].lower(), a["slug"]))
    return (_table(ordered),)


def _scoped(queryset, cohort: Cohort, *, case: str = "referral_id"):
    """Work on the cohort's cases (`case`: the field holding the case), and for a case
    agency's reader its own agency's alone."""
    queryset = cohort.rows_of(queryset, case)
    if cohort.scope_group is not None:
        queryset = queryset.filter(agency__group_id=cohort.scope_group)
    return queryset


def _tasks(cohort: Cohort, now) -> list[dict]:
    return list(
        _scoped(AgencyTask.objects.filter(is_open=True), cohort)
        .order_by()
        .values("agency_id", "agency__name", "agency__slug")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due__lt=now)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        )
    )


def _actions(cohort: Cohort, now) -> list[dict]:
    actions = ConferenceAction.objects.filter(outcome="")
    return list(
        _scoped(actions, cohort, case="item__referral_id")
        .order_by()
        .values("agency_id", "agency__name", "agency__slug")
        .annotate(
            actions_open=Count("pk"),
            actions_overdue=Count("pk", filter=Q(due__lt=timezone.localdate(now))),
        )
    )


def _blank(row: dict) -> dict:
    return {"name": row["agency__name"], "slug": row["agency__slug"], **dict.fromkeys(COUNTS, 0)}


def _table(agencies: list[dict]) -> Table:
    def values(a: dict) -> dict:
        return {
            **{key: a[key] for key in COUNTS},
            "overdue_share": share(a["overdue"], a["open"]),
            "actions_overdue_share": share(a["actions_overdue"], a["actions_open"]),
        }

    totals = {key: sum(a[key] for a in agencies) for key in COUNTS}
    return Table(
        key="overdue_by_agency",
        title="Open and overdue work, by agency",
        columns=(
            Column("open", "Open tasks"),
            Column("overdue", "Overdue tasks"),
            Column("overdue_share", "Share overdue", kind="share", numerator="overdue", of="open"),
            Column("escalated", "Open tasks escalated"),
            Column("actions_open", "Open conference actions"),
            Column("actions_overdue", "Overdue conference actions"),
            Column(
                "actions_overdue_share",
                "Share of actions overdue",
                kind="share",
                numerator="actions_overdue",
                of="actions_open",
            ),
        ),
        rows=tuple(Row(a["slug"], a["name"], values(a)) for a in agencies),
        total=Row("total", "All agencies", values({"name": "", "slug": "", **totals})),
        parts=True,
        chart="bar",
        chart_column="overdue_share",
        note=(
            "Open tasks on the period's cases, as they stand now: overdue past their due time, "
            "escalated once the overdue sweep found them; conference actions open until their "
            "agency reports an outcome, overdue after their due day. Actions are also counted "
            "among their agency's tasks."
        ),
    )
