"""Allocation: work goes to the agency of its kind in the referrer's region."""

import pytest

from agencies.models import Agency, AgencyKind
from tests.agencies.factories import AgencyFactory
from workflows import allocation

pytestmark = pytest.mark.django_db


def test_the_regions_own_agency_else_the_first_of_its_kind(django_assert_num_queries):
    Agency.objects.update(is_active=False)  # the demo's agencies take no work here
    first_police = AgencyFactory(kind=AgencyKind.POLICE, region="north")
    south_police = AgencyFactory(kind=AgencyKind.POLICE, region="south")
    AgencyFactory(kind=AgencyKind.POLICE, region="south")  # a second of the region: not chosen
    closed = AgencyFactory(kind=AgencyKind.PROBATION, region="south")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    probation = AgencyFactory(kind=AgencyKind.PROBATION, region="west")
    kinds = [AgencyKind.POLICE, AgencyKind.PROBATION, AgencyKind.PSYCHIATRIC]

    with django_assert_num_queries(1):
        south = allocation.agencies_of_kinds(kinds, region="south")
    # An inactive agency takes no work, though it is the region's own.
    assert south == [south_police, probation, None]
    assert allocation.agencies_of_kinds(kinds, region="east") == [first_police, probation, None]
    assert allocation.agency_of_kind(AgencyKind.POLICE, region="south") == south_police
    assert allocation.agency_of_kind(AgencyKind.PSYCHIATRIC, region="south") is None
