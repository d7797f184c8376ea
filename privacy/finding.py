"""Finding what is held about a person: the cases that name them, in the role asked, within the
DPO's region; and in each case, the records that hold data about them, rendered as text, with
the decision each starts with.

Matching is `referral.linking`'s: a normalised name or alias (with the date of birth, when the
request gives one) in `PersonName`, or a normalised identifier in `PersonIdentifier`, of the same
role. A name without a date of birth still matches here (unlike linking): the DPO reviews what
is found before anything is disclosed.

Default decisions: a suspect's request withholds the victim's records as third-party data and
the police and CPS investigation's records under the law-enforcement exemption; a victim's
request withholds the suspect's personal details as third-party data. The DPO may change any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from conferences.models import Decision
from evidence.models import EvidenceFile
from justice.models import Offence
from referral import linking
from referral.models import (
    CourtHearing,
    Incident,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    Referral,
    VictimContact,
)
from victims.models import ContactEntry, SafetyPlan, VictimWishes

from .models import Exemption, ItemDecision, SubjectAccessRequest

VICTIM, SUSPECT = PersonName.Role.VICTIM, PersonName.Role.SUSPECT


class BadRequestDetail(ValueError):
    """An identifier of the request that cannot be one (`field`: which; the message says why)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def request_identifiers(request: SubjectAccessRequest) -> list[tuple[str, str]]:
    """The request's identifiers as (kind, normalised) pairs; `BadRequestDetail` for one that
    is not what it says it is."""
    K = PersonIdentifier.Kind
    given = [
        ("phone", K.PHONE, request.phone, ""),
        ("email", K.EMAIL, request.email, ""),
        ("online_account", K.ONLINE_ACCOUNT, request.online_account, request.online_platform),
    ]
    keys = []
    for field, kind, value, platform in given:
        if not value:
            continue
        try:
            keys.append((kind, linking.normalised_identifier(kind, value, platform)))
        except linking.BadIdentifier as exc:
            raise BadRequestDetail(field, str(exc)) from None
    return keys


def matching_cases(*, request: SubjectAccessRequest, region: str) -> list[Referral]:
    """The referrals that name the person in the role asked, referred within `region` (every
    region when it is ""), oldest first."""
    role = request.subject_role
    found: set[int] = set()
    name = linking.normalise(request.name)
    if name:
        names = PersonName.objects.filter(role=role, normalised=name)
        if request.date_of_birth is not None:
            names = names.filter(date_of_birth=request.date_of_birth)
        found |= set(names.values_list("referral_id", flat=True))
    keys = Q()
    for kind, normalised in request_identifiers(request):
        keys |= Q(kind=kind, normalised=normalised)
    if keys:
        found |= set(
            PersonIdentifier.objects.filter(keys, role=role).values_list("referral_id", flat=True)
        )
    cases = Referral.objects.filter(pk__in=found).select_related("victim", "suspect")
    if region:
        cases = cases.filter(referrer_agency__region=region)
    return list(cases.order_by("created_at", "id"))


@dataclass(frozen=True)
class Found:
    """One record of a case holding data about the subject, as the search renders it."""

    referral: Referral
    record_kind: str
    record_id: int
    section: str
    title: str
    text: str
    decision: str
    exemption: str = ""


DISCLOSE = (ItemDecision.DISCLOSE, "")
THIRD_PARTY = (ItemDecision.EXEMPT, Exemption.THIRD_PARTY)
LAW_ENFORCEMENT = (ItemDecision.EXEMPT, Exemption.LAW_ENFORCEMENT)
SAFEGUARDING = (ItemDecision.EXEMPT, Exemption.SAFEGUARDING)

