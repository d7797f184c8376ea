"""API tokens looked up through Django's cache (Redis), as Zulip caches its API keys.

Every API request presents a token; its row, user, membership and agency are kept in the cache
under the token's digest (the key holds no token: the digest is what the table stores), for at
most CACHE_SECONDS and never past the token's expiry. A miss reads the database
(`selectors.live_token`).

Whatever ends a token or changes what its entry holds forgets the entry (`forget`, from
`agencies.receivers`): a deleted token (revoked, logged out, logout everywhere, a password
change, deactivation, past the per-user limit, its user deleted), a changed token, user,
membership or agency. Forgetting writes a marker rather than deleting the key, at once and again
when the transaction commits; an entry is only ever added where no key is (`cache.add`), so a
request that read the row before the change committed cannot put it back. A marker lasts
CACHE_SECONDS; meanwhile the token is read from the database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from .models import ApiToken
from .selectors import live_token, remember_membership, token_stands

CACHE_SECONDS = 300
_FORGOTTEN = "forgotten"


def _key(digest: str) -> str:
    return f"api-token:{digest}"


def cached_live_token(token: str) -> ApiToken | None:
    """`selectors.live_token`, from the cache when it holds the token."""
    if not token or len(token) > 2 * CONSTANTS.DIGEST_LENGTH:
        return None
    digest = hash_token(token)
    key = _key(digest)
    entry = cache.get(key)
    if isinstance(entry, ApiToken):
        if not token_stands(entry):
            return None
        remember_membership(entry.user, getattr(entry.user, "membership", None))
        return entry
    found = live_token(token, digest=digest)
    if found is not None and entry is None:
        seconds = min(CACHE_SECONDS, int((found.expiry - timezone.now()).total_seconds()))
        if seconds > 0:
            cache.add(key, found, timeout=seconds)
    return found


def forget(digests: Iterable[str]) -> None:
    """Forget the cached entries of these tokens, now and when the transaction commits."""
    keys = [_key(digest) for digest in digests]
    if not keys:
        return

    def mark() -> None:
        cache.set_many(dict.fromkeys(keys, _FORGOTTEN), timeout=CACHE_SECONDS)

    mark()
    transaction.on_commit(mark)


def forget_tokens_of_user(user_id: int) -> None:
    """Forget the cached entries of a user's tokens."""
    forget(ApiToken.objects.filter(user_id=user_id).values_list("digest", flat=True))


def forget_tokens_of_agency(agency_id: int) -> None:
    """Forget the cached entries of the tokens of an agency's members."""
    forget(
        ApiToken.objects.filter(user__membership__agency_id=agency_id)
        .values_list("digest", flat=True)
    )
