"""The subject access bundle: what the person receives, as JSON and as a PDF of the same.

It holds the request, each record disclosed (whole or redacted) with its disclosed text, and
what was withheld counted by exemption, never the withheld records' content or titles.
"""

from __future__ import annotations

import json
from collections import Counter

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from .models import Exemption, ItemDecision, SubjectAccessItem, SubjectAccessRequest


def withheld_counts(items: list[SubjectAccessItem]) -> dict[str, int]:
    """How many records were withheld under each exemption (those with any)."""
    counts = Counter(i.exemption for i in items if i.decision == ItemDecision.EXEMPT)
    return {e: counts[e] for e in Exemption.values if counts[e]}


def bundle_content(
    *, request: SubjectAccessRequest, items: list[SubjectAccessItem], disclosed_at
) -> dict:
    """The bundle as data: the JSON file is this, the PDF shows it."""
    disclosed = [i for i in items if i.is_disclosed]
    labels = dict(Exemption.choices)
    return {
        "request": {
            "reference": request.reference,
            "subject": request.name,
            "subject_role": request.subject_role,
            "received_on": request.received_on.isoformat(),
            "due_on": request.due_on.isoformat(),
            "disclosed_at": timezone.localtime(disclosed_at).isoformat(),
            "agency": request.agency.name,
        },
        "items": [
            {
                "case": item.referral.reference,
                "record_kind": item.record_kind,
                "section": item.section,
                "title": item.title,
                "redacted": item.decision == ItemDecision.REDACT,
                "text": item.disclosed_text,
            }
            for item in disclosed
        ],
        "withheld": [
            {"exemption": code, "label": labels[code], "count": count}
            for code, count in withheld_counts(items).items()
        ],
    }


def bundle_json(content: dict) -> bytes:
    return json.dumps(content, indent=2, ensure_ascii=False).encode()


def bundle_html(content: dict) -> str:
    return render_to_string("privacy/bundle_pdf.html", {"bundle": content})


def _no_fetching(url: str, *args, **kwargs):
    """The bundle's template carries its styles; nothing is fetched while rendering it."""
    raise ValueError(f"The bundle fetches nothing ({url}).")


def bundle_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()
