"""The bundle holds exactly what the person may receive, in its JSON and its PDF; the pages
show the requests, the records found and the decisions, and serve the bundle."""

import hashlib
import io
import json
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from audit.models import Event
from privacy.models import SubjectAccessDisclosure, SubjectAccessRequest
from tests.referral.factories import incident_body
from victims.models import SafetyPlan, VictimWishes

pytestmark = pytest.mark.django_db

# Everything of the victim's that the case holds; none of it may reach the suspect.
VICTIM_DATA = (
    "Alice",
    "alice@example.org",
    "07700 900123",
    "1 High Street",
    "Text first",
    "Keep him away from my work",
    "Safety plan kept with the advocate",
)


@pytest.fixture
def known_case(case, as_user, demo):
    """A case with known victim and suspect data: an order naming the victim, two incidents
    (one naming her and her address), the victim's views and a safety plan."""
    referral = case()
    police = as_user("police.caseworker")
    url = f"/api/v1/referrals/{referral.pk}"
    order = police.post(
        f"{url}/orders/",
        {
            "kind": "bail_conditions",
            "conditions": "No contact with Alice Example.",
            "starts": "2025-01-01",
        },
        format="json",
    )
    assert order.status_code == 201, order.content
    for days, text in (
        (3, "Waited outside 1 High Street and called Alice Example."),
        (2, "Sent forty messages overnight."),
    ):
        made = police.post(
            f"{url}/incidents/", incident_body(days, description=text), format="json"
        )
        assert made.status_code == 201, made.content
    advocacy = demo["advocacy.caseworker"]
    VictimWishes.objects.create(
        referral=referral,
        agency=advocacy.agency,
        recorded_by=advocacy.user,
        wishes="Keep him away from my work",
    )
    SafetyPlan.objects.create(
        referral=referral,
        agency=advocacy.agency,
        recorded_by=advocacy.user,
        agreed_on="2025-02-01",
        review_on="2025-03-01",
        summary="Safety plan kept with the advocate",
    )
    return referral


def _items(body, kind):
    return [i for i in body["items"] if i["record_kind"] == kind]


