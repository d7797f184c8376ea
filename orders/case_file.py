"""What a case's detail and page show of the orders records: only the sections the reader may read,
in a fixed number of queries (none for a section it may not read)."""

from __future__ import annotations

from agencies.models import Membership


def detail_sections(*, referral, membership: Membership) -> dict:
    """The detail's keys of this app, absent when unreadable."""
    return {}


def page_context(*, referral, membership: Membership) -> dict:
    """The case page's context of this app's cards."""
    return {}
