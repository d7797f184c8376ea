"""Working days in England and Wales: weekends and bank holidays (kept as data) do not count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone

from .models import BankHoliday


@lru_cache(maxsize=1)
def _holidays_cached(version: int) -> frozenset[date]:
    return frozenset(BankHoliday.objects.values_list("date", flat=True))


def holidays() -> frozenset[date]:
    # Cached per process; `refresh_holidays()` after editing the table.
    return _holidays_cached(0)


def refresh_holidays() -> None:
    _holidays_cached.cache_clear()


def is_working_day(day: date, bank_holidays: frozenset[date] | None = None) -> bool:
    bank_holidays = holidays() if bank_holidays is None else bank_holidays
    return day.weekday() < 5 and day not in bank_holidays


def add_working_days(start: date, days: int, bank_holidays: frozenset[date] | None = None) -> date:
    """The date `days` working days after `start` (before it, for negative `days`)."""
    bank_holidays = holidays() if bank_holidays is None else bank_holidays
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day, bank_holidays):
            remaining -= 1
    return day


def end_of_day(day: date) -> datetime:
    """17:30 local time on `day`: a deadline "within N working days" ends at close of business."""
    return timezone.make_aware(datetime.combine(day, time(17, 30)))


def due_in_working_days(days: int, *, now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return end_of_day(add_working_days(timezone.localdate(now), days))