def test_a_suspects_bundle_holds_exactly_what_the_suspect_may_receive(known_case, as_user):
    api = as_user("hub.dpo")
    made = api.post(
        "/api/v1/subject-access/",
        {
            "subject_role": "suspect",
            "name": "Bob Sample",
            "date_of_birth": "1975-02-11",
            "received_on": "2025-03-03",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    found = {i["record_kind"]: i for i in body["items"]}
    assert set(found) == {
        "referral",
        "victim",
        "suspect",
        "victim_contact",
        "victim_wishes",
        "safety_plan",
        "incident",
        "order",
    }
    # The referral's account is withheld by default; read, it is released with a reason.
    referral_item = _items(body, "referral")[0]
    assert (referral_item["decision"], referral_item["exemption"]) == ("exempt", "law_enforcement")
    released = api.patch(
        f"/api/v1/subject-access/items/{referral_item['id']}/",
        {"decision": "disclose", "reason": "Read: it holds nothing of the victim's."},
        format="json",
    )
    assert released.status_code == 200, released.content
    # The order is disclosed by default: the victim's name in it is redacted.
    order = _items(body, "order")[0]
    redacted = api.patch(
        f"/api/v1/subject-access/items/{order['id']}/",
        {"decision": "redact", "redact": ["Alice Example"]},
        format="json",
    )
    assert redacted.status_code == 200, redacted.content
    # One incident is overridden (law-enforcement exempt by default), its victim data redacted.
    first, second = sorted(_items(body, "incident"), key=lambda i: i["id"])
    assert first["exemption"] == second["exemption"] == "law_enforcement"
    overridden = api.patch(
        f"/api/v1/subject-access/items/{first['id']}/",
        {
            "decision": "redact",
            "redact": ["alice example", "1 High Street"],
            "reason": "The investigation is closed; nothing it holds is prejudiced.",
        },
        format="json",
    )
    assert overridden.status_code == 200, overridden.content

    disclosed = api.post(f"/api/v1/subject-access/{body['id']}/disclose/")
    assert disclosed.status_code == 201, disclosed.content
    bundle_json = api.get(f"/api/v1/subject-access/{body['id']}/bundle.json")
    assert bundle_json.status_code == 200
    assert bundle_json["Content-Disposition"].startswith("attachment")
    content = json.loads(bundle_json.content)

    expected = {
        ("referral", "The referral", found["referral"]["text"]),
        (
            "suspect",
            "The suspect",
            "Name: Bob Sample\nDate of birth: 11 Feb 1975\n"
            "Aliases: Robert Sample\nAddress: 9 Low Road",
        ),
        ("order", order["title"], order["text"].replace("Alice Example", "[redacted]")),
        (
            "incident",
            first["title"],
            first["text"]
            .replace("Alice Example", "[redacted]")
            .replace("1 High Street", "[redacted]"),
        ),
    }
    assert {(i["record_kind"], i["title"], i["text"]) for i in content["items"]} == expected
    assert all(i["case"] == known_case.reference for i in content["items"])
    assert content["withheld"] == [
        {"exemption": "law_enforcement", "label": content["withheld"][0]["label"], "count": 1},
        {"exemption": "third_party", "label": content["withheld"][1]["label"], "count": 4},
    ]
    text = bundle_json.content.decode()
    assert "[redacted]" in text
    for data in VICTIM_DATA + ("Sent forty messages",):
        assert data not in text, data
    assert content["request"]["reference"] == f"SAR-{body['id']}"

    pdf = api.get(f"/api/v1/subject-access/{body['id']}/bundle.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    pdf_text = re.sub(r"\s+", " ", pdf_text)
    assert "Bob Sample" in pdf_text and "9 Low Road" in pdf_text and "[redacted]" in pdf_text
    for data in VICTIM_DATA + ("Sent forty messages",):
        assert data not in pdf_text, data

    disclosure = SubjectAccessDisclosure.objects.get(request_id=body["id"])
    assert disclosure.json_sha256 == hashlib.sha256(bundle_json.content).hexdigest()
    assert disclosure.pdf_sha256 == hashlib.sha256(pdf.content).hexdigest()
    assert {i.record_kind for i in disclosure.items.all()} == {
        "referral",
        "suspect",
        "order",
        "incident",
    }
    assert SubjectAccessRequest.objects.get(pk=body["id"]).status == "disclosed"
    verbs = list(
        Event.objects.filter(verb__startswith="subject_access.").values_list("verb", flat=True)
    )
    assert verbs.count("subject_access.bundle_downloaded") == 2
    assert "subject_access.disclosed" in verbs
    trail = str(
        list(
            Event.objects.filter(verb__startswith="subject_access.").values_list(
                "reason", "changes"
            )
        )
    )
    assert "Alice" not in trail and "Bob Sample" not in trail


def test_an_altered_bundle_is_refused(known_case, as_user, privacy_storage):
    api = as_user("hub.dpo")
    body = api.post(
        "/api/v1/subject-access/",
        {
            "subject_role": "suspect",
            "name": "Bob Sample",
            "received_on": "2025-03-03",
        },
        format="json",
    ).json()
    assert api.post(f"/api/v1/subject-access/{body['id']}/disclose/").status_code == 201
    disclosure = SubjectAccessDisclosure.objects.get(request_id=body["id"])
    (privacy_storage / disclosure.json_name).write_text("{}")
    refused = api.get(f"/api/v1/subject-access/{body['id']}/bundle.json")
    assert refused.status_code == 409


def test_the_pages_take_a_request_through_to_its_bundle(known_case, demo):
    page = Client()
    page.force_login(demo["hub.dpo"].user)
    listing = page.get("/workspace/subject-access/")
    assert listing.status_code == 200 and b"<h1" in listing.content
    form = page.get("/workspace/subject-access/new/")
    assert form.status_code == 200 and b'for="id_received_on"' in form.content
    refused = page.post("/workspace/subject-access/new/", {"subject_role": "suspect"})
    assert refused.status_code == 200 and b"concord-error-summary" in refused.content
    made = page.post(
        "/workspace/subject-access/new/",
        {
            "subject_role": "suspect",
            "name": "Bob Sample",
            "date_of_birth": "1975-02-11",
            "received_on": "2025-03-03",
        },
    )
    assert made.status_code == 302, made.content
    request = SubjectAccessRequest.objects.get()
    url = f"/workspace/subject-access/{request.pk}/"
    detail = page.get(url)
    html = detail.content.decode()
    assert detail.status_code == 200 and html.count("<h1") == 1
    assert f"Case {known_case.reference}" in html and "Alice Example" in html
    order = request.items.get(record_kind="order")
    prefix = f"item-{order.pk}"
    bad = page.post(
        f"{url}items/{order.pk}/", {f"{prefix}-decision": "redact", f"{prefix}-redact": "Not there"}
    )
    assert bad.status_code == 400 and "Not in the record" in bad.content.decode()
    assert f'href="#id_{prefix}-redact"' in bad.content.decode()
    good = page.post(
        f"{url}items/{order.pk}/",
        {f"{prefix}-decision": "redact", f"{prefix}-redact": "Alice Example"},
    )
    assert good.status_code == 302
    assert page.post(f"{url}disclose/").status_code == 302
    after = page.get(url).content.decode()
    assert "bundle.pdf" in after and "bundle.json" in after
    bundle = page.get(f"{url}bundle.json")
    assert bundle.status_code == 200 and "Alice" not in bundle.content.decode()
    assert page.get(f"{url}bundle.pdf").status_code == 200
    inbox = page.get("/workspace/tasks/")
    assert inbox.status_code == 200
