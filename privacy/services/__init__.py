"""Data protection's services: retention schedules, legal holds, the daily sweep and the
reviews (`privacy.services.retention`)."""

from .retention import (  # noqa: F401
    legal_hold_lift,
    legal_hold_place,
    retention_review_decide,
    retention_schedule_create,
    retention_schedule_update,
    retention_sweep,
)
