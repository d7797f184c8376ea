"""What an offence's state counts as, for the reports that count outcomes: where it stands with
the police and CPS, the sentence groups, and what a case's outcome is."""

from __future__ import annotations

from django.db.models import Q

from justice.models import Offence

Status = Offence.Status
Disposal = Offence.Disposal

# Where an offence stands now with the police and CPS, furthest first: each offence is in
# exactly one; a case stands where the furthest of its offences does.
CHARGED_STATUSES = (Status.CHARGED, Status.CONVICTED, Status.ACQUITTED, Status.DISCONTINUED)
_OUT_OF_COURT_POLICE = ("cautioned", "community_resolution")
POLICE_OUTCOMES: tuple[tuple[str, str, Q], ...] = (
    ("charged", "Charged (by police or CPS)", Q(status__in=CHARGED_STATUSES)),
    ("cautioned", "Cautioned", Q(status=Status.OUT_OF_COURT, police_outcome="cautioned")),
    (
        "community_resolution",
        "Community resolution",
        Q(status=Status.OUT_OF_COURT, police_outcome="community_resolution"),
    ),
    (
        "out_of_court_other",
        "Other out-of-court disposal (CPS)",
        Q(status=Status.OUT_OF_COURT) & ~Q(police_outcome__in=_OUT_OF_COURT_POLICE),
    ),
    ("no_further_action", "No further action (police or CPS)", Q(status=Status.NO_FURTHER_ACTION)),
    (
        "released_under_investigation",
        "Released under investigation",
        Q(status=Status.OPEN, police_outcome="released_under_investigation"),
    ),
    (
        "under_investigation",
        "Still under investigation, no outcome yet",
        Q(status=Status.OPEN) & ~Q(police_outcome="released_under_investigation"),
    ),
)

# The sentence groups counted, each a set of disposals.
SENTENCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("immediate_custody", "Immediate custody", (Disposal.IMMEDIATE_CUSTODY,)),
    ("suspended_sentence", "Suspended sentence", (Disposal.SUSPENDED_SENTENCE,)),
    ("community_order", "Community order", (Disposal.COMMUNITY_ORDER,)),
    ("fine", "Fine", (Disposal.FINE,)),
    (
        "discharge",
        "Conditional or absolute discharge",
        (Disposal.CONDITIONAL_DISCHARGE, Disposal.ABSOLUTE_DISCHARGE),
    ),
    (
        "other_sentence",
        "Other sentence (hospital order, other)",
        (Disposal.HOSPITAL_ORDER, Disposal.OTHER),
    ),
)

# What a case's outcome counts, each true of a case when it is true of any of its offences.
CASE_OUTCOMES: tuple[tuple[str, str, Q], ...] = (
    ("charged", "Charged", Q(status__in=CHARGED_STATUSES)),
    ("convicted", "Convicted", Q(status=Status.CONVICTED)),
    ("acquitted", "Acquitted", Q(status=Status.ACQUITTED)),
    *((key, label, Q(disposal__in=disposals)) for key, label, disposals in SENTENCES),
)
