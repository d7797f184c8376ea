import factory

from agencies.models import Agency, AgencyKind, Role
from agencies.services import agency_create, member_create


class AgencyFactory(factory.Factory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.POLICE

    @classmethod
    def _create(cls, model_class, **kwargs):
        return agency_create(**kwargs)


class MemberFactory(factory.Factory):
    """A Membership and its user, made by the service; the agency defaults to a police force."""

    class Meta:
        model = dict

    agency = factory.SubFactory(AgencyFactory)
    username = factory.Sequence(lambda n: f"member{n}")
    password = "a-long-test-password"
    roles = factory.LazyFunction(lambda: [Role.CASEWORKER])

    @classmethod
    def _create(cls, model_class, **kwargs):
        return member_create(**kwargs)
