"""People known in more than one case: the same name (or alias) and date of birth, counted
within the cohort, never named."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referral.models import Referral
from reports.cohort import Cohort
from reports.sections import people
from tests.reports.flow_cases import person, refer

pytestmark = pytest.mark.django_db

V1 = person("Vera Lane", "1980-01-01")
V1_AGAIN = person("Lane, VERA", "1980-01-01")  # the same person, written otherwise
V2 = person("Wendy Marsh", "1985-02-02")
S1 = person("Sam Hart", "1970-05-05")
S2 = person("Tom Reed", "1971-06-06")
S3 = {**person("Sam Stone", "1972-07-07"), "aliases": ["Sid Stone"]}
S3_AGAIN = {**person("Stone, Sam", "1972-07-07"), "aliases": ["SID STONE"]}


@pytest.fixture
def caseload(demo):
    """Twelve cases: victims V1 in 3, V2 in 2, seven others in 1 (one without a date of
    birth, of V1's name); suspects S1 in 5, S3 in 3, S2 in 2, two others in 1."""
    other = lambda name: person(name)  # noqa: E731 - a new person each time
    cases = [
        refer(victim=V1, suspect=S1),
        refer(victim=V1, suspect=S2),
        refer(victim=V1_AGAIN, suspect=S3),
        refer(victim=V2, suspect=S1),
        refer(victim=V2, suspect=other("Ian Frost")),
        refer(victim=other("Una Bell"), suspect=S1),
        refer(victim=other("Una Bell"), suspect=S1),
        refer(victim=other("Una Bell"), suspect=S1),
        refer(victim=other("Una Bell"), suspect=S2),
        refer(victim=other("Una Bell"), suspect=S3),
        refer(victim=other("Una Bell"), suspect=S3_AGAIN),
        refer(
            victim={"name": "Vera Lane", "date_of_birth": None},
            suspect=other("Ian Frost"),
            by="advocacy.caseworker",
        ),
    ]
    return cases


def _rows(table):
    return {r.key: r.values for r in (*table.rows, table.total)}


def test_people_by_the_number_of_cases_they_are_in(caseload):
    victims, suspects = people.build(Cohort())
    assert victims.key == "repeat_victims" and suspects.key == "repeat_suspects"
    assert _rows(victims) == {
        "one": {"people": 7, "share": 0.7778, "cases": 7},
        "two": {"people": 1, "share": 0.1111, "cases": 2},
        "three_plus": {"people": 1, "share": 0.1111, "cases": 3},
        "total": {"people": 9, "share": 1.0, "cases": 12},
    }
    assert _rows(suspects) == {
        "one": {"people": 2, "share": 0.4, "cases": 2},
        "two": {"people": 1, "share": 0.2, "cases": 2},
        "three_four": {"people": 1, "share": 0.2, "cases": 3},
        "five_plus": {"people": 1, "share": 0.2, "cases": 5},
        "total": {"people": 5, "share": 1.0, "cases": 12},
    }
    assert victims.parts and suspects.parts
    # Figures only: no name anywhere in the tables.
    text = repr((victims, suspects)).lower()
    assert not any(name in text for name in ("vera lane", "wendy", "sam hart", "stone", "una bell"))


def test_only_the_cohorts_cases_count(caseload, demo):
    # The last of S1's five cases falls before the period: S1 is known in four within it.
    Referral.objects.filter(pk=caseload[7]).update(created_at=timezone.now() - timedelta(days=40))
    _, suspects = people.build(Cohort(since=timezone.localdate() - timedelta(days=10)))
    rows = _rows(suspects)
    assert rows["three_four"]["people"] == 2 and rows["five_plus"]["people"] == 0

    # The police see the eleven cases they referred, not the advocates' own.
    police = demo["police.caseworker"].agency.group_id
    victims, suspects = people.build(Cohort(scope_group=police))
    assert _rows(victims)["one"] == {"people": 6, "share": 0.75, "cases": 6}
    assert _rows(suspects)["one"] == {"people": 1, "share": 0.25, "cases": 1}
    assert _rows(suspects)["total"]["cases"] == 11


def test_one_query_whatever_the_cases(caseload, demo, django_assert_num_queries):
    for cohort in (
        Cohort(),
        Cohort(scope_group=demo["police.caseworker"].agency.group_id),
        Cohort(region="Nowhere"),
    ):
        with django_assert_num_queries(1):
            people.build(cohort)
