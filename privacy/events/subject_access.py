"""Subject access on the trail (`subject_access.*`): each request made, search run, decision,
read of found records, disclosure, closure and download of a bundle. The events name the
request by its id and count what they are about; never the person's name, identifiers, a
record's text, a redacted phrase or the DPO's written reason (personal data, kept on the
request and its items). Only DPOs and oversight's auditors are shown them
(`policy.SUBJECT_ACCESS_EVENTS`)."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event

from ..models import SubjectAccessDisclosure, SubjectAccessItem, SubjectAccessRequest


def _request(request: SubjectAccessRequest) -> dict:
    return {"request": request.pk, "subject_role": request.subject_role}


def subject_access_created_event(*, request: SubjectAccessRequest, actor) -> Event:
    """`subject_access.created`: a request received, with its deadline."""
    return record(
        verb="subject_access.created",
        actor=actor,
        obj=request,
        changes={
            **_request(request),
            "received_on": request.received_on.isoformat(),
            "due_on": request.due_on.isoformat(),
            "date_of_birth_given": request.date_of_birth is not None,
            "identifiers_given": sum(
                bool(v) for v in (request.phone, request.email, request.online_account)
            ),
        },
        reason=f"Subject access request {request.pk}",
    )


def subject_access_searched_event(
    *, request: SubjectAccessRequest, actor, cases: list[int], items: int
) -> Event:
    """`subject_access.searched`: a search for the person ran; which cases it found."""
    return record(
        verb="subject_access.searched",
        actor=actor,
        obj=request,
        changes={**_request(request), "cases": sorted(cases), "items": items},
        reason=f"Subject access request {request.pk}",
    )


def subject_access_records_read_events(
    *, request: SubjectAccessRequest, actor, items: list[SubjectAccessItem]
) -> list[Event]:
    """`subject_access.records_read`, one per case: the found records of that case the DPO was
    shown (each on the case's own trail)."""
    by_case: dict[int, list[int]] = {}
    for item in items:
        by_case.setdefault(item.referral_id, []).append(item.pk)
    return [
        record(
            verb="subject_access.records_read",
            actor=actor,
            obj=request,
            referral_id=case,
            changes={**_request(request), "items": sorted(ids)},
        )
        for case, ids in sorted(by_case.items())
    ]


def subject_access_decided_event(*, item: SubjectAccessItem, actor, overrode: bool) -> Event:
    """`subject_access.decided`: a record disclosed, redacted (how many phrases) or exempt
    (under which exemption); the reason is masked."""
    return record(
        verb="subject_access.decided",
        actor=actor,
        obj=item.request,
        referral_id=item.referral_id,
        changes={
            **_request(item.request),
            "item": item.pk,
            "record_kind": item.record_kind,
            "decision": item.decision,
            "exemption": item.exemption,
            "redactions": len(item.redactions),
            "overrode_exemption": overrode,
            "reason": MASK if item.reason else "",
        },
    )


def subject_access_disclosed_event(
    *, disclosure: SubjectAccessDisclosure, actor, disclosed: int, withheld: dict[str, int]
) -> Event:
    """`subject_access.disclosed`: the bundle made, what it holds and withholds (counts), and
    the SHA-256 of its two files."""
    return record(
        verb="subject_access.disclosed",
        actor=actor,
        obj=disclosure.request,
        changes={
            **_request(disclosure.request),
            "disclosed": disclosed,
            "withheld": withheld,
            "json_sha256": disclosure.json_sha256,
            "pdf_sha256": disclosure.pdf_sha256,
        },
        reason=f"Subject access request {disclosure.request_id}",
    )


def subject_access_closed_event(*, request: SubjectAccessRequest, actor) -> Event:
    """`subject_access.closed`: closed without disclosure (the reason is on the request)."""
    return record(
        verb="subject_access.closed",
        actor=actor,
        obj=request,
        changes={**_request(request), "reason": MASK},
        reason=f"Subject access request {request.pk}",
    )


def subject_access_bundle_downloaded_event(
    *, request: SubjectAccessRequest, actor, file_format: str, sha256: str
) -> Event:
    """`subject_access.bundle_downloaded`: a DPO took a copy of the bundle."""
    return record(
        verb="subject_access.bundle_downloaded",
        actor=actor,
        obj=request,
        changes={**_request(request), "format": file_format, "sha256": sha256},
    )
