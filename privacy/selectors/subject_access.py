"""Reads of subject access requests, scoped to the DPO's agency. A member who may not handle
subject access is refused the list (`NotAllowed`) and finds no request or item (`NotFound`,
the same as a missing one)."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies import policy
from agencies.models import Membership
from config.exceptions import NotAllowed, NotFound

from ..models import SubjectAccessItem, SubjectAccessRequest


def subject_access_requests(*, membership: Membership | None) -> QuerySet[SubjectAccessRequest]:
    """The agency's requests, open ones first, then by deadline."""
    if not policy.may_handle_subject_access(membership):
        raise NotAllowed("Only a data protection officer handles subject access requests.")
    return (
        SubjectAccessRequest.objects.filter(agency_id=membership.agency_id)
        .select_related("agency")
        .order_by("-status", "due_on", "id")  # descending: open, then disclosed, then closed
    )


def _id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < number < 2**63:
        raise NotFound
    return number


def subject_access_request_get(
    *, membership: Membership | None, request_id
) -> SubjectAccessRequest:
    """One request of the DPO's agency; `NotFound` for any other, or for a non-DPO."""
    number = _id(request_id)
    if not policy.may_handle_subject_access(membership):
        raise NotFound
    request = (
        SubjectAccessRequest.objects.select_related("agency", "created_by")
        .filter(pk=number, agency_id=membership.agency_id)
        .first()
    )
    if request is None:
        raise NotFound
    return request


def subject_access_item_get(*, membership: Membership | None, item_id) -> SubjectAccessItem:
    """One found record of a request of the DPO's agency; `NotFound` otherwise."""
    number = _id(item_id)
    if not policy.may_handle_subject_access(membership):
        raise NotFound
    item = (
        SubjectAccessItem.objects.select_related("request", "referral")
        .filter(pk=number, request__agency_id=membership.agency_id)
        .first()
    )
    if item is None:
        raise NotFound
    return item


def subject_access_items(*, request: SubjectAccessRequest) -> list[SubjectAccessItem]:
    """The records found for the request, case by case."""
    return list(
        request.items.select_related("referral", "decided_by").order_by("referral_id", "id")
    )


def items_by_case(items: list[SubjectAccessItem]) -> list[tuple[str, list[SubjectAccessItem]]]:
    """The items grouped under their case's reference, in the cases' order."""
    groups: dict[str, list[SubjectAccessItem]] = {}
    for item in items:
        groups.setdefault(item.referral.reference, []).append(item)
    return list(groups.items())
