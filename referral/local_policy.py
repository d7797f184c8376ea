"""The region's local policy in effect: versioned rules kept as data (`LocalPolicy`).

Statutory clocks (the three days of an SPO's notification duty, the Victims' Code's days) stay in
code beside their citation; what each force or partnership decides for itself (the hours to act
on a breach, the counts that turn a screen into a level, the conference criteria) is here, so
that a decision can say which version it followed.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from config.exceptions import DomainError, NotAllowed

from .events import local_policy_set_event
from .models import LocalPolicy


class NoLocalPolicy(LookupError):
    """No version of the key is in effect, neither the region's nor the default."""


def local_policy(key: str, *, region: str, at: datetime | None = None) -> LocalPolicy:
    """The version of `key` in effect at `at` (now): the region's latest, else the default's."""
    at = at or timezone.now()
    found = (
        LocalPolicy.objects.filter(key=key, region__in={region, ""}, effective_from__lte=at)
        .annotate(
            own=Case(When(region=region, then=Value(0)), default=Value(1),
                     output_field=IntegerField())
        )
        .order_by("own", "-effective_from", "-version")
        .first()
    )
    if found is None:
        raise NoLocalPolicy(key)
    return found


def policies_in_effect(*, region: str, at: datetime | None = None) -> list[LocalPolicy]:
    """Every key's version in effect for the region, in the order of `LocalPolicy.Key`."""
    found = []
    for key in LocalPolicy.Key.values:
        try:
            found.append(local_policy(key, region=region, at=at))
        except NoLocalPolicy:
            continue
    return found


def _counts(value, *, names: tuple[str, ...]) -> bool:
    return isinstance(value, dict) and set(value) == set(names) and all(
        isinstance(value[n], int) and not isinstance(value[n], bool) and value[n] >= 0
        for n in names
    )


def check_value(key: str, value) -> list[str]:
    """What is wrong with a policy value for `key` (nothing: an empty list)."""
    if not isinstance(value, dict) or not value:
        return ["Expected a JSON object."]
    if key == LocalPolicy.Key.SCREENING_THRESHOLDS:
        for slug, counts in value.items():
            if not _counts(counts, names=("medium", "high")):
                return [f"{slug}: expected {{\"medium\": n, \"high\": n}} (whole numbers)."]
            if not 0 < counts["medium"] <= counts["high"]:
                return [f"{slug}: medium must be at least 1 and no more than high."]
    elif key == LocalPolicy.Key.ENFORCEMENT_DEADLINE:
        if "default" not in value:
            return ["A \"default\" deadline is needed."]
        for kind, deadline in value.items():
            if not (_counts(deadline, names=("hours",)) or _counts(deadline,
                                                                   names=("working_days",))):
                return [f"{kind}: expected {{\"hours\": n}} or {{\"working_days\": n}}."]
    elif key == LocalPolicy.Key.CONFERENCE_CRITERIA and not isinstance(
        value.get("repeat_within_months", 0), int
    ):
        return ["repeat_within_months: a whole number of months."]
    return []


@transaction.atomic
def local_policy_set(
    *, key: str, region: str, value: dict, reason: str, actor, membership: Membership | None,
    effective_from: datetime | None = None,
) -> LocalPolicy:
    """A new version of the region's `key` (never an edit of one in force: decisions made under
    the older version keep pointing at it), in effect from `effective_from` (now). Only a member
    who may set local policy, for their own agency's region (region "" is the default, set from
    an agency without a region); a reason is required. On the trail as `local_policy.set`."""
    if not policy.may(membership, "set_local_policy"):
        raise NotAllowed("Your role may not set local policy.")
    if region != membership.agency.region:
        raise NotAllowed(
            f"You set your own region's policy ({membership.agency.region or 'the default'})."
        )
    if key not in LocalPolicy.Key.values:
        raise DomainError("Unknown policy.", fields={"key": [f"One of {LocalPolicy.Key.values}."]})
    if not reason.strip():
        raise DomainError("Say why.", fields={"reason": ["Required."]})
    problems = check_value(key, value)
    if problems:
        raise DomainError("The value does not fit this policy.", fields={"value": problems})
    # The key's rows of this region, locked: two settings at once get consecutive versions (a
    # region's first two at once: the unique version refuses the second).
    versions = list(
        LocalPolicy.objects.select_for_update()
        .filter(key=key, region=region)
        .values_list("version", flat=True)
    )
    row = LocalPolicy.objects.create(
        key=key, region=region, version=max(versions, default=0) + 1, value=value, reason=reason,
        effective_from=effective_from or timezone.now(), set_by=actor,
    )
    local_policy_set_event(row=row, actor=actor)
    return row
