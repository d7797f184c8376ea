"""Reads about agencies and members."""

from __future__ import annotations

from django.db.models import QuerySet

from config.compiled import CompiledQuery

from .models import Agency, Membership

# Asked by every signed-in page and by a meeting's sockets on every message: compiled once.
_MEMBERSHIP = CompiledQuery(
    lambda user: Membership.objects.select_related("agency").filter(user_id=user),
    prepare="membership", user=int,
)


def membership_of(user) -> Membership | None:
    """The signed-in user's membership with its agency, loaded once per request object."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_concord_membership", False)
    if cached is not False:
        return cached
    found = _MEMBERSHIP.objects(user=user.pk, limit=1)
    return _remember_membership(user, found[0] if found else None)


def _remember_membership(user, membership: Membership | None) -> Membership | None:
    user._concord_membership = membership
    if membership is not None:
        # Keep `user.membership` consistent with the cached row, without another query.
        user._state.fields_cache["membership"] = membership
    return membership


def _token_with_member(key: str):
    from rest_framework.authtoken.models import Token

    return Token.objects.select_related("user__membership__agency").filter(key=key)


# Every API request and token-signed socket reads it: compiled once (config/compiled.py).
_TOKEN_WITH_MEMBER = CompiledQuery(_token_with_member, prepare="token", key=str)


def active_token(key: str):
    """The API token with this key if its user is active, with the user's membership and agency
    loaded (`membership_of` answers without a query), or None."""
    found = _TOKEN_WITH_MEMBER.objects(key=key, limit=1)
    if not found or not found[0].user.is_active:
        return None
    token = found[0]
    _remember_membership(token.user, getattr(token.user, "membership", None))
    return token


def agencies_by_slug(slugs) -> dict[str, Agency]:
    return {a.slug: a for a in Agency.objects.filter(slug__in=list(slugs), is_active=True)}


def agency_members(*, agency: Agency, role: str | None = None) -> list[Membership]:
    """An agency's members, optionally only those holding a role (agencies are small)."""
    members = list(
        Membership.objects.select_related("user", "agency")
        .filter(agency=agency, user__is_active=True)
    )
    if role is None:
        return members
    return [m for m in members if role in m.roles]


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")
