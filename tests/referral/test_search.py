"""Finding a case by reference or name, filtering and sorting the list: on the page and in the
API, never past what the reader's agency may see."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referral import search
from referral.models import RISK_ORDER, PersonName, Referral, RiskLevel

pytestmark = pytest.mark.django_db

LIST = "/workspace/referrals/"
API = "/api/v1/referrals/"


def person(name, born, aliases=()):
    return {"name": name, "date_of_birth": born, "aliases": list(aliases)}


@pytest.fixture
def cases(submit):
    """Three police referrals of different people."""
    zoe = submit(victim={"name": "Zoë Adams", "date_of_birth": "1991-03-02"},
                 suspect=person("Mark O'Neill", "1970-01-01"))
    smith = submit(victim={"name": "Priya Shah", "date_of_birth": "1985-06-07"},
                   suspect=person("John Smith", "1972-05-05", aliases=["Johnny Blade"]))
    other = submit(victim={"name": "Grace Hopper", "date_of_birth": "1980-12-09"},
                   suspect=person("Alan Turing", "1969-06-23"))
    return {"zoe": zoe, "smith": smith, "other": other}


@pytest.fixture
def page(demo):
    def get(username, **params):
        client = Client()
        client.force_login(demo[username].user)
        response = client.get(LIST, params)
        assert response.status_code == 200
        return response

    return get


def references(response) -> list[str]:
    """The references of the rows listed (not the search box's echo of the query)."""
    return re.findall(r'data-testid="referral-row">\s*<td><a href="[^"]+">(STK-\d{4}-\d{6})<',
                      response.content.decode())


def found(as_user, username, **params) -> list[str]:
    response = as_user(username).get(API, params)
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.mark.parametrize("query, case", [
    ("Zoe", "zoe"),                 # the name has an accent, the query none
    ("zoë adams", "zoe"),
    ("ADAMS, Zoe", "zoe"),          # order and case of the words
    ("Jonh Smyth", "smith"),        # two typos
    ("john smith", "smith"),
    ("Johnny Blade", "smith"),      # an alias
    ("Smith", "smith"),             # one word of the name
    ("Jo Smi", "smith"),            # the beginnings of the words
    ("Mark ONeill", "zoe"),         # punctuation
])
def test_a_name_finds_its_case_on_the_page_and_in_the_api(cases, page, as_user, query, case):
    reference = cases[case]["reference"]
    assert found(as_user, "police.caseworker", q=query)[0] == reference
    assert references(page("police.caseworker", q=query))[0] == reference


def test_a_reference_finds_its_case_whole_or_in_part(cases, as_user):
    reference = cases["other"]["reference"]
    assert found(as_user, "police.caseworker", q=reference) == [reference]
    assert found(as_user, "police.caseworker", q=reference.lower()) == [reference]
    assert reference in found(as_user, "police.caseworker", q=reference[-6:])


def test_an_unrelated_name_finds_nothing(cases, as_user, page):
    assert found(as_user, "police.caseworker", q="Wilhelmina Zackary") == []
    response = page("police.caseworker", q="Wilhelmina Zackary")
    assert references(response) == []
    assert "0 cases found" in response.content.decode()


def test_a_case_the_agency_may_not_see_is_never_found_nor_counted(cases, as_user, page):
    """Probation is not involved in these police referrals: its search finds none of them,
    by name or by reference, and says 0."""
    for query in ("Zoe Adams", "Jonh Smyth", cases["zoe"]["reference"], "STK"):
        assert found(as_user, "probation.caseworker", q=query) == []
        body = as_user("probation.caseworker").get(API, {"q": query}).json()
        assert body["count"] == 0
        response = page("probation.caseworker", q=query)
        assert references(response) == []
        assert "0 cases found" in response.content.decode()


def test_names_are_searched_only_where_the_agency_may_read_them(cases, demo, monkeypatch):
    """A member that may read no victim finds no case by its victim's name."""
    member = demo["police.caseworker"]
    query = search.CaseQuery(q="Priya Shah")
    assert search.referral_find(membership=member, query=query).count() == 1
    monkeypatch.setattr(search, "searchable_roles", lambda membership: ["suspect"])
    assert search.referral_find(membership=member, query=query).count() == 0
    suspect = search.CaseQuery(q="John Smith")
    assert search.referral_find(membership=member, query=suspect).count() == 1


def test_a_person_without_a_date_of_birth_is_found_but_links_nothing(submit, as_user):
    case = submit(victim={"name": "Ada Lovelace"}, suspect={"name": "Charles Babbage"})
    assert found(as_user, "police.caseworker", q="Ada Lovelace") == [case["reference"]]
    names = PersonName.objects.filter(referral_id=case["id"], date_of_birth__isnull=True)
    assert names.count() == 2
    again = submit(victim={"name": "Ada Lovelace"}, suspect={"name": "Charles Babbage"})
    assert again["linked_referrals"] == []


# --- Filters and sorts ------------------------------------------------------------------------


def test_filters_by_status_risk_agency_and_date(cases, as_user, demo):
    high = Referral.objects.get(pk=cases["smith"]["id"])
    Referral.objects.filter(pk=high.pk).update(risk_level="high", status="research")
    Referral.objects.filter(pk=cases["other"]["id"]).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    everything = found(as_user, "police.caseworker")
    assert set(everything) == {c["reference"] for c in cases.values()}
    assert found(as_user, "police.caseworker", risk_level="high") == [high.reference]
    assert found(as_user, "police.caseworker", status="research") == [high.reference]
    assert found(as_user, "police.caseworker", agency="police", sort="reference") == sorted(
        everything
    )
    assert found(as_user, "police.caseworker", agency="hub") == []
    today = timezone.localdate().isoformat()
    assert cases["other"]["reference"] not in found(as_user, "police.caseworker",
                                                    created_from=today)
    assert found(as_user, "police.caseworker", created_to=(
        timezone.localdate() - timedelta(days=20)).isoformat()) == [cases["other"]["reference"]]


def test_sorts(cases, as_user):
    Referral.objects.filter(pk=cases["other"]["id"]).update(risk_level="high")
    Referral.objects.filter(pk=cases["zoe"]["id"]).update(risk_level="medium")
    assert found(as_user, "police.caseworker", sort="risk")[:2] == [
        cases["other"]["reference"], cases["zoe"]["reference"]
    ]
    newest = found(as_user, "police.caseworker")
    assert found(as_user, "police.caseworker", sort="oldest") == list(reversed(newest))
    assert found(as_user, "police.caseworker", sort="reference") == sorted(newest)


def test_bad_filters_answer_400_in_the_api_and_the_summary_on_the_page(cases, as_user, page):
    response = as_user("police.caseworker").get(
        API, {"risk_level": "extreme", "created_from": "2026-02-01", "created_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"risk_level", "created_to"}
    html = page("police.caseworker", risk_level="extreme", created_from="2026-02-01",
                created_to="2026-01-01").content.decode()
    assert "<title>Error: " in html
    assert 'class="concord-error-summary"' in html
    assert 'href="#id_risk_level"' in html and 'href="#id_created_to"' in html
    assert references(page("police.caseworker", risk_level="extreme")) == []


def test_the_page_shows_filters_by_human_labels(cases, page):
    html = page("police.caseworker").content.decode()
    assert '<option value="police">Police Public Protection Unit' in html
    assert '<option value="hub">Stalking Multi-Agency Hub' in html
    assert "Agency research" in html and "Highest risk first" in html


def test_the_api_describes_its_search(document):
    operation = document["paths"]["/api/v1/referrals/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "status", "risk_level", "region", "agency", "created_from", "created_to",
            "sort"} <= names


# --- Fixed query counts -----------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx)


@pytest.mark.parametrize("params", [
    {}, {"q": "Smith"}, {"q": "STK"}, {"risk_level": "standard", "sort": "risk"},
    {"status": "triage", "agency": "police", "created_from": "2020-01-01", "sort": "oldest"},
])
def test_the_list_takes_the_same_queries_for_1_case_and_for_many(submit, page, as_user, params):
    def page_and_api():
        page("police.caseworker", **params)
        as_user("police.caseworker").get(API, params)

    submit(suspect=person("John Smith", "1972-05-05"))
    few = _queries(page_and_api)
    for n in range(6):
        submit(victim={"name": f"Victim Smith {'abcdef'[n]}", "date_of_birth": "1990-01-01"},
               suspect=person(f"Suspect Smith {'abcdef'[n]}", f"1960-01-0{n + 1}"))
    assert _queries(page_and_api) == few


def test_the_risk_levels_names_sort_highest_first():
    """The risk sort walks an index on the level's name: it relies on this order."""
    assert sorted(RiskLevel.values) == sorted(RiskLevel.values, key=RISK_ORDER.get, reverse=True)
