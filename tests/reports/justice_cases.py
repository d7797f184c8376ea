"""Cases for the justice and breach reports, built through the apps' own services: a referral
placed on a given day, its offences and what police, CPS and the court did with each."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from justice.models import Offence, OffenceKind
from justice.services import (
    ChargingDraft,
    ConvictionOrderDraft,
    OutcomeDraft,
    PoliceDecisionDraft,
    SentenceDraft,
    charging_decision_record,
    hearing_outcome_record,
    police_decision_record,
    sentence_record,
)
from referral.models import CourtHearing, Referral, ScreeningInstrument
from referral.services import PersonDraft, ReferralDraft, referral_submit
from tests.justice.factories import offence_for
from tests.referral.factories import answers


def refer(member, name: str, on: date) -> Referral:
    """A referral by `member` (a Membership) of its own victim and suspect, received on `on`
    (set after submission: the service stamps the moment it is made)."""
    draft = ReferralDraft(
        victim=PersonDraft(name=f"Victim {name}"),
        suspect=PersonDraft(name=f"Suspect {name}"),
        relationship=("former_partner",),
        behaviours=("texts",),
        consent=True,
        instrument=ScreeningInstrument.objects.get(slug="stalking-screen-v1"),
        answers=answers(2),
    )
    referral = referral_submit(actor=member.user, membership=member, draft=draft).referral
    received = timezone.make_aware(datetime.combine(on, time(10)))
    Referral.objects.filter(pk=referral.pk).update(created_at=received)
    referral.created_at = received
    return referral


def police(offence: Offence, member, kind: str, on: date, **fields) -> None:
    police_decision_record(
        offence=offence,
        actor=member.user,
        membership=member,
        draft=PoliceDecisionDraft(kind=kind, decided_on=on, **fields),
    )


def cps_charge(offence: Offence, member, on: date) -> None:
    charging_decision_record(
        referral=offence.referral,
        offence=offence,
        actor=member.user,
        membership=member,
        draft=ChargingDraft(decision="charge", decided_on=on),
    )


def convict(offence: Offence, member, on: date, result: str = "convicted") -> CourtHearing:
    hearing = CourtHearing.objects.create(
        referral=offence.referral,
        kind=CourtHearing.Kind.TRIAL,
        date=on,
        court="Leeds Magistrates",
        recorded_by=member.user,
    )
    hearing_outcome_record(
        hearing=hearing,
        actor=member.user,
        membership=member,
        draft=OutcomeDraft(result=result, offence=offence),
    )
    return hearing


def sentence(
    offence: Offence, member, on: date, disposal: str, *, restraining: bool = False, **amounts
) -> None:
    orders = (
        (ConvictionOrderDraft(kind="restraining_order", conditions="No contact.", starts=on),)
        if restraining
        else ()
    )
    offence.refresh_from_db()
    sentence_record(
        offence=offence,
        actor=member.user,
        membership=member,
        draft=SentenceDraft(disposal=disposal, sentenced_on=on, orders=orders, **amounts),
    )


def offence(referral: Referral, member, kind: str = OffenceKind.PHA_S4A) -> Offence:
    return offence_for(referral, member, kind=kind)
