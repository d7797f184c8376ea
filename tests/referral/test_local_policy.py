"""Local policy as versioned data: the screening thresholds a region sets, the command that sets
a new version, and what the API says is in effect."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import Event
from referral.local_policy import local_policy
from referral.models import LocalPolicy, Screening
from tests.referral.factories import answers

REGION = "Northshire"
KEY = "screening.thresholds"


@pytest.fixture
def northshire(demo):
    """Police and the hub in one region (the others stay in the default's)."""
    for username in ("police.caseworker", "hub.supervisor"):
        agency = demo[username].agency
        agency.region = REGION
        agency.save(update_fields=["region"])
    return demo


def _set(value, *, by="hub.supervisor", region=REGION, reason="Agreed by the partnership."):
    out = StringIO()
    call_command("local_policy_set", key=KEY, region=region, value=value, reason=reason, by=by,
                 stdout=out)
    return out.getvalue()


def test_command_sets_a_new_version_each_time_and_leaves_the_old_one(northshire):
    said = _set('{"stalking-screen-v1": {"medium": 2, "high": 4}}')
    assert "version 1 for Northshire" in said
    _set('{"stalking-screen-v1": {"medium": 2, "high": 5}}')
    rows = LocalPolicy.objects.filter(key=KEY, region=REGION).order_by("version")
    assert [(r.version, r.value["stalking-screen-v1"]["high"]) for r in rows] == [(1, 4), (2, 5)]
    assert rows[1].set_by.username == "hub.supervisor"
    assert local_policy(KEY, region=REGION).version == 2
    # The default is untouched.
    assert local_policy(KEY, region="").value == {"stalking-screen-v1": {"medium": 3, "high": 6}}
    event = Event.objects.filter(verb="local_policy.set").latest("id")
    assert event.reason == "Agreed by the partnership."
    assert event.changes["version"] == 2 and event.changes["region"] == REGION


@pytest.mark.parametrize("by", ["hub.caseworker", "hub.chair", "police.supervisor"])
def test_only_a_coordinator_supervisor_may_set_local_policy(northshire, by):
    with pytest.raises(CommandError, match="may not set local policy"):
        _set('{"stalking-screen-v1": {"medium": 2, "high": 4}}', by=by)
    assert not LocalPolicy.objects.filter(region=REGION).exists()


def test_a_supervisor_sets_only_their_own_regions_policy(northshire):
    with pytest.raises(CommandError, match="own region"):
        _set('{"stalking-screen-v1": {"medium": 2, "high": 4}}', region="Southshire")


@pytest.mark.parametrize(
    ("value", "reason", "message"),
    [
        ("not json", "Why.", "not JSON"),
        ('{"stalking-screen-v1": {"medium": 5, "high": 4}}', "Why.", "no more than high"),
        ('{"stalking-screen-v1": {"medium": "2", "high": 4}}', "Why.", "whole numbers"),
        ('{"stalking-screen-v1": {"medium": 2, "high": 4}}', "  ", "reason"),
    ],
)
def test_bad_values_and_missing_reasons_are_refused(northshire, value, reason, message):
    with pytest.raises(CommandError, match=message):
        _set(value, reason=reason)


def test_thresholds_follow_the_referrers_region_and_a_new_version_leaves_old_screens(
    northshire, submit
):
    _set('{"stalking-screen-v1": {"medium": 2, "high": 4}}')
    first = submit(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})
    # Two yes: medium by Northshire's thresholds (standard by the default's).
    assert first["risk_level"] == "medium"
    assert first["screening"]["thresholds"] == {
        "version": 1, "region": REGION, "medium": 2, "high": 4
    }
    _set('{"stalking-screen-v1": {"medium": 3, "high": 4}}', reason="Fewer medium cases.")
    second = submit(screening={"instrument": "stalking-screen-v1", "answers": answers(2)},
                    confirm_new=True, confirm_reason="A new matter.")
    assert second["risk_level"] == "standard"
    assert second["screening"]["thresholds"]["version"] == 2
    # The first screen keeps the version it used, and its level.
    row = Screening.objects.get(referral_id=first["id"])
    assert (row.thresholds_policy.version, row.risk_level) == (1, "medium")


