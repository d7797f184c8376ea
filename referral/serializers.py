from rest_framework import serializers

from .models import Referral


class ReferralOutput(serializers.ModelSerializer):
    referrer_agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "reference", "status", "referrer_agency", "summary", "created_at"]
        read_only_fields = fields
