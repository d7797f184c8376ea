"""(being written)"""

from __future__ import annotations

from ..cohort import Cohort
from ..tables import Table


def build(cohort: Cohort) -> tuple[Table, ...]:
    return ()
