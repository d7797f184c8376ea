"""Finding the same victim or suspect across referrals: a normalised name or alias with the
date of birth, or a key an agency holds for them (a PNC id, a phone number, an email address, an
online account), normalised so that two spellings of one key match."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

import phonenumbers
from django.db.models import Q

from .models import PersonIdentifier, PersonName

_NOT_LETTERS = re.compile(r"[^a-z ]+")


def normalise(name: str) -> str:
    """Case, accents, punctuation and word order do not matter: 'Smith, Jóhn' == 'john smith'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _NOT_LETTERS.sub(" ", text).split()
    return " ".join(sorted(words))


def names_of(name: str, aliases: Iterable[str]) -> set[str]:
    return {n for n in (normalise(x) for x in [name, *aliases]) if n}


def matching_referral_ids(
    *, role: str, names: set[str], date_of_birth: date | None,
    identifiers: Iterable[tuple[str, str]] = (),
) -> set[int]:
    """Referrals whose victim (or suspect) has one of these names and this date of birth, or one
    of these identifiers ((kind, normalised) pairs) recorded for the same role.

    A name without a date of birth matches nothing (a shared name alone links strangers); an
    identifier needs none (the same PNC id is the same person).
    """
    found: set[int] = set()
    if date_of_birth is not None and names:
        found |= set(
            PersonName.objects.filter(
                role=role, normalised__in=names, date_of_birth=date_of_birth
            ).values_list("referral_id", flat=True)
        )
    keys = Q()
    for kind, normalised in set(identifiers):
        keys |= Q(kind=kind, normalised=normalised)
    if keys:
        found |= set(
            PersonIdentifier.objects.filter(keys, role=role).values_list("referral_id", flat=True)
        )
    return found


# --- Identifiers ------------------------------------------------------------------------------

PHONE_REGION = "GB"
_SPACES = re.compile(r"\s+")


class BadIdentifier(ValueError):
    """A value that cannot be the identifier it is said to be (its message says why)."""


def normalised_identifier(kind: str, value: str, platform: str = "") -> str:
    """The form two spellings of one key share: a phone number in E.164 (UK numbers may omit
    +44: `07700 900982` is `+447700900982`), an email address lower-cased, an online account as
    `platform:handle` lower-cased without a leading @, a PNC id upper-cased without spaces."""
    value = value.strip()
    if not value:
        raise BadIdentifier("Enter the identifier.")
    K = PersonIdentifier.Kind
    if kind == K.PHONE:
        try:
            number = phonenumbers.parse(value, PHONE_REGION)
        except phonenumbers.NumberParseException:
            raise BadIdentifier("Not a phone number.") from None
        if not phonenumbers.is_possible_number(number):
            raise BadIdentifier("Not a phone number.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == K.EMAIL:
        email = value.lower()
        local, at, domain = email.rpartition("@")
        if not at or not local or "." not in domain or _SPACES.search(email):
            raise BadIdentifier("Not an email address.")
        return email
    if kind == K.ONLINE_ACCOUNT:
        platform = _SPACES.sub(" ", platform.strip().lower())
        if not platform:
            raise BadIdentifier("Name the platform of the online account.")
        handle = value.lower().removeprefix("@").strip()
        if not handle:
            raise BadIdentifier("Enter the account's name.")
        return f"{platform}:{handle}"
    if kind == K.PNC_ID:
        return _SPACES.sub("", value).upper()
    raise BadIdentifier(f"Not a kind of identifier: {kind}.")


IDENTIFIER_COLUMNS = ("id", "role", "kind", "platform", "value", "normalised", "agency__slug",
                      "created_at")


def identifier_rows(*, referral_id: int, roles: Iterable[str]) -> list[dict]:
    """The identifiers of a referral's people of these roles, oldest first, as rows of
    `IDENTIFIER_COLUMNS` (one query; none for no role)."""
    roles = list(roles)
    if not roles:
        return []
    return list(
        PersonIdentifier.objects.filter(referral_id=referral_id, role__in=roles)
        .order_by("created_at", "id")
        .values(*IDENTIFIER_COLUMNS)
    )


def name_rows(*, referral, role: str, names: set[str], date_of_birth: date | None) -> list:
    """The rows of a person's names; without a date of birth they serve the search only."""
    return [
        PersonName(referral=referral, role=role, normalised=n, date_of_birth=date_of_birth)
        for n in sorted(names)
    ]
