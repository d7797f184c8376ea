"""The decision trail over HTTP: events (filtered), exports, verification."""

import csv
import io
import json

from django.http import StreamingHttpResponse
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import policy
from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.rest import SequencePagination
from referral import services as referral_services
from referral.access import visible_case_ids

from . import chain, selectors
from . import events as audit_events
from . import serializers as output

FILTERS = [
    OpenApiParameter(name, type=str, required=False)
    for name in ("referral", "agency", "actor", "verb", "since", "until")
]


EXPORT = (
    "The events, as `format` asks: JSON Lines (one event a line, with the fields of the list's "
    "events) or CSV (one event a row, under a header row)."
)


def _filters(params) -> dict:
    out = {}
    if params.get("referral"):
        try:
            out["referral_id"] = int(params["referral"])
        except ValueError:
            raise ValidationError({"referral": ["A referral id."]}) from None
    for name in ("agency", "actor", "verb"):
        if params.get(name):
            out[name] = params[name][:100]
    for name in ("since", "until"):
        if params.get(name):
            value = parse_datetime(params[name])
            if value is None:
                raise ValidationError({name: ["An ISO 8601 date and time."]})
            out[name] = value
    return out


def check_case(user, referral_id: int | None) -> None:
    """A member reading its own agency's part of the trail may name only a case its agency may
    see: another answers 404, and the look goes on the access log as a look at the case would."""
    member = membership_of(user)
    if referral_id is not None and selectors.reads_agency_part(member):
        referral_services.referral_look(membership=member, referral_id=referral_id)


class EventListView(GenericAPIView):
    """The decision trail, oldest first: auditors see every agency's; others see their own
    agency's part. Pages follow `next` and `previous` (the trail is never counted)."""

    permission_classes = [IsMember]
    pagination_class = SequencePagination

    @extend_schema(
        parameters=FILTERS,
        responses={200: output.TrailEventOutput(many=True)},
        operation_id="audit_events_list",
    )
    def get(self, request):
        chain.seal(wait=False)
        filters = _filters(request.query_params)
        check_case(request.user, filters.get("referral_id"))
        events = selectors.events_for(
            user=request.user, cases=visible_case_ids(membership_of(request.user)), **filters
        )
        page = self.paginate_queryset(events)
        audit_events.trail_reads_events(shown=page, member=membership_of(request.user),
                                        actor=request.user)
        return self.get_paginated_response([selectors.event_output(e) for e in page])


class AccessReportView(GenericAPIView):
    """Who read a case's sensitive section (default: the victim's contact details)."""

    permission_classes = [IsMember]

    @extend_schema(
        parameters=[
            *FILTERS[:3], OpenApiParameter("section", type=str, required=False),
            OpenApiParameter("report", enum=["reads", "disclosures"], required=False,
                             description="`disclosures`: each disclosure of a case to an "
                                         "agency other than its referrer, with its basis."),
            OpenApiParameter("outside", enum=[k for k in selectors.DISCLOSURE_FILTERS if k],
                             required=False,
                             description="Disclosures outside an agreement: all of them, "
                                         "those awaiting a supervisor's reason "
                                         "(`disclosure.authorised` since), or those with one."),
        ],
        responses={200: output.EventOutput(many=True)},
        operation_id="audit_access_report",
    )
    def get(self, request):
        report = request.query_params.get("report", "reads")
        if report not in ("reads", "disclosures"):
            raise ValidationError({"report": ["reads or disclosures."]})
        if report == "disclosures":
            return self._disclosures(request)
        section = request.query_params.get("section", "victim_contact")
        if section not in policy.SENSITIVE_SECTIONS:
            raise ValidationError(
                {"section": [f"One of: {', '.join(sorted(policy.SENSITIVE_SECTIONS))}."]}
            )
        filters = _filters(request.query_params)
        check_case(request.user, filters.get("referral_id"))
        events = selectors.access_report(
            user=request.user,
            cases=visible_case_ids(membership_of(request.user)),
            referral_id=filters.get("referral_id"),
            actor=filters.get("actor"),
            section=section,
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response([selectors.event_output(e) for e in page])


    def _disclosures(self, request):
        outside = request.query_params.get("outside", "")
        if outside not in selectors.DISCLOSURE_FILTERS:
            raise ValidationError(
                {"outside": [f"One of: {', '.join(k for k in selectors.DISCLOSURE_FILTERS if k)}."]}
            )
        filters = _filters(request.query_params)
        check_case(request.user, filters.get("referral_id"))
        events = selectors.disclosure_report(
            user=request.user, cases=visible_case_ids(membership_of(request.user)),
            referral_id=filters.get("referral_id"), actor=filters.get("actor"), outside=outside,
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response([selectors.event_output(e) for e in page])


def _auditor_only(request):
    if not policy.may(membership_of(request.user), "read_audit_trail"):
        raise PermissionDenied("Only auditors may do this.")


class VerifyView(APIView):
    """Auditors: recompute the chain. `{"ok", "events", "first_bad"}`."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: output.VerificationOutput})
    def get(self, request):
        _auditor_only(request)
        chain.seal(wait=False)
        return Response(chain.verify().as_dict())


class ExportView(APIView):
    """Auditors: the filtered trail as CSV (`format=csv`) or JSON Lines (`format=jsonl`)."""

    permission_classes = [IsMember]

    @extend_schema(
        parameters=[*FILTERS, OpenApiParameter("format", enum=["csv", "jsonl"])],
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.STR, description=EXPORT)
            for media_type in ("application/x-ndjson", "text/csv")
        },
    )
    def get(self, request):
        _auditor_only(request)
        kind = request.query_params.get("format", "jsonl")
        if kind not in ("csv", "jsonl"):
            raise ValidationError({"format": ["csv or jsonl."]})
        chain.seal(wait=False)
        events = selectors.events_for(
            user=request.user, cases=visible_case_ids(membership_of(request.user)),
            **_filters(request.query_params),
        )
        rows = (selectors.event_output(e) for e in events.iterator(chunk_size=2000))
        if kind == "jsonl":
            body = (json.dumps(r, default=str, sort_keys=True) + "\n" for r in rows)
            content_type = "application/x-ndjson"
        else:
            body = _csv(rows)
            content_type = "text/csv"
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="concord-trail.{kind}"'
        return response


# A cell a spreadsheet would read as a formula (or as one after its leading tab or newline).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _spreadsheet_safe(value):
    """Text that would start a formula gets a leading apostrophe: shown as written, never run.

    The JSON export carries every value unchanged; only the CSV, made for spreadsheets, is
    escaped (OWASP's advice for CSV injection).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows):
    columns = [
        "seq",
        "at",
        "actor",
        "agency",
        "verb",
        "referral",
        "reason",
        "changes",
        "recipients",
        "object_type",
        "object_id",
        "request_id",
        "hash",
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        row = {
            **row,
            "changes": json.dumps(row["changes"], sort_keys=True),
            "recipients": ",".join(row["recipients"]),
        }
        writer.writerow({name: _spreadsheet_safe(value) for name, value in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
