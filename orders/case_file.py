"""What a case's detail and page show of the orders records: only the sections the reader may read,
in a fixed number of queries (none for a section it may not read).

The orders themselves are the referral's `orders` key (with their life and breach summary); this
app adds to the page its applications for stalking protection orders and which forms of an
order's life the member may use."""

from __future__ import annotations

from django.utils.formats import date_format

from agencies import policy
from agencies.models import Membership
from referral.models import ProtectiveOrder

from . import selectors
from .models import OrderApplication

APPLICATION_STATUS = dict(OrderApplication.Status.choices)
# Decisions still open from each state (`services._DECIDABLE`).
_OPEN = {OrderApplication.Status.PENDING, OrderApplication.Status.INTERIM_MADE}


def detail_sections(*, referral, membership: Membership) -> dict:
    """The detail's keys of this app, absent when unreadable: none of its own (the orders'
    life is in the referral's `orders` rows; applications in `GET .../orders/`)."""
    return {}


def page_context(*, referral, membership: Membership, sections: dict,
                 names: dict[str, str]) -> dict:
    """The case page's context of this app's cards: the applications (one query, none when the
    orders are unreadable) and the order forms the member may use. The detail's `sections`
    hold nothing of this app's own."""
    if not policy.can_read(membership, "orders"):
        return {}
    police = policy.can_write(membership, "orders")
    applications = [
        {
            **row,
            "status_label": APPLICATION_STATUS.get(row["status"], row["status"]),
            "applied_label": date_format(row["applied_on"], "j M Y"),
            "open": row["status"] in _OPEN,
        }
        for row in selectors.order_applications(referral=referral)
    ]
    return {
        "order_life": {
            "applications": applications,
            "may_apply": police,
            "may_decide": police,
            "may_notify": police,
            # The kinds whose changes and service the member may record.
            "kinds": [k for k in ProtectiveOrder.Kind.values
                      if policy.can_record_order(membership, k)],
        }
    }
