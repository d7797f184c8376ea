"""State changes for agencies, members and involvement in cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from audit import events

from .models import Agency, Membership, Role
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


def _lock_referral(referral) -> None:
    type(referral).objects.select_for_update().filter(pk=referral.pk).values_list("pk").first()


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

    wanted = list({agency.pk: agency for agency in agencies}.values())
    if not wanted:
        return []
    _lock_referral(referral)
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


@transaction.atomic
def involvements_revoke(
    *, referral, agencies: Iterable[Agency], basis: str, source: str = "", actor=None
) -> list[Agency]:
    """End one reason for several agencies' involvement in a case; the agencies it ended for, in
    the order given. An agency loses its view permission with its last reason.

    Serialised per case like `involvements_grant`. Six statements for any number of agencies:
    a case taken off an agenda, or a process ending, revoked one agency at a time (about seven
    statements each)."""
    from referral.models import Involvement, ReferralAgencyPermission

    wanted = list({agency.pk: agency for agency in agencies}.values())
    if not wanted:
        return []
    _lock_referral(referral)
    ending = Involvement.objects.filter(
        referral=referral, basis=basis, source=source, agency__in=[a.pk for a in wanted]
    )
    ended_ids = set(ending.values_list("agency_id", flat=True))
    if not ended_ids:
        return []
    ending.delete()
    ended = [agency for agency in wanted if agency.pk in ended_ids]
    still = set(
        Involvement.objects.filter(referral=referral, agency__in=ended_ids)
        .values_list("agency_id", flat=True)
    )
    if lost := [agency.group_id for agency in ended if agency.pk not in still]:
        ReferralAgencyPermission.objects.filter(
            group_id__in=lost, permission_id=view_case_permission(), content_object_id=referral.pk
        ).delete()
    events.involvements_revoked_events(
        referral=referral, agencies=ended, basis=basis, source=source, actor=actor
    )
    return ended


@transaction.atomic
def involvement_revoke_in_cases(
    *, referrals: Iterable, agency: Agency, basis: str, source: str = "", actor=None
) -> list:
    """End one reason for an agency's involvement in several cases (an agency withdrawn from a
    meeting, from every case on its agenda); the cases it ended in, in the order given. The
    agency loses its view of a case with its last reason there.

    Six statements for any number of cases, the cases' locks among them (taken in id order, so
    two such passes cannot deadlock). Case by case, a meeting's withdrawal took 14 statements
    with one case on its agenda and 41 with four; 13 with either now."""
    from referral.models import Involvement, ReferralAgencyPermission

    wanted = list({referral.pk: referral for referral in referrals}.values())
    if not wanted:
        return []
    ids = sorted(referral.pk for referral in wanted)
    list(type(wanted[0]).objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))
    ending = Involvement.objects.filter(
        referral_id__in=ids, agency=agency, basis=basis, source=source
    )
    ended_ids = set(ending.values_list("referral_id", flat=True))
    if not ended_ids:
        return []
    ending.delete()
    still = set(
        Involvement.objects.filter(referral_id__in=ended_ids, agency=agency)
        .values_list("referral_id", flat=True)
    )
    if lost := [pk for pk in ended_ids if pk not in still]:
        ReferralAgencyPermission.objects.filter(
            group_id=agency.group_id, permission_id=view_case_permission(),
            content_object_id__in=lost,
        ).delete()
    ended = [referral for referral in wanted if referral.pk in ended_ids]
    events.case_involvements_revoked_events(
        referrals=ended, agency=agency, basis=basis, source=source, actor=actor
    )
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
            memberships.append(membership)
    return memberships
