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
    """The detail's keys of this app, absent when unreadable: `victim_voice` (two or three
    queries, {} when nothing is recorded), `safeguarding` (one query) and, for readers of
    `victim_contact`, that section's `log` (one query: the rows `GET .../contacts/` gives,
    latest first), which `referral.case_file.merge_practice` puts into the section."""
    sections: dict = {}
    if policy.can_read(membership, "victim_voice"):
        sections["victim_voice"] = selectors.victim_voice(
            referral_id=referral.pk, agency_kind=membership.agency.kind
        )
    if policy.can_read(membership, "safeguarding"):
        people = selectors.others_at_risk(referral_id=referral.pk)
        sections["safeguarding"] = {"others_at_risk": people} if people else {}
    if policy.can_read(membership, "victim_contact"):
        sections["victim_contact"] = {
            "log": selectors.contact_log(referral_id=referral.pk, limit=None)
        }
    return sections


def page_context(*, referral, membership: Membership, sections: dict,
                 names: dict[str, str]) -> dict:
    """The case page's context of this app's cards, from the detail's `sections`: the victim's
    voice, the others at risk, the latest of the contact log (with `victim_contact`) and which
    forms the member may open. No query, but one for the flag of a victim referred opted out
    without a reason when the voice holds no entitlement."""
    victims: dict = {}
    reads_voice = "victim_voice" in sections
    if reads_voice:
        voice = sections["victim_voice"]
        victims["victim_voice"] = _dated(voice) if voice else voice
        victims["opted_out_without_reason"] = (
            not (voice or {}).get("entitlement")
            and selectors.opted_out_without_reason(referral_id=referral.pk)
        )
    if "safeguarding" in sections:
        people = sections["safeguarding"].get("others_at_risk", [])
        victims["safeguarding"] = {"others_at_risk": [dict(p) for p in people]} if people else {}
    victims["reads_voice"] = reads_voice
    victims["reads_safeguarding"] = "safeguarding" in sections
    contact = sections.get("victim_contact")
    if contact is not None and "log" in contact:
        victims["contacts"] = contact["log"][:selectors.CONTACT_LOG_LIMIT]
        victims["reads_contacts"] = True
    writes = {section: policy.can_write(membership, section)
              for section in ("victim_voice", "victim_contact", "safeguarding")}
    victims["links"] = {
        section: [{"url": _url(name, referral.pk), "label": label, "name": name}
                  for name, label, written in FORMS if written == section]
        for section, allowed in writes.items() if allowed
    }
    if writes["safeguarding"]:
        for person in victims.get("safeguarding", {}).get("others_at_risk", []):
            person["safeguarding_url"] = _url("victims_safeguarding", referral.pk,
                                              person_id=person["id"])
    return {"victims": victims}


def _dated(value):
    """The voice with its ISO dates (`*_on`, built as JSON by PostgreSQL) as dates, for the
    page to write them as people read them."""
    if isinstance(value, dict):
        return {k: (date.fromisoformat(v) if k.endswith("_on") and isinstance(v, str) and v
                    else _dated(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    return value
