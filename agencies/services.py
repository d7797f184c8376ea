"""State changes for agencies, members and their API tokens."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from config import shared_state

from . import signals
from .models import Agency, ApiToken, Membership, Role

User = get_user_model()


@transaction.atomic
def agency_create(*, name: str, slug: str, kind: str, region: str = "") -> Agency:
    """Create an agency with the Django group its object permissions are granted to."""
    group, _ = Group.objects.get_or_create(name=f"agency:{slug}")
    agency = Agency(name=name, slug=slug, kind=kind, group=group, region=region)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def member_create(
    *,
    agency: Agency,
    username: str,
    password: str | None,
    roles: Sequence[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    actor=None,
) -> Membership:
    """Create a user in an agency with the given roles; `password=None` leaves it unusable."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership(user=user, agency=agency, roles=list(dict.fromkeys(roles)))
    membership.full_clean()
    membership.save()
    user.groups.add(agency.group)
    signals.member_created.send(sender=Membership, membership=membership, actor=actor)
    return membership


@transaction.atomic
def member_set_roles(*, membership: Membership, roles: Sequence[str]) -> Membership:
    membership.roles = list(dict.fromkeys(roles))
    membership.full_clean()
    membership.save(update_fields=["roles"])
    return membership


DEMO_AGENCIES: list[tuple[str, str, str, list[tuple[str, list[str]]]]] = [
    (
        "hub",
        "Stalking Multi-Agency Hub",
        "coordinator",
        [
            ("hub.caseworker", [Role.CASEWORKER]),
            ("hub.supervisor", [Role.SUPERVISOR]),
            ("hub.chair", [Role.CHAIR]),
            ("hub.dpo", [Role.DPO]),
        ],
    ),
    (
        "police",
        "Police Public Protection Unit",
        "police",
        [
            ("police.caseworker", [Role.CASEWORKER]),
            ("police.supervisor", [Role.SUPERVISOR]),
        ],
    ),
    ("cps", "Crown Prosecution Service", "cps", [("cps.caseworker", [Role.CASEWORKER])]),
    (
        "probation",
        "Probation Service",
        "probation",
        [
            ("probation.caseworker", [Role.CASEWORKER]),
        ],
    ),
    (
        "advocacy",
        "Stalking Advocacy Service",
        "advocacy",
        [
            ("advocacy.caseworker", [Role.CASEWORKER]),
        ],
    ),
    (
        "ftac",
        "Fixated Threat Assessment Centre",
        "psychiatric",
        [
            ("ftac.caseworker", [Role.CASEWORKER]),
        ],
    ),
    (
        "oversight",
        "Independent Oversight",
        "oversight",
        [
            ("oversight.auditor", [Role.AUDITOR]),
        ],
    ),
]


@transaction.atomic
def demo_seed(*, password: str) -> list[Membership]:
    """Create (or bring back to their demo state) the demo agencies and accounts. Idempotent."""
    memberships = []
    for slug, name, kind, accounts in DEMO_AGENCIES:
        agency = Agency.objects.filter(slug=slug).first() or agency_create(
            name=name, slug=slug, kind=kind
        )
        for username, roles in accounts:
            existing = (
                Membership.objects.select_related("user").filter(user__username=username).first()
            )
            if existing is None:
                first, _, last = username.partition(".")
                membership = member_create(
                    agency=agency,
                    username=username,
                    password=password,
                    roles=roles,
                    email=f"{username}@example.org",
                    first_name=first.title(),
                    last_name=last.title(),
                )
            else:
                membership = existing
                membership.user.set_password(password)
                membership.user.save(update_fields=["password"])
                if membership.roles != list(roles):
                    member_set_roles(membership=membership, roles=roles)
            if not membership.demo_account:
                # The one mark that lets an account sign in without a second factor.
                membership.demo_account = True
                membership.save(update_fields=["demo_account"])
            memberships.append(membership)
    return memberships


# --- API tokens and socket tickets -----------------------------------------------------------


@transaction.atomic
def token_issue(*, user, client: str = "") -> tuple[ApiToken, str]:
    """A new API token for a member who has just proved who they are; returns the row and the
    token itself (shown once: only its digest is stored). Sweeps the member's expired tokens,
    and ends the oldest live ones beyond API_TOKENS_PER_USER. Both are events."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expiry__lte=now).delete()
    live = list(
        ApiToken.objects.select_for_update().filter(user=user).order_by("-created", "-id")
        .values_list("pk", flat=True)
    )
    keep = max(settings.API_TOKENS_PER_USER - 1, 0)
    if len(live) > keep:
        ApiToken.objects.filter(pk__in=live[keep:]).delete()
        signals.api_tokens_ended.send(
            sender=ApiToken, user=user, tokens=live[keep:], why="limit", actor=user
        )
    row, token = ApiToken.objects.create(
        user=user, expiry=settings.API_TOKEN_TTL, client=client[:200]
    )
    signals.api_token_issued.send(sender=ApiToken, token=row, actor=user)
    return row, token


@transaction.atomic
def token_revoke(*, user, token_id: int, why: str = "revoked") -> bool:
    """End one of the member's own API tokens (an event); False for any other id (another's, or
    none)."""
    if not 0 < token_id < 2**63:
        return False
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=user).delete()
    if deleted:
        signals.api_tokens_ended.send(
            sender=ApiToken, user=user, tokens=[token_id], why=why, actor=user
        )
    return bool(deleted)


@transaction.atomic
def tokens_revoke_all(*, user, why: str = "logout_all", actor=None) -> int:
    """End every API token of the member (logout everywhere, a password change, deactivation),
    an event when there were any."""
    ended = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    if not ended:
        return 0
    ApiToken.objects.filter(pk__in=ended).delete()
    signals.api_tokens_ended.send(sender=ApiToken, user=user, tokens=ended, why=why, actor=actor)
    return len(ended)


def token_used(*, token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute per token (no write per request).

    A token read from the cache carries `last_used` as it was when cached: past a minute, a
    one-minute mark in the cache (added only where none is) lets one request a minute write."""
    now = timezone.now()
    if now - token.last_used < timedelta(minutes=1):
        return
    if not cache.add(f"api-token-used:{token.pk}", 1, timeout=60):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    token.last_used = now


def ws_ticket_issue(*, user, token: ApiToken | None = None, session_key: str | None = None) -> str:
    """A one-time ticket to open a socket as `user`, valid once within WS_TICKET_TTL seconds. A
    socket opened with it lives no longer than what asked for it: `token`, an API token, or the
    browser session `session_key`."""
    ticket = secrets.token_urlsafe(32)
    claims = {"user": user.pk, "token": token.pk if token is not None else None,
              "session": session_key}
    shared_state.put(_ticket_name(ticket), json.dumps(claims), ttl=settings.WS_TICKET_TTL)
    return ticket


def ws_ticket_redeem(*, ticket: str) -> dict | None:
    """The ticket's `{"user", "token", "session"}`, once: gone after the first asking."""
    if not ticket or len(ticket) > 100:
        return None
    claims = shared_state.take(_ticket_name(ticket))
    return json.loads(claims) if claims is not None else None


def _ticket_name(ticket: str) -> str:
    # Stored under the ticket's hash: whoever reads Redis cannot open a socket with what is there.
    return "ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()
