"""Which agencies may see which case: their involvement, its view permission, and the filters
that scope every case read to it.

`agencies.policy` says what an agency kind and role may read and do; this module holds the rows
the object rule is made of. An agency is involved in a case for one or more reasons
(`InvolvementBasis`: it referred it, holds a task on it, is invited to a conference with it on
the agenda, or had its own referral merged into it), each an `Involvement` row. While any reason
remains, the agency's group holds guardian's `view_referral` permission on the case, a row of
`ReferralAgencyPermission`; the row goes with the last reason. Every case read filters on those
rows (`case_visibility`), so a case the agency may not see is not found.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from agencies import policy, selectors
from agencies.models import Agency, Membership
from audit import events

from .models import Disclosure, Involvement, Referral, ReferralAgencyPermission

VIEW_CASE_PERMISSION = "referral.view_referral"


# --- Visibility ------------------------------------------------------------------------------


def view_case_permission() -> Subquery:
    """The id of guardian's `view_referral` permission, as a subquery (read in the statement
    that uses it rather than looked up first)."""
    app_label, codename = VIEW_CASE_PERMISSION.split(".")
    return Subquery(
        Permission.objects.filter(codename=codename, content_type__app_label=app_label).values(
            "pk"
        )[:1]
    )


def group_case_permissions(group_id: int) -> QuerySet[ReferralAgencyPermission]:
    """The group's `view_referral` rows: one per case it may see (unique on group, permission
    and case), so counting them counts its cases without reading any."""
    return ReferralAgencyPermission.objects.filter(
        group_id=group_id, permission_id=view_case_permission()
    )


def group_case_visibility(group_id: int) -> Q:
    """`case_visibility` for a group `policy.case_group` gave."""
    return Q(Exists(group_case_permissions(group_id).filter(content_object=OuterRef("pk"))))


def case_visibility(membership: Membership | None) -> Q:
    """A filter on `Referral` for the cases this member's agency may see now.

    An EXISTS on the permission table, probed through its unique index (group, permission,
    case): a semi-join rather than a join, so a list newest first walks the referrals' date
    index and stops at the page's last row instead of joining and sorting every case the agency
    may see.
    """
    group = policy.case_group(membership)
    return Q(pk__in=[]) if group is None else group_case_visibility(group)


def visible_case_ids(membership: Membership | None) -> QuerySet:
    """The ids of the cases this member's agency may see now, as a subquery (for reads of other
    tables that carry a case id, such as the trail's)."""
    group = policy.case_group(membership)
    if group is None:
        return ReferralAgencyPermission.objects.none().values("content_object_id")
    return group_case_permissions(group).values("content_object_id")


# --- Involvement -----------------------------------------------------------------------------


def _permit_case_view(*, referral: Referral, agencies: Sequence[Agency]) -> None:
    """`view_referral` on the case for each agency's group, in one INSERT that leaves an
    existing row alone (guardian's `assign_perm` looks up the group, the permission and its
    content type for each grant)."""
    permission = view_case_permission()
    ReferralAgencyPermission.objects.bulk_create(
        [ReferralAgencyPermission(group_id=agency.group_id, content_object_id=referral.pk,
                                  permission_id=permission) for agency in agencies],
        ignore_conflicts=True,
    )


def _lock_referrals(referrals: Sequence[Referral]) -> None:
    """Take the cases' row locks, in id order: two passes over overlapping cases cannot
    deadlock."""
    list(Referral.objects.select_for_update().filter(pk__in=[r.pk for r in referrals])
         .order_by("pk").values_list("pk", flat=True))


def _distinct(objects: Iterable) -> list:
    """Model instances once each, by key, in the order given."""
    return list({obj.pk: obj for obj in objects}.values())


def involvement_grant(
    *, referral: Referral, agency: Agency, basis: str, source: str = "", actor=None,
    reason: str = "",
) -> bool:
    """Involve an agency in a case for one reason; whether a new involvement was recorded."""
    return bool(involvements_grant(
        referral=referral, agencies=[agency], basis=basis, source=source, actor=actor,
        reason=reason,
    ))


