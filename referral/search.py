"""Finding cases: by reference, or by a victim's or suspect's name (aliases, accents and typos
tolerated), filtered and sorted, always within what the reader's agency may see.

A name is found only where the reader's agency may read it (`agencies.policy`: the `victim`
and `suspect` sections): a search by the victim's name finds nothing for an agency that may not
read victims, so it learns nothing from what matched. A case the agency may not see is never
found, and never counted (every read starts from `selectors.referral_list`).

Names are folded once, in Python, by `linking.normalise` (accents, case, punctuation and word
order: "Smith, Zoë" is "smith zoe"), both where they are stored (`PersonName`) and in the
query, the same way on PostgreSQL and SQLite. On PostgreSQL a name matches by its full-text
vector (every word of the query begins a word of the name: "jo smi" finds John Smith) or by
trigram similarity (typos: "Jonh Smyth" finds John Smith), each through a GIN index
(migration 0009), and the closest names come first. SQLite has neither: there every word of
the query must appear in one of the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import (
    Case,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Lower
from django.utils import timezone

from agencies import policy
from agencies.models import Membership

from . import linking, selectors
from .models import PersonName, Referral

# Below this trigram similarity a name is not a match. "Jonh Smyth" and "John Smith" are 0.29;
# pg_trgm's default (0.3) would miss them.
SIMILARITY_THRESHOLD = 0.25
# The longest query taken (a name with its aliases is shorter).
MAX_QUERY = 200

SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "risk": "Highest risk first",
    "reference": "Reference",
    "relevance": "Best match first",
}
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class CaseQuery:
    """What a reader asks of the referrals list (the page's filter form and the API's query
    parameters both make one); empty values ask nothing."""

    q: str = ""
    status: str = ""
    risk_level: str = ""
    region: str = ""
    agency: str = ""  # the referring agency's slug
    created_from: date | None = None
    created_to: date | None = None
    sort: str = ""

    @property
    def sort_or_default(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.q.strip()):
            return self.sort
        return "relevance" if self.q.strip() else "newest"


def searchable_roles(membership: Membership | None) -> list[str]:
    """Whose names the member's agency may find a case by: the people it may read."""
    return [
        role for role, section in ((PersonName.Role.VICTIM, "victim"),
                                   (PersonName.Role.SUSPECT, "suspect"))
        if policy.can_read(membership, section)
    ]


def referral_find(*, membership: Membership | None, query: CaseQuery) -> QuerySet[Referral]:
    """The referrals the member's agency may see that fit `query`, sorted as it asks, with the
    columns a list shows (`selectors.LIST_FIELDS`)."""
    referrals = selectors.referral_list(membership=membership)
    if query.status:
        referrals = referrals.filter(status=query.status)
    if query.risk_level:
        referrals = referrals.filter(risk_level=query.risk_level)
    if query.agency:
        referrals = referrals.filter(referrer_agency__slug=query.agency)
    if query.region:
        referrals = referrals.filter(referrer_agency__region=query.region)
    if query.created_from:
        referrals = referrals.filter(created_at__gte=_start_of(query.created_from))
    if query.created_to:
        referrals = referrals.filter(created_at__lt=_start_of(query.created_to + timedelta(days=1)))
    text = query.q.strip()[:MAX_QUERY]
    if text:
        referrals = _matching(referrals, text, searchable_roles(membership))
    return _sorted(referrals, query.sort_or_default)


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _matching(referrals: QuerySet[Referral], text: str, roles: list[str]) -> QuerySet[Referral]:
    """The referrals whose reference contains `text` (when it has a digit), or else one of whose
    people's names (of `roles`) matches it; annotated with `relevance` (for a reference, 2 when
    exact; for a name, the closest name's similarity).

    The cases that match are found first, from the indexes (one `IN` over the names that match
    and the references that contain the text); the reader's visibility then probes each of them,
    rather than each case the agency may see being tested against the text."""
    reference = text.strip().upper()
    if _HAS_DIGIT.search(text):
        # A reference, or a part of one (names hold no digits): references are upper case, and
        # LIKE on the column itself uses its trigram index.
        found = Referral.objects.filter(reference__contains=reference).values("pk")
        return referrals.filter(pk__in=found).annotate(
            relevance=_reference_relevance(reference)
        )
    folded = linking.normalise(text)
    if not folded or not roles:
        return referrals.none()
    found = _names_matching(folded).filter(role__in=roles).values("referral_id")
    relevance = Value(1.0, output_field=FloatField())
    if connection.vendor == "postgresql":
        # How close the case's people's names (those the reader may read) are to the query:
        # computed on the names the list reads anyway, so ranking costs no query per case.
        # Trigram similarity ignores word order; `unaccent` and `lower` fold what
        # `linking.normalise` folds. A case found by an alias ranks by its main names.
        people = [f"{'victim' if role == PersonName.Role.VICTIM else 'suspect'}__name"
                  for role in roles]
        scores = [TrigramSimilarity(Lower(Unaccent(F(name))), folded) for name in people]
        relevance = Coalesce(Greatest(*scores) if len(scores) > 1 else scores[0], Value(0.0))
    return referrals.filter(pk__in=found).annotate(relevance=relevance)


def _reference_relevance(reference: str) -> Case:
    return Case(
        When(reference=reference, then=Value(2.0)), default=Value(1.0),
        output_field=FloatField(),
    )


def _names_matching(folded: str) -> QuerySet[PersonName]:
    """The name rows matching a folded query."""
    words = folded.split()
    if connection.vendor != "postgresql":
        rows = PersonName.objects.all()
        for word in words:
            rows = rows.filter(normalised__contains=word)
        return rows
    _set_similarity_threshold()
    prefixes = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    return PersonName.objects.annotate(
        words=SearchVector("normalised", config="simple")
    ).filter(Q(words=prefixes) | Q(normalised__trigram_similar=folded))


def _set_similarity_threshold() -> None:
    """pg_trgm's `%` operator (the indexed trigram match) compares with a setting of the
    connection, not an argument: the search sets it before it asks. Nothing else uses `%`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
            [str(SIMILARITY_THRESHOLD)],
        )


def _sorted(referrals: QuerySet[Referral], sort: str) -> QuerySet[Referral]:
    if sort == "relevance":
        return referrals.order_by(F("relevance").desc(), "-created_at", "-id")
    if sort == "oldest":
        return referrals.order_by("created_at", "id")
    if sort == "risk":
        # "high" < "medium" < "standard": the levels' names sort highest first, so the list
        # walks the (risk_level, created_at, id) index and stops at its page.
        return referrals.order_by("risk_level", "-created_at", "-id")
    if sort == "reference":
        return referrals.order_by("reference")
    return referrals.order_by("-created_at", "-id")
