"""Data protection's services: retention schedules, legal holds, the daily sweep and the
reviews (`privacy.services.retention`); subject access requests, their decisions and bundles
(`privacy.services.subject_access`)."""

from .retention import (  # noqa: F401
    legal_hold_lift,
    legal_hold_place,
    retention_review_decide,
    retention_schedule_create,
    retention_schedule_update,
    retention_sweep,
)
from .subject_access import (  # noqa: F401
    ItemChoice,
    RequestDraft,
    check_dpo,
    privacy_storage,
    redact,
    subject_access_bundle_open,
    subject_access_close,
    subject_access_create,
    subject_access_disclose,
    subject_access_item_decide,
    subject_access_records_read_record,
    subject_access_search,
)