# record kind -> (default for a victim's request, default for a suspect's request). A suspect's
# request starts from withholding whatever was written about the victim or to protect them: the
# referral's account (free text in the victim's words) and the conference's decisions (the
# partnership's safety measures) are withheld until the DPO has read and redacted them.
DEFAULTS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "referral": (DISCLOSE, LAW_ENFORCEMENT),
    "victim": (DISCLOSE, THIRD_PARTY),
    "suspect": (THIRD_PARTY, DISCLOSE),
    "victim_identifier": (DISCLOSE, THIRD_PARTY),
    "suspect_identifier": (THIRD_PARTY, DISCLOSE),
    "victim_contact": (DISCLOSE, THIRD_PARTY),
    "contact_entry": (DISCLOSE, THIRD_PARTY),
    "victim_wishes": (DISCLOSE, THIRD_PARTY),
    "safety_plan": (DISCLOSE, THIRD_PARTY),
    "incident": (DISCLOSE, LAW_ENFORCEMENT),
    "breach": (DISCLOSE, LAW_ENFORCEMENT),
    "order": (DISCLOSE, DISCLOSE),
    "hearing": (DISCLOSE, DISCLOSE),
    "offence": (DISCLOSE, LAW_ENFORCEMENT),
    "evidence": (DISCLOSE, LAW_ENFORCEMENT),
    "conference_decision": (DISCLOSE, SAFEGUARDING),
}


def _lines(*pairs: tuple[str, object]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value not in (None, ""))


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%d %b %Y %H:%M")
    return value.strftime("%d %b %Y")


def _person(person, role: str) -> str:
    if person is None:
        return ""
    aliases = ", ".join(person.aliases or [])
    address = person.address if role == SUSPECT else ""  # the victim's is a contact detail
    return _lines(
        ("Name", person.name),
        ("Date of birth", _day(person.date_of_birth)),
        ("Aliases", aliases),
        ("Address", address),
    )


