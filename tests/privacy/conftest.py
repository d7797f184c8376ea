import pytest

from privacy.models import RetentionSchedule


@pytest.fixture
def schedules(db):
    """{outcome: years} of the seeded example schedules."""
    return dict(RetentionSchedule.objects.values_list("outcome", "years"))
