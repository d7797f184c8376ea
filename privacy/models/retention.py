"""Retention schedules, legal holds and the reviews of what is due."""

__all__: list[str] = []
