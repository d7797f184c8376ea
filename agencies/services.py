"""State changes for agencies, members and their API tokens."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from config import shared_state
from config.exceptions import Conflict, DomainError, NotAllowed

from . import policy, signals
from .models import Agency, ApiToken, LawfulBasis, Membership, Role, SharingAgreement

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
    _demo_agreement(memberships)
    return memberships


DEMO_AGREEMENT_TITLE = "Regional stalking information-sharing agreement"


def _demo_agreement(memberships: list[Membership]) -> None:
    """The region's agreement between the demo case agencies, recorded once by the system
    (as the demo's members are): the demo's disclosures are covered by it."""
    if SharingAgreement.objects.filter(title=DEMO_AGREEMENT_TITLE).exists():
        return
    sharing_agreement_create(
        actor=None,
        title=DEMO_AGREEMENT_TITLE,
        purpose="Protecting victims of stalking: referral, research, case conferences and "
                "the actions agreed at them, between the agencies of the multi-agency hub.",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        parties=list({m.agency.pk: m.agency for m in memberships
                      if m.agency.kind != "oversight"}.values()),
        starts_on=date(2024, 1, 1),
        review_on=timezone.localdate() + timedelta(days=365),
    )


# --- Information-sharing agreements ----------------------------------------------------------


def _agreement_checks(*, title: str, purpose: str, lawful_basis: str, parties: Sequence[Agency],
                      starts_on: date, review_on: date) -> dict[str, list[str]]:
    """What is wrong with an agreement as given, by field (empty when nothing)."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give the agreement a title."]
    if not purpose.strip():
        errors["purpose"] = ["Say what the parties share information for."]
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = [f"One of: {', '.join(LawfulBasis.values)}."]
    if len({a.pk for a in parties}) < 2:
        errors["parties"] = ["An agreement has at least two parties."]
    elif any(not a.is_active for a in parties):
        errors["parties"] = ["Every party must be an active agency."]
    if review_on < starts_on:
        errors["review_on"] = ["The review date cannot be before the start date."]
    return errors


@transaction.atomic
def sharing_agreement_create(
    *, actor, title: str, purpose: str, lawful_basis: str, parties: Sequence[Agency],
    starts_on: date, review_on: date,
) -> SharingAgreement:
    """Record an information-sharing agreement between agencies (the actor's own among them:
    `policy.may_manage_agreement`, else `NotAllowed`; `actor=None` is the system, as the demo
    seed); checks its fields first (`DomainError` with the fields at fault). A
    `sharing_agreement.created` event."""
    membership = getattr(actor, "membership", None)
    if actor is not None and not policy.may(membership, "manage_sharing_agreements"):
        raise NotAllowed("Only a supervisor or administrator records sharing agreements.")
    errors = _agreement_checks(title=title, purpose=purpose, lawful_basis=lawful_basis,
                               parties=parties, starts_on=starts_on, review_on=review_on)
    if not errors and actor is not None and not policy.may_manage_agreement(
        membership, [a.pk for a in parties]
    ):
        errors["parties"] = ["Your own agency must be a party to the agreements you record."]
    if errors:
        raise DomainError("The agreement was not recorded.", fields=errors)
    agreement = SharingAgreement.objects.create(
        title=title.strip(), purpose=purpose.strip(), lawful_basis=lawful_basis,
        starts_on=starts_on, review_on=review_on, created_by=actor,
    )
    agreement.parties.set(parties)
    signals.sharing_agreement_recorded.send(
        sender=SharingAgreement, agreement=agreement, actor=actor
    )
    return agreement


@transaction.atomic
def sharing_agreement_update(
    *, agreement: SharingAgreement, actor, review_on: date | None = None,
    ended_on: date | None = None,
) -> SharingAgreement:
    """Move an agreement's review date, or end it (from today or a later day: an ending never
    reaches back over disclosures it covered). Only by a supervisor or administrator of a
    party (`NotAllowed`); an ended agreement is not changed again (`Conflict`). A
    `sharing_agreement.updated` event with each change, before and after."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    membership = getattr(actor, "membership", None)
    parties = list(agreement.parties.values_list("pk", flat=True))
    if not policy.may_manage_agreement(membership, parties):
        raise NotAllowed("Only a supervisor or administrator of a party changes an agreement.")
    if agreement.ended_on is not None and agreement.ended_on <= timezone.localdate():
        raise Conflict("The agreement has ended; record a new one instead.")
    errors: dict[str, list[str]] = {}
    if review_on is not None and review_on < agreement.starts_on:
        errors["review_on"] = ["The review date cannot be before the start date."]
    if ended_on is not None and ended_on < max(agreement.starts_on, timezone.localdate()):
        errors["ended_on"] = ["An agreement ends today or later, and not before it starts."]
    if errors:
        raise DomainError("The agreement was not changed.", fields=errors)
    changes = {}
    for field, value in (("review_on", review_on), ("ended_on", ended_on)):
        before = getattr(agreement, field)
        if value is not None and value != before:
            changes[field] = {"before": before.isoformat() if before else None,
                              "after": value.isoformat()}
            setattr(agreement, field, value)
    if changes:
        agreement.save(update_fields=list(changes))
        signals.sharing_agreement_changed.send(
            sender=SharingAgreement, agreement=agreement, actor=actor, changes=changes
        )
    return agreement


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
