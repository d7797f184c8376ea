"""Repeat victims and suspects: how many people are known in one case, two, or more.

"The same person" is what linking matches on (`referral.linking`): a normalised name with a
date of birth, kept per referral and role in `PersonName` (the name and each alias). A person's
key in one case is its date of birth with the first (alphabetically) of its normalised names
and aliases; two cases with the same key are the same person. So a case that names a person by
one of their aliases alone, which linking would still match, counts as another person: the
key is what grouping in SQL can give without walking chains of aliases. A case whose person
has no date of birth links nothing, so that person counts in that case alone. Identifiers
(phone, PNC id) are not used here.

Only the cohort's cases are counted: a reader of a case agency learns nothing of cases its
agency may not see. Names never leave the database: one query returns, per role, how many
people are known in each number of cases.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Min

from referral.models import PersonName

from ..cohort import Cohort
from ..tables import Column, Row, Table, share

VICTIM, SUSPECT = PersonName.Role.VICTIM, PersonName.Role.SUSPECT

# (row key, label, fewest cases, most cases or None) for each role's partition.
BANDS: dict[str, tuple[tuple[str, str, int, int | None], ...]] = {
    VICTIM: (
        ("one", "In 1 case", 1, 1),
        ("two", "In 2 cases", 2, 2),
        ("three_plus", "In 3 or more cases", 3, None),
    ),
    SUSPECT: (
        ("one", "In 1 case", 1, 1),
        ("two", "In 2 cases", 2, 2),
        ("three_four", "In 3 or 4 cases", 3, 4),
        ("five_plus", "In 5 or more cases", 5, None),
    ),
}


def build(cohort: Cohort) -> tuple[Table, ...]:
    known = _people_by_cases(cohort)
    return (
        _table(
            "repeat_victims",
            "Victims known in more than one case",
            known.get(VICTIM, {}),
            BANDS[VICTIM],
            who="Victims",
        ),
        _table(
            "repeat_suspects",
            "Suspects known in more than one case",
            known.get(SUSPECT, {}),
            BANDS[SUSPECT],
            who="Suspects",
        ),
    )


def _people_by_cases(cohort: Cohort) -> dict[str, dict[int, int]]:
    """{role: {number of cases: people known in that many}} over the cohort's cases.

    One query: the cases' person keys (a grouped ORM query, compiled), grouped by key into
    people, then people grouped by their number of cases. Portable SQL (PostgreSQL, SQLite).
    """
    per_case = (
        cohort.rows_of(PersonName.objects.all())
        .order_by()
        .values("referral_id", "role", "date_of_birth")
        .annotate(first_name=Min("normalised"))
    )
    inner, params = per_case.query.sql_with_params()
    # Without a date of birth a person is its case's alone: the case id joins its key.
    sql = f"""
        SELECT role, cases, COUNT(*) FROM (
            SELECT role, COUNT(*) AS cases FROM ({inner}) per_case
            GROUP BY role, date_of_birth, first_name,
                CASE WHEN date_of_birth IS NULL THEN referral_id END
        ) per_person
        GROUP BY role, cases
    """  # noqa: S608 - the inner query is the ORM's, its values parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[str, dict[int, int]] = {}
    for role, cases, people in rows:
        found.setdefault(role, {})[cases] = people
    return found


def _table(
    key: str,
    title: str,
    known: dict[int, int],
    bands: tuple[tuple[str, str, int, int | None], ...],
    *,
    who: str,
) -> Table:
    people_total = sum(known.values())
    cases_total = sum(n * people for n, people in known.items())
    rows = []
    for band, label, low, high in bands:
        within = {n: p for n, p in known.items() if n >= low and (high is None or n <= high)}
        people = sum(within.values())
        rows.append(
            Row(
                band,
                label,
                {
                    "people": people,
                    "share": share(people, people_total),
                    "cases": sum(n * p for n, p in within.items()),
                },
            )
        )
    return Table(
        key=key,
        title=title,
        columns=(
            Column("people", who),
            Column("share", "Share", kind="share", numerator="people"),
            Column("cases", "Cases they are in"),
        ),
        rows=tuple(rows),
        total=Row(
            "total",
            "Total",
            {
                "people": people_total,
                "share": share(people_total, people_total),
                "cases": cases_total,
            },
        ),
        parts=True,
        chart="bar",
        chart_column="people",
        note=(
            f"{who} counted once each, by the number of the period's cases they are named in: "
            "the same person is the same name (or alias) with the same date of birth, as "
            "linking matches them; without a date of birth a person counts in one case."
        ),
    )