def test_page_names_the_regions_thresholds(northshire, submit):
    _set('{"stalking-screen-v1": {"medium": 2, "high": 4}}')
    body = submit(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})
    client = Client()
    client.force_login(northshire["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{body['id']}/").content.decode()
    assert ("Levels use Northshire&#x27;s local thresholds, version 1: medium at 2, high at 4 "
            "answers of yes or not known.") in page


def test_api_lists_the_policies_in_effect_for_the_callers_region(northshire, as_user):
    _set('{"stalking-screen-v1": {"medium": 2, "high": 4}}')
    mine = as_user("police.caseworker").get("/api/v1/local-policies/")
    assert mine.status_code == 200
    by_key = {row["key"]: row for row in mine.json()}
    assert set(by_key) == {"screening.thresholds", "enforcement.deadline", "conference.criteria"}
    assert (by_key[KEY]["region"], by_key[KEY]["version"]) == (REGION, 1)
    assert by_key[KEY]["reason"] == "Agreed by the partnership."
    assert by_key["enforcement.deadline"]["region"] == ""
    other = {row["key"]: row for row in as_user("cps.caseworker").get(
        "/api/v1/local-policies/").json()}
    assert other[KEY]["region"] == "" and other[KEY]["value"]["stalking-screen-v1"]["high"] == 6


def test_local_policies_need_a_member(api):
    assert api().get("/api/v1/local-policies/").status_code == 401


def test_local_policies_are_in_the_openapi_document(document):
    get = document["paths"]["/api/v1/local-policies/"]["get"]
    assert get["operationId"] == "local_policies"
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    item = document["components"]["schemas"][schema["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"key", "region", "version", "value", "effective_from", "reason"} <= set(
        item["properties"]
    )


DEADLINE = "enforcement.deadline"


def test_a_coordinator_supervisor_sets_a_new_version_over_the_api(northshire, as_user):
    body = {"key": DEADLINE, "value": {"default": {"working_days": 1}},
            "reason": "The force's breach policy."}
    made = as_user("hub.supervisor").post("/api/v1/local-policies/", body, format="json")
    assert made.status_code == 201, made.content
    assert (made.json()["region"], made.json()["version"]) == (REGION, 1)
    assert local_policy(DEADLINE, region=REGION).value == {"default": {"working_days": 1}}
    refused = as_user("police.supervisor").post("/api/v1/local-policies/", body, format="json")
    assert refused.status_code == 403
    bad = as_user("hub.supervisor").post(
        "/api/v1/local-policies/", {**body, "value": {"default": {"days": 1}}}, format="json"
    )
    assert bad.status_code == 400 and "value" in bad.json()["error"]["fields"]
    assert LocalPolicy.objects.filter(key=DEADLINE, region=REGION).count() == 1


def _page(demo, username: str) -> Client:
    client = Client()
    client.force_login(demo[username].user)
    return client


PAGE = "/workspace/referrals/local-policy/"


def test_the_local_policy_page_shows_the_policies_and_sets_a_version(northshire):
    supervisor = _page(northshire, "hub.supervisor")
    html = supervisor.get(PAGE).content.decode()
    assert html.count('data-testid="local-policy-row"') == 3
    assert 'data-testid="local-policy-form"' in html and "<h1" in html
    done = supervisor.post(PAGE, {"key": DEADLINE, "value": '{"default": {"hours": 12}}',
                                  "reason": "Twelve hours in Northshire."})
    assert done.status_code == 302
    row = local_policy(DEADLINE, region=REGION)
    assert (row.version, row.value, row.set_by.username) == (1, {"default": {"hours": 12}},
                                                             "hub.supervisor")
    page = supervisor.get(PAGE).content.decode()
    assert "Twelve hours in Northshire." in page

    broken = supervisor.post(PAGE, {"key": DEADLINE, "value": "{hours: 12",
                                    "reason": "Typo."})
    assert broken.status_code == 200
    assert 'href="#id_value"' in broken.content.decode() and "Not valid JSON" in (
        broken.content.decode())
    wrong = supervisor.post(PAGE, {"key": DEADLINE, "value": '{"default": {"days": 2}}',
                                   "reason": "Wrong shape."})
    assert wrong.status_code == 200 and 'href="#id_value"' in wrong.content.decode()
    assert local_policy(DEADLINE, region=REGION).version == 1


def test_members_read_the_local_policy_page_and_only_supervisors_of_the_hub_set_it(northshire):
    police = _page(northshire, "police.caseworker")
    html = police.get(PAGE).content.decode()
    assert 'data-testid="local-policy-row"' in html
    assert 'data-testid="local-policy-form"' not in html
    assert police.post(PAGE, {"key": DEADLINE, "value": '{"default": {"hours": 1}}',
                              "reason": "No."}).status_code == 403
    assert not LocalPolicy.objects.filter(key=DEADLINE, region=REGION).exists()