def _records(case: Referral) -> Iterable[tuple[str, int, str, str, str]]:
    """(record kind, id, section, title, text) of each record of the case about its people."""
    yield (
        "referral",
        case.pk,
        "referral",
        "The referral",
        _lines(
            ("Summary", case.summary),
            ("Relationship", ", ".join(case.relationship)),
            ("Behaviours", ", ".join(case.behaviours)),
            ("Stalking since", _day(case.stalking_since)),
            ("Status", case.get_status_display()),
        ),
    )
    if case.victim is not None:
        yield ("victim", case.victim.pk, "victim", "The victim", _person(case.victim, VICTIM))
    if case.suspect is not None:
        yield ("suspect", case.suspect.pk, "suspect", "The suspect", _person(case.suspect, SUSPECT))
    for identifier in PersonIdentifier.objects.filter(referral=case).order_by("id"):
        kind = f"{identifier.role}_identifier"
        section = "victim_contact" if identifier.role == VICTIM else "suspect"
        value = (
            f"{identifier.platform}: {identifier.value}"
            if identifier.platform
            else (identifier.value)
        )
        yield (
            kind,
            identifier.pk,
            section,
            f"{identifier.get_kind_display()} of the {identifier.role}",
            _lines((identifier.get_kind_display(), value)),
        )
    contact = VictimContact.objects.filter(referral=case).first()
    if contact is not None:
        yield (
            "victim_contact",
            contact.pk,
            "victim_contact",
            "The victim's contact details",
            _lines(
                ("Phone", contact.phone),
                ("Email", contact.email),
                ("Address", contact.address),
                ("Safe contact method", contact.safe_contact_method),
            ),
        )
    for entry in ContactEntry.objects.filter(referral=case).order_by("at", "id"):
        yield (
            "contact_entry",
            entry.pk,
            "victim_contact",
            f"Contact with the victim, {_day(entry.at)}",
            _lines(
                ("Method", entry.get_method_display()),
                ("Reached", "yes" if entry.reached else "no"),
                ("Note", entry.note),
            ),
        )
    for wishes in VictimWishes.objects.filter(referral=case).order_by("created_at", "id"):
        supports = {True: "yes", False: "no"}.get(wishes.supports_prosecution, "")
        yield (
            "victim_wishes",
            wishes.pk,
            "victim_voice",
            f"The victim's views, {_day(wishes.created_at)}",
            _lines(
                ("Supports a prosecution", supports),
                ("Wishes", wishes.wishes),
                ("Contact preferences", wishes.contact_preferences),
            ),
        )
    for plan in SafetyPlan.objects.filter(referral=case).order_by("agreed_on", "id"):
        yield (
            "safety_plan",
            plan.pk,
            "victim_voice",
            f"Safety plan agreed {_day(plan.agreed_on)}",
            _lines(
                ("Status", plan.get_status_display()),
                ("Review on", _day(plan.review_on)),
                ("Summary", plan.summary),
            ),
        )
    incidents = Incident.objects.filter(referral=case).select_related("breach_of_order")
    for incident in incidents.order_by("occurred_at", "id"):
        breach = incident.breach_of_order
        kind = "breach" if breach is not None else "incident"
        title = "Breach of an order" if breach is not None else "Incident"
        yield (
            kind,
            incident.pk,
            "incidents",
            f"{title}, {_day(incident.occurred_at)}",
            _lines(
                ("Behaviours", ", ".join(incident.behaviours)),
                ("Description", incident.description),
                ("Order breached", breach.get_kind_display() if breach else ""),
            ),
        )
    for order in ProtectiveOrder.objects.filter(referral=case).order_by("starts", "id"):
        yield (
            "order",
            order.pk,
            "orders",
            f"{order.get_kind_display()} from {_day(order.starts)}",
            _lines(
                ("Conditions", order.conditions),
                ("Requirements", order.requirements),
                ("Starts", _day(order.starts)),
                ("Expires", _day(order.expires)),
                ("Status", order.get_status_display()),
                ("Court", order.court),
            ),
        )
    for hearing in CourtHearing.objects.filter(referral=case).order_by("date", "id"):
        yield (
            "hearing",
            hearing.pk,
            "court",
            f"{hearing.get_kind_display()}, {_day(hearing.date)}",
            _lines(("Court", hearing.court)),
        )
    for offence in Offence.objects.filter(referral=case).order_by("created_at", "id"):
        yield (
            "offence",
            offence.pk,
            "offences",
            f"Offence: {offence.title}",
            _lines(
                ("Status", offence.get_status_display()),
                ("Police outcome", offence.police_outcome),
                ("CPS decision", offence.cps_decision),
                ("Sentence", offence.get_disposal_display() if offence.disposal else ""),
            ),
        )
    for evidence in EvidenceFile.objects.filter(referral=case).order_by("added_at", "id"):
        yield (
            "evidence",
            evidence.pk,
            evidence.section,
            f"Evidence file, {_day(evidence.added_at)}",
            _lines(
                ("File", evidence.original_name),
                ("Type", evidence.content_type),
                ("Description", evidence.description),
                ("Note", "Listed only: the file itself is not part of this record."),
            ),
        )
    decisions = Decision.objects.filter(item__referral=case).select_related("item__conference")
    for decision in decisions.order_by("decided_at", "id"):
        yield (
            "conference_decision",
            decision.pk,
            "notes",
            f"Case conference decision, {_day(decision.decided_at)}",
            _lines(("Decision", decision.text), ("Reason", decision.reason)),
        )


def records_found(
    *,
    request: SubjectAccessRequest,
    cases: Iterable[Referral],
    defaults: Callable[[str, str], tuple[str, str]] | None = None,
) -> list[Found]:
    """Every record of these cases holding data about the person, with its default decision."""
    defaults = defaults or default_decision
    found = []
    for case in cases:
        for kind, pk, section, title, text in _records(case):
            decision, exemption = defaults(kind, request.subject_role)
            found.append(
                Found(
                    referral=case,
                    record_kind=kind,
                    record_id=pk,
                    section=section,
                    title=title[:200],
                    text=text,
                    decision=decision,
                    exemption=exemption,
                )
            )
    return found


def default_decision(record_kind: str, subject_role: str) -> tuple[str, str]:
    """The decision a record of this kind starts with in a request of this role."""
    victim_default, suspect_default = DEFAULTS[record_kind]
    return victim_default if subject_role == VICTIM else suspect_default
