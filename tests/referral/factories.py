import factory

from referral.models import Referral


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"STK-2026-{n:06d}")
    summary = "Repeated unwanted contact."
