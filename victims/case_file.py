"""What a case's detail and page show of the victims records: only the sections the reader may read,
in a fixed number of queries (none for a section it may not read)."""

from __future__ import annotations

from agencies import policy
from agencies.models import Membership

from . import selectors


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
    context: dict = {"victims": detail_sections(referral=referral, membership=membership)}
    context["victims"]["reads_voice"] = policy.can_read(membership, "victim_voice")
    context["victims"]["reads_safeguarding"] = policy.can_read(membership, "safeguarding")
    if policy.can_read(membership, "victim_contact"):
        context["victims"]["contacts"] = selectors.contact_log(referral_id=referral.pk)
        context["victims"]["reads_contacts"] = True
    context["victims"]["may"] = {
        "voice": policy.can_write(membership, "victim_voice"),
        "contact": policy.can_write(membership, "victim_contact"),
        "safeguarding": policy.can_write(membership, "safeguarding"),
    }
    return context