def _disclosures(*, referral: Referral, agencies: Sequence[Agency], basis: str, source: str,
                 actor, reason: str) -> list[Disclosure]:
    """A disclosure for each agency but the referrer, each with what it rests on: the
    agreement in force today between the referrer and the recipient, with its lawful basis;
    else nothing, outside any agreement (`reason` and `actor` record a deliberate
    disclosure's authority)."""
    recipients = [agency for agency in agencies if agency.pk != referral.referrer_agency_id]
    covering = selectors.covering_agreements(
        discloser_id=referral.referrer_agency_id, recipient_ids=[a.pk for a in recipients],
        on=timezone.localdate(),
    )
    rows = []
    for agency in recipients:
        agreement = covering.get(agency.pk)
        row = Disclosure(
            referral=referral, agency=agency, basis=basis, source=source, agreement=agreement,
            lawful_basis=agreement.lawful_basis if agreement is not None else "",
            sections=sorted(policy.kind_readable_sections(agency.kind)),
            outside_agreement=agreement is None,
        )
        if agreement is None and reason:
            row.outside_reason, row.authorised_by = reason, actor
            row.authorised_at = timezone.now()
        rows.append(row)
    return rows


@transaction.atomic
def involvements_grant(
    *, referral: Referral, agencies: Iterable[Agency], basis: str, source: str = "", actor=None,
    reason: str = "",
) -> list[Agency]:
    """Involve agencies in a case for one reason, each with view permission (a row it may
    have already); the agencies newly involved for that reason, in the order given, each with
    an `access.granted` event. Each grant to an agency other than the referrer is a
    `Disclosure`, recording its basis (`_disclosures`), named by the event. A grant outside any
    agreement goes ahead: it waits for a supervisor's reason (`referral.disclosures`), unless
    `reason` came with it.

    Serialised per case by locking its row, so a concurrent revoke cannot remove a permission
    this grant relies on, and no other grant can write the rows this one found missing. The
    same statements for any number of agencies.
    """
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
        disclosures = _disclosures(referral=referral, agencies=new, basis=basis, source=source,
                                   actor=actor, reason=reason)
        if disclosures:
            Disclosure.objects.bulk_create(disclosures)
        _permit_case_view(referral=referral, agencies=new)
        events.involvements_granted_events(
            referral=referral, agencies=new, disclosures=disclosures, basis=basis,
            source=source, actor=actor, reason=reason,
        )
    return new


def involvement_revoke(
    *, referral: Referral, agency: Agency, basis: str, source: str = "", actor=None
) -> bool:
    """End one reason for an agency's involvement; removes its view permission with the last."""
    return bool(involvements_revoke(
        referral=referral, agencies=[agency], basis=basis, source=source, actor=actor
    ))


def involvements_revoke(
    *, referral: Referral, agencies: Iterable[Agency], basis: str, source: str = "", actor=None
) -> list[Agency]:
    """End one reason for several agencies' involvement in a case (a case off an agenda, a
    process ending); the agencies it ended for, in the order given."""
    ended = _revoke(referrals=[referral], agencies=agencies, basis=basis, source=source,
                    actor=actor)
    return [agency for _, agency in ended]


def involvement_revoke_in_cases(
    *, referrals: Iterable[Referral], agency: Agency, basis: str, source: str = "", actor=None
) -> list[Referral]:
    """End one reason for an agency's involvement in several cases (an agency withdrawn from a
    meeting, from every case on its agenda); the cases it ended in, in the order given."""
    ended = _revoke(referrals=referrals, agencies=[agency], basis=basis, source=source,
                    actor=actor)
    return [referral for referral, _ in ended]


@transaction.atomic
def _revoke(
    *, referrals: Iterable[Referral], agencies: Iterable[Agency], basis: str, source: str, actor
) -> list[tuple[Referral, Agency]]:
    """End one reason for every agency's involvement in every case given; the (case, agency)
    pairs it ended, by case, then by agency, in the order given, each with an `access.revoked`
    event. Their disclosures are kept, ended. An agency loses its view of a case with its last
    reason there.

    Serialised per case like `involvements_grant`; the same statements for any number of cases
    and agencies."""
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
    Disclosure.objects.filter(
        referral_id__in=[c.pk for c in cases], agency_id__in=[a.pk for a in wanted],
        basis=basis, source=source, ended_at__isnull=True,
    ).update(ended_at=timezone.now())
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
