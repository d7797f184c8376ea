"""Offences on a case, as the justice app's service records them."""

from justice.models import Offence, OffenceKind
from justice.services import OffenceDraft, offence_create
from referral.models import Referral


def offence_for(
    referral: Referral, member, *, kind: str = OffenceKind.PHA_S4A, **fields
) -> Offence:
    """An offence on the referral recorded as `member` (a Membership), through the service."""
    return offence_create(
        referral=referral, actor=member.user, membership=member,
        draft=OffenceDraft(kind=kind, **fields),
    )
