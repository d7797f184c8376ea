"""Referrals and screening: how many were referred, when, and what became of the referral."""

from __future__ import annotations

from ..cohort import Cohort
from ..series import monthly_counts, monthly_table
from ..tables import Table


def build(cohort: Cohort) -> tuple[Table, ...]:
    referrals = cohort.referrals()
    return (
        monthly_table(
            "referred_by_month",
            "Referrals by month",
            monthly_counts(referrals, "created_at"),
            label="Referrals",
            note="Each case in the month its referral was received.",
        ),
    )
