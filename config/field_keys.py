"""The keys of the fields encrypted at rest (`FIELD_ENCRYPTION_KEYS`), newest first.

Each key is a Fernet key (32 random bytes, url-safe base64), given from outside the database:
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
Values are written with the first key and read with whichever key wrote them. Kept apart from
the fields (`config.encryption`) so that the settings can check the keys before Django starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: encrypted fields need a key.")
    fernets = []
    for position, key in enumerate(keys, 1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # The key itself is never repeated in the message: it ends up in logs.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} of {len(keys)} is not a Fernet key "
                "(32 bytes in url-safe base64)."
            ) from None
    return MultiFernet(fernets), fernets[0]


def field_keys(keys: Iterable[str]) -> tuple[MultiFernet, Fernet]:
    """(every key, to read; the newest alone, to tell what is written with it). Raises
    ImproperlyConfigured when there is no key or one is not a Fernet key."""
    return _fernets(tuple(k.strip() for k in keys if k.strip()))
