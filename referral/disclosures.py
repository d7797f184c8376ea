"""Disclosures of a case: what each involvement of an agency other than the referrer rests on.

Every such involvement is a `Disclosure` recording its basis when it is granted
(`access.involvements_grant`): the sharing agreement in force between the referrer and the
recipient, or none. The disclosure is kept when the involvement ends. A workflow's grant
outside any agreement goes ahead (an agency given a task must see its case) and waits for a
supervisor of the referrer or coordinator to give the reason (`disclosure_authorise`), even
after the involvement has ended. A member shares a case on purpose with `case_disclose`:
outside an agreement, only a supervisor, with a reason. Who may do each is `agencies.policy`'s
(`may_share_case`, `may_read_case_sharing`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies import policy
from agencies.models import Agency, AgencyKind, SharingAgreement
from agencies.selectors import covering_agreement, membership_of
from audit import events
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound

from . import selectors
from .access import involvements_grant
from .models import Disclosure, InvolvementBasis, Referral
from .services import referral_look

# A reason for a disclosure outside an agreement says why it was necessary: a few words.
REASON_MIN_WORDS = 4


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason.split()) < REASON_MIN_WORDS:
        raise DomainError(
            "A disclosure outside a sharing agreement needs its reason.",
            fields={
                "reason": [
                    f"Say why the disclosure was necessary, in at least {REASON_MIN_WORDS} words."
                ]
            },
        )
    return reason


# --- Reads -----------------------------------------------------------------------------------


def case_disclosures(*, referral: Referral) -> QuerySet[Disclosure]:
    """The case's disclosures, oldest first, ended ones with their end, each with its
    agreement and who authorised each outside one."""
    return (
        Disclosure.objects.filter(referral=referral)
        .select_related("agency", "agreement", "authorised_by")
        .order_by("disclosed_at", "id")
    )


def sharing_look(*, membership, referral_id) -> Referral:
    """The case whose disclosures the member asked to read: `NotFound` when its agency may not
    see it (oversight's auditors read any case's), `NotAllowed` when its role may not."""
    if policy.may(membership, "read_audit_trail"):
        referral = Referral.objects.filter(pk=selectors.referral_id_of(referral_id)).first()
        if referral is None:
            raise NotFound
        return referral
    referral = referral_look(membership=membership, referral_id=referral_id)
    if not policy.may_read_case_sharing(membership, referrer_agency_id=referral.referrer_agency_id):
        raise NotAllowed("Only a supervisor of the referrer or coordinator reads the sharing.")
    return referral


def disclosure_look(*, membership, disclosure_id: int) -> Disclosure:
    """A disclosure (running or ended) of a case the member's agency sees; `NotFound` for
    another or none."""
    disclosure = (
        Disclosure.objects.select_related("agency", "referral", "agreement", "authorised_by")
        .filter(pk=disclosure_id)
        .first()
    )
    if disclosure is None:
        raise NotFound("No such disclosure.")
    referral_look(membership=membership, referral_id=disclosure.referral_id)
    return disclosure


def share_candidates(*, referral: Referral) -> QuerySet[Agency]:
    """The agencies a case may be shared with: active case agencies, the referrer aside."""
    return (
        Agency.objects.filter(is_active=True)
        .exclude(kind=AgencyKind.OVERSIGHT)
        .exclude(pk=referral.referrer_agency_id)
        .order_by("name")
    )


def agreement_covering(*, referral: Referral, agency: Agency) -> SharingAgreement | None:
    """The agreement that would cover sharing the case with this agency today."""
    return covering_agreement(
        discloser=referral.referrer_agency, recipient=agency, on=timezone.localdate()
    )


# --- Changes ---------------------------------------------------------------------------------


@transaction.atomic
def case_disclose(*, referral: Referral, agency: Agency, actor, reason: str = "") -> Disclosure:
    """Share a case with an agency on purpose, by a supervisor of its referrer or coordinator
    (`NotAllowed` for anyone else). Under the agreement in force between the referrer and the
    agency, or, where none covers it, with a reason (`DomainError`), recorded with the actor as
    its authority. Sharing again with an agency it was shared with is a `Conflict`. The
    `access.granted` event carries the basis and the reason."""
    membership = membership_of(actor)
    if not policy.may_share_case(membership, referrer_agency_id=referral.referrer_agency_id):
        raise NotAllowed("Only a supervisor of the referrer or coordinator shares a case.")
    if (
        agency.pk == referral.referrer_agency_id
        or not agency.is_active
        or not (policy.kind_readable_sections(agency.kind))
    ):
        raise DomainError(
            "That agency cannot be sent the case.",
            fields={
                "agency": [
                    "Choose an agency that works with cases, other than the one that referred it."
                ]
            },
        )
    if agreement_covering(referral=referral, agency=agency) is None:
        reason = _reason(reason)
    else:
        reason = " ".join((reason or "").split())
    new = involvements_grant(
        referral=referral,
        agencies=[agency],
        basis=InvolvementBasis.DISCLOSURE,
        actor=actor,
        reason=reason,
    )
    if not new:
        raise Conflict(f"The case has already been shared with {agency.name}.")
    return Disclosure.objects.select_related("agency", "agreement", "authorised_by").get(
        referral=referral,
        agency=agency,
        basis=InvolvementBasis.DISCLOSURE,
        source="",
        ended_at__isnull=True,
    )


@transaction.atomic
def disclosure_authorise(*, disclosure: Disclosure, actor, reason: str) -> Disclosure:
    """A supervisor of the case's referrer or coordinator (`NotAllowed` for anyone else) gives
    the reason for a disclosure the workflow made outside any agreement, whether or not its
    involvement has ended since (`DomainError` without a reason; `Conflict` for one an
    agreement covered or already authorised). A `disclosure.authorised` event."""
    disclosure = (
        Disclosure.objects.select_for_update(of=("self",))
        .select_related("agency", "referral")
        .get(pk=disclosure.pk)
    )
    membership = membership_of(actor)
    if not policy.may_share_case(
        membership, referrer_agency_id=disclosure.referral.referrer_agency_id
    ):
        raise NotAllowed("Only a supervisor of the referrer or coordinator gives the reason.")
    if not disclosure.outside_agreement:
        raise Conflict("A sharing agreement covers this disclosure.")
    if disclosure.authorised_by_id is not None:
        raise Conflict("This disclosure already has its reason.")
    disclosure.outside_reason = _reason(reason)
    disclosure.authorised_by = actor
    disclosure.authorised_at = timezone.now()
    disclosure.save(update_fields=["outside_reason", "authorised_by", "authorised_at"])
    events.disclosure_authorised_event(
        disclosure=disclosure, actor=actor, reason=disclosure.outside_reason
    )
    return disclosure
