"""The referral API: thin views over `referral.selectors` and `referral.services`."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agencies.selectors import membership_of
from config.rest import IsMember

from . import selectors
from .serializers import ReferralOutput


class ReferralListView(GenericAPIView):
    permission_classes = [IsMember]
    serializer_class = ReferralOutput

    def get_queryset(self):
        return selectors.referral_list(membership=membership_of(self.request.user))

    @extend_schema(responses=ReferralOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReferralOutput(page, many=True).data)


class ReferralDetailView(GenericAPIView):
    permission_classes = [IsMember]
    serializer_class = ReferralOutput

    @extend_schema(responses=ReferralOutput)
    def get(self, request, referral_id: int):
        referral = selectors.referral_get(
            membership=membership_of(request.user), referral_id=referral_id
        )
        return Response(ReferralOutput(referral).data)
