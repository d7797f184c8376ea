"""Data protection's records: retention schedules, legal holds and reviews
(`privacy.models.retention`); subject access requests and their bundles
(`privacy.models.subject_access`)."""

from .retention import *  # noqa: F401,F403
from .subject_access import *  # noqa: F401,F403
