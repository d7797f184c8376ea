"""State changes for agencies, members and involvement in cases."""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import events
from config import shared_state

from .models import Agency, ApiToken, Membership, Role
from .policy import view_case_permission

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
    events.member_created_event(membership=membership, actor=actor)
    return membership


@transaction.atomic
def member_set_roles(*, membership: Membership, roles: Sequence[str]) -> Membership:
    membership.roles = list(dict.fromkeys(roles))
    membership.full_clean()
    membership.save(update_fields=["roles"])
    return membership


def _permit_case_view(*, referral, agencies: Sequence[Agency]) -> None:
    """guardian's `assign_perm` of `view_referral` to each agency's group, in one INSERT that
    leaves an existing row alone. `assign_perm` looked up the group, the permission and its
    content type before the row, five queries a grant, and a case reaching a conference grants
    seven (bench/README.md)."""
    from referral.models import ReferralAgencyPermission

    permission = view_case_permission()
    ReferralAgencyPermission.objects.bulk_create(
        [ReferralAgencyPermission(group_id=agency.group_id, content_object_id=referral.pk,
                                  permission_id=permission) for agency in agencies],
        ignore_conflicts=True,
    )


def _lock_referrals(referrals: Sequence) -> None:
    """Take the cases' row locks, in id order: two passes over overlapping cases cannot
    deadlock."""
    list(type(referrals[0]).objects.select_for_update().filter(pk__in=[r.pk for r in referrals])
         .order_by("pk").values_list("pk", flat=True))


def _distinct(objects: Iterable) -> list:
    """Model instances once each, by key, in the order given."""
    return list({obj.pk: obj for obj in objects}.values())


def involvement_grant(
    *, referral, agency: Agency, basis: str, source: str = "", actor=None
) -> bool:
    """Involve an agency in a case for one reason; whether a new involvement was recorded."""
    return bool(involvements_grant(
        referral=referral, agencies=[agency], basis=basis, source=source, actor=actor
    ))


@transaction.atomic
def involvements_grant(
    *, referral, agencies: Iterable[Agency], basis: str, source: str = "", actor=None
) -> list[Agency]:
    """Involve agencies in a case for one reason, each with view permission (a row it may
    have already); the agencies newly involved for that reason, in the order given.

    Serialised per case by locking its row, so a concurrent revoke cannot remove a permission
    this grant relies on, and no other grant can write the rows this one found missing. Five
    statements for any number of agencies: a case reaching a conference involves seven, which
    took eight statements each one by one (bench/README.md).
    """
    from referral.models import Involvement

    wanted = _distinct(agencies)
    if not wanted:
        return []
    _lock_referrals([referral])
    involved = set(
        Involvement.objects.filter(
            referral=referral, basis=basis, source=source, agency__in=[a.pk for a in wanted]
        ).values_list("agency_id", flat=True)
    )
    new = [agency for agency in wanted if agency.pk not in involved]
    if new:
        Involvement.objects.bulk_create([
            Involvement(referral=referral, agency=agency, basis=basis, source=source)
            for agency in new
        ])
        _permit_case_view(referral=referral, agencies=new)
        events.involvements_granted_events(
            referral=referral, agencies=new, basis=basis, source=source, actor=actor
        )
    return new


def involvement_revoke(
    *, referral, agency: Agency, basis: str, source: str = "", actor=None
) -> bool:
    """End one reason for an agency's involvement; removes its view permission with the last."""
    return bool(involvements_revoke(
        referral=referral, agencies=[agency], basis=basis, source=source, actor=actor
    ))


def involvements_revoke(
    *, referral, agencies: Iterable[Agency], basis: str, source: str = "", actor=None
) -> list[Agency]:
    """End one reason for several agencies' involvement in a case (a case off an agenda, a
    process ending); the agencies it ended for, in the order given."""
    ended = _revoke(referrals=[referral], agencies=agencies, basis=basis, source=source,
                    actor=actor)
    return [agency for _, agency in ended]


