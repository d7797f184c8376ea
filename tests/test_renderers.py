"""The API's renderer answers what DRF's JSONRenderer answered, faster."""

import datetime as dt
import decimal
import json
import uuid
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from config.renderers import FastJSONRenderer

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


def both(data, accepted=None):
    return (FastJSONRenderer().render(data, accepted, {}),
            JSONRenderer().render(data, accepted, {}))


def test_an_inbox_row_renders_byte_for_byte_as_drf_renders_it():
    row = {
        "id": 12, "task_type": "triage", "title": "Triage", "status": "assigned",
        "agency": "hub", "role": None, "referral": 7, "reference": "STK-2026-000007",
        "due": dt.datetime(2026, 12, 5, 17, 0, tzinfo=UTC),
        "created": dt.datetime(2026, 12, 1, 9, 30, 5, 123456, tzinfo=UTC),
        "overdue": False, "escalated": True, "owner": "hub.caseworker",
    }
    page = {"count": 1, "next": None, "previous": None, "results": [row]}
    fast, drf = both(page)
    assert fast == drf
    assert b'"due":"2026-12-05T17:00:00Z"' in fast


def test_what_orjson_does_not_know_goes_through_drfs_encoder():
    data = {
        "local": dt.datetime(2026, 7, 1, 9, 0, tzinfo=LONDON),
        "naive": dt.datetime(2026, 7, 1, 9, 0),
        "date": dt.date(2026, 2, 11), "time": dt.time(9, 30),
        "decimal": decimal.Decimal("2.5"), "uuid": uuid.UUID(int=1),
        "lazy": gettext_lazy("Triage"), "tuple": (1, 2), "set": {3},
        "unicode": "Ünïcødé – “quoted”", "nested": {"list": [None, True, 1.5]},
        5: "an integer key",
    }
    fast, drf = both(data)
    assert fast == drf


def test_line_separators_are_escaped_as_drf_escapes_them():
    fast, drf = both({"text": "one\u2028two\u2029three"})
    assert fast == drf
    assert b"\\u2028" in fast and b"\\u2029" in fast


def test_an_integer_beyond_64_bits_and_an_indented_answer_fall_back_to_drf():
    huge = {"n": 2**70}
    assert both(huge)[0] == both(huge)[1] == b'{"n":1180591620717411303424}'
    indented = both({"a": [1]}, "application/json; indent=2")
    assert indented[0] == indented[1]
    assert b"\n" in indented[0]


def test_nothing_renders_as_nothing():
    assert FastJSONRenderer().render(None) == b""


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
    | st.datetimes(timezones=st.just(UTC)) | st.dates(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
))
def test_any_api_shaped_value_renders_to_the_same_json(value):
    fast, drf = both({"value": value})
    assert json.loads(fast) == json.loads(drf)
    assert fast == drf


def test_the_api_answers_through_it(as_user):
    response = as_user("police.caseworker").get("/api/v1/me/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert response["Content-Type"] == "application/json"
