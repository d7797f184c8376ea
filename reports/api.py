"""The outcome reports over HTTP: the list a member may read, a report (always publishable:
small numbers suppressed), and a report as CSV. Thin: the filter is `forms.ReportFilterForm`,
the reads are `selectors`, the shapes `serializers`."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import policy
from agencies.permissions import IsMember
from agencies.selectors import membership_of
from config.exceptions import NotAllowed

from . import selectors, serializers, services
from .forms import ReportFilterForm
from .tables import publishable

FILTERS = [
    OpenApiParameter(
        "since",
        OpenApiTypes.DATE,
        required=False,
        description="The first day of referral (included).",
    ),
    OpenApiParameter(
        "until",
        OpenApiTypes.DATE,
        required=False,
        description="The last day of referral (included).",
    ),
    OpenApiParameter("region", str, required=False, description="A region agencies name."),
    OpenApiParameter(
        "agency",
        str,
        required=False,
        description="An agency's slug: any for oversight, else your own.",
    ),
]
KEY = OpenApiParameter("key", str, OpenApiParameter.PATH, description="The report's key.")
CSV = (
    "The report in long format, one figure a line: table,row,label,column,column_label,value "
    '(the total row as `total`; suppressed figures as "fewer than 5").'
)


def _reader(request):
    membership = membership_of(request.user)
    if not policy.may_read_reports(membership):
        raise NotAllowed("Your role does not read the outcome reports.")
    return membership


def publishable_report(request, key: str):
    """(the publishable report, the agency slug chosen) for the request's filter; 403, 404 or
    400 as the reader, the report or the filter require."""
    membership = _reader(request)
    spec = selectors.report_spec(membership=membership, key=key)
    regions, agencies = selectors.filter_choices(membership)
    form = ReportFilterForm(request.query_params, regions=regions, agencies=agencies)
    if not form.is_valid():
        raise ValidationError(form.api_errors())
    args = form.cohort_args()
    cohort = selectors.cohort_for(membership=membership, **args)
    report = publishable(selectors.report_build(spec=spec, cohort=cohort))
    return report, args["agency"].slug if args["agency"] else None


class ReportListView(APIView):
    """The outcome reports you may read, and the cohort rule they count by."""

    permission_classes = [IsMember]

    @extend_schema(responses={200: serializers.ReportListOutput}, operation_id="reports_list")
    def get(self, request):
        membership = _reader(request)
        return Response(
            {
                "cohort_rule": serializers.cohort_rule(),
                "results": [
                    serializers.report_link(
                        spec,
                        url=reverse("api-report", args=[spec.key]),
                        csv_url=reverse("api-report-csv", args=[spec.key]),
                    )
                    for spec in selectors.readable_reports(membership)
                ],
            }
        )


class ReportView(APIView):
    """One report over the cases you may count, as filtered; small numbers suppressed."""

    permission_classes = [IsMember]

    @extend_schema(
        parameters=[KEY, *FILTERS],
        responses={200: serializers.ReportOutput},
        operation_id="reports_retrieve",
    )
    def get(self, request, key: str):
        report, agency = publishable_report(request, key)
        services.report_read_record(actor=request.user, report=report, agency=agency)
        return Response(serializers.report_output(report, agency=agency))


class ReportCsvView(APIView):
    """One report as CSV, as filtered; small numbers suppressed."""

    permission_classes = [IsMember]

    @extend_schema(
        parameters=[KEY, *FILTERS],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=CSV)},
        operation_id="reports_csv",
    )
    def get(self, request, key: str):
        report, agency = publishable_report(request, key)
        services.report_read_record(
            actor=request.user, report=report, agency=agency, file_format="csv"
        )
        return serializers.csv_response(report)
