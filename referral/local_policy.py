"""The region's local policy in effect: versioned rules kept as data (`LocalPolicy`).

Statutory clocks (the three days of an SPO's notification duty, the Victims' Code's days) stay in
code beside their citation; what each force or partnership decides for itself (the hours to act
on a breach, the counts that turn a screen into a level, the conference criteria) is here, so
that a decision can say which version it followed.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

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
