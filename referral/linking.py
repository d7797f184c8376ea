"""Finding the same victim or suspect across referrals: normalised name or alias, birth date."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from .models import PersonName

_NOT_LETTERS = re.compile(r"[^a-z ]+")


def normalise(name: str) -> str:
    """Case, accents, punctuation and word order do not matter: 'Smith, Jóhn' == 'john smith'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _NOT_LETTERS.sub(" ", text).split()
    return " ".join(sorted(words))


def names_of(name: str, aliases: Iterable[str]) -> set[str]:
    return {n for n in (normalise(x) for x in [name, *aliases]) if n}


def matching_referral_ids(*, role: str, names: set[str], date_of_birth: date | None) -> set[int]:
    """Referrals whose victim (or suspect) has one of these names and this date of birth.

    Without a date of birth there is no match: a shared name alone links strangers.
    """
    if date_of_birth is None or not names:
        return set()
    return set(
        PersonName.objects.filter(
            role=role, normalised__in=names, date_of_birth=date_of_birth
        ).values_list("referral_id", flat=True)
    )


def name_rows(*, referral, role: str, names: set[str], date_of_birth: date | None) -> list:
    """The rows of a person's names; without a date of birth they serve the search only."""
    return [
        PersonName(referral=referral, role=role, normalised=n, date_of_birth=date_of_birth)
        for n in sorted(names)
    ]
