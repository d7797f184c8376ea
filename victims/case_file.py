"""What a case's detail and page show of the victims records: only the sections the reader may read,
in a fixed number of queries (none for a section it may not read)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from agencies import policy
from agencies.models import Membership

from . import selectors

# The case page's forms of this app: (URL name, label, section written), in the cards' order.
FORMS = (
    ("victims_wishes", "Record wishes", "victim_voice"),
    ("victims_consent", "Record consent", "victim_voice"),
    ("victims_advocate", "Name the advocate", "victim_voice"),
    ("victims_entitlement", "Set entitlement", "victim_voice"),
    ("victims_safety_plan", "Agree a safety plan", "victim_voice"),
    ("victims_statement", "Record a personal statement", "victim_voice"),
    ("victims_right_to_review", "Record a request for review", "victim_voice"),
    ("victims_contact", "Log contact", "victim_contact"),
    ("victims_person_at_risk", "Record someone at risk", "safeguarding"),
)


def _url(name: str, referral_id: int, **kwargs) -> str:
    return reverse(f"workspace:referrals:{name}", kwargs={"referral_id": referral_id, **kwargs})


def detail_sections(*, referral, membership: Membership) -> dict:
    """The detail's keys of this app, absent when unreadable: `victim_voice` (one query, {} when
    nothing is recorded) and `safeguarding` (one query)."""
    sections: dict = {}
    if policy.can_read(membership, "victim_voice"):
        sections["victim_voice"] = selectors.victim_voice(
            referral_id=referral.pk, agency_kind=membership.agency.kind
        )
    if policy.can_read(membership, "safeguarding"):
        people = selectors.others_at_risk(referral_id=referral.pk)
        sections["safeguarding"] = {"others_at_risk": people} if people else {}
    return sections


def page_context(*, referral, membership: Membership) -> dict:
    """The case page's context of this app's cards: the detail's sections, the contact log (with
    `victim_contact`) and which forms the member may open."""
    victims: dict = {}
    if policy.can_read(membership, "victim_voice"):
        victims["victim_voice"], victims["opted_out_without_reason"] = (
            selectors.victim_voice_and_flag(referral_id=referral.pk,
                                            agency_kind=membership.agency.kind)
        )
    if policy.can_read(membership, "safeguarding"):
        people = selectors.others_at_risk(referral_id=referral.pk)
        victims["safeguarding"] = {"others_at_risk": people} if people else {}
    if victims.get("victim_voice"):
        victims["victim_voice"] = _dated(victims["victim_voice"])
    context: dict = {"victims": victims}
    context["victims"]["reads_voice"] = policy.can_read(membership, "victim_voice")
    context["victims"]["reads_safeguarding"] = policy.can_read(membership, "safeguarding")
    if policy.can_read(membership, "victim_contact"):
        context["victims"]["contacts"] = selectors.contact_log(referral_id=referral.pk)
        context["victims"]["reads_contacts"] = True
    writes = {section: policy.can_write(membership, section)
              for section in ("victim_voice", "victim_contact", "safeguarding")}
    context["victims"]["links"] = {
        section: [{"url": _url(name, referral.pk), "label": label, "name": name}
                  for name, label, written in FORMS if written == section]
        for section, allowed in writes.items() if allowed
    }
    if writes["safeguarding"]:
        for person in context["victims"].get("safeguarding", {}).get("others_at_risk", []):
            person["safeguarding_url"] = _url("victims_safeguarding", referral.pk,
                                              person_id=person["id"])
    return context


def _dated(value):
    """The voice with its ISO dates (`*_on`, built as JSON by PostgreSQL) as dates, for the
    page to write them as people read them."""
    if isinstance(value, dict):
        return {k: (date.fromisoformat(v) if k.endswith("_on") and isinstance(v, str) and v
                    else _dated(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    return value