def involvement_revoke_in_cases(
    *, referrals: Iterable, agency: Agency, basis: str, source: str = "", actor=None
) -> list:
    """End one reason for an agency's involvement in several cases (an agency withdrawn from a
    meeting, from every case on its agenda); the cases it ended in, in the order given."""
    ended = _revoke(referrals=referrals, agencies=[agency], basis=basis, source=source,
                    actor=actor)
    return [referral for referral, _ in ended]


@transaction.atomic
def _revoke(
    *, referrals: Iterable, agencies: Iterable[Agency], basis: str, source: str, actor
) -> list[tuple]:
    """End one reason for every agency's involvement in every case given; the (case, agency)
    pairs it ended, by case, then by agency, in the order given. An agency loses its view of a
    case with its last reason there.

    Serialised per case like `involvements_grant`. Six statements for any number of cases and
    agencies, the cases' locks among them. One pair at a time, each took the case's lock, its
    look-ups, two DELETEs and an event inside a savepoint: a case off an agenda with five
    invited agencies took 42 statements, an agency withdrawn from a meeting with four cases on
    its agenda 41 (bench/README.md)."""
    from referral.models import Involvement, ReferralAgencyPermission

    wanted = _distinct(agencies)  # none when a process without a case ends: no case to read
    cases = _distinct(referrals) if wanted else []
    if not cases:
        return []
    _lock_referrals(cases)
    ending = Involvement.objects.filter(
        referral_id__in=[c.pk for c in cases], agency_id__in=[a.pk for a in wanted],
        basis=basis, source=source,
    )
    ended_keys = set(ending.values_list("referral_id", "agency_id"))
    if not ended_keys:
        return []
    ending.delete()
    ended = [(case, agency) for case in cases for agency in wanted
             if (case.pk, agency.pk) in ended_keys]
    still = set(
        Involvement.objects.filter(
            referral_id__in={case_id for case_id, _ in ended_keys},
            agency_id__in={agency_id for _, agency_id in ended_keys},
        ).values_list("referral_id", "agency_id")
    )
    if lost := [(case, agency) for case, agency in ended if (case.pk, agency.pk) not in still]:
        ReferralAgencyPermission.objects.filter(
            functools.reduce(operator.or_, (
                Q(group_id=agency.group_id, content_object_id=case.pk) for case, agency in lost
            )),
            permission_id=view_case_permission(),
        ).delete()
    events.involvements_revoked_events(pairs=ended, basis=basis, source=source, actor=actor)
    return ended


DEMO_AGENCIES: list[tuple[str, str, str, list[tuple[str, list[str]]]]] = [
    (
        "hub",
        "Stalking Multi-Agency Hub",
        "coordinator",
        [
            ("hub.caseworker", [Role.CASEWORKER]),
            ("hub.supervisor", [Role.SUPERVISOR]),
            ("hub.chair", [Role.CHAIR]),
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
        events.api_tokens_ended_event(user=user, tokens=live[keep:], why="limit", actor=user)
    row, token = ApiToken.objects.create(
        user=user, expiry=settings.API_TOKEN_TTL, client=client[:200]
    )
    events.api_token_issued_event(token=row, actor=user)
    return row, token


@transaction.atomic
def token_revoke(*, user, token_id: int, why: str = "revoked") -> bool:
    """End one of the member's own API tokens (an event); False for any other id (another's, or
    none)."""
    if not 0 < token_id < 2**63:
        return False
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=user).delete()
    if deleted:
        events.api_tokens_ended_event(user=user, tokens=[token_id], why=why, actor=user)
    return bool(deleted)


@transaction.atomic
def tokens_revoke_all(*, user, why: str = "logout_all", actor=None) -> int:
    """End every API token of the member (logout everywhere, a password change, deactivation),
    an event when there were any."""
    ended = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    if not ended:
        return 0
    ApiToken.objects.filter(pk__in=ended).delete()
    events.api_tokens_ended_event(user=user, tokens=ended, why=why, actor=actor)
    return len(ended)


def token_used(*, token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute per token (no write per request)."""
    now = timezone.now()
    if now - token.last_used >= timedelta(minutes=1):
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
