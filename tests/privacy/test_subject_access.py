"""Subject access requests: the deadline, finding the person (by name and date of birth, by
identifier, in the role asked, in the DPO's region), the default decisions, the checks on a
decision, who may do any of it, and the task that tracks the deadline."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.models import Agency, Membership
from audit.models import Event
from privacy import finding
from privacy import services as privacy_services
from privacy.models import SubjectAccessRequest, one_month_after
from workflows import calendar
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),  # a leap year
        (date(2025, 3, 15), date(2025, 4, 15)),
        (date(2025, 8, 31), date(2025, 9, 30)),
        (date(2025, 12, 31), date(2026, 1, 31)),
        (date(2025, 2, 28), date(2025, 3, 28)),
    ],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(received, due):
    assert one_month_after(received) == due


def _request(dpo, **fields) -> SubjectAccessRequest:
    draft = privacy_services.RequestDraft(
        **{
            "subject_role": "suspect",
            "name": "Bob Sample",
            "received_on": timezone.localdate(),
            **fields,
        }
    )
    request = privacy_services.subject_access_create(actor=dpo.user, membership=dpo, draft=draft)
    privacy_services.subject_access_search(actor=dpo.user, membership=dpo, request=request)
    return request


def _cases(request) -> set[int]:
    return set(request.items.values_list("referral_id", flat=True))


def test_the_person_is_found_by_name_and_date_of_birth_in_the_role_asked(dpo, case):
    theirs = case()  # suspect Bob Sample, born 1975-02-11
    namesake = case(suspect={"name": "Sample, Bob", "date_of_birth": "1980-01-01"})
    as_victim = case(
        victim={"name": "Bob Sample", "date_of_birth": "1975-02-11"}, suspect={"name": "Carl Other"}
    )
    assert _cases(_request(dpo, date_of_birth=date(1975, 2, 11))) == {theirs.pk}
    assert _cases(_request(dpo)) == {theirs.pk, namesake.pk}  # no date of birth: the name
    # By an alias, as a victim: only the case that names them as its victim.
    assert _cases(_request(dpo, subject_role="victim", name="bob  SAMPLE")) == {as_victim.pk}


def test_the_person_is_found_by_an_identifier_of_the_role_asked(dpo, case):
    phone = "07700 900982"
    held = case(
        suspect={"name": "Dan Else"},
        identifiers=[{"role": "suspect", "kind": "phone", "value": phone}],
    )
    victims = case(
        suspect={"name": "Eve Else"},
        identifiers=[{"role": "victim", "kind": "phone", "value": phone}],
    )
    found = _cases(_request(dpo, name="Unknown Name", phone="+44 7700 900982"))
    assert found == {held.pk}
    assert victims.pk not in found


def test_a_dpo_reaches_only_the_cases_referred_in_its_region(dpo, case):
    referred = case()
    Agency.objects.filter(slug="hub").update(region="north")
    north = Membership.objects.select_related("agency", "user").get(pk=dpo.pk)
    assert _cases(_request(north)) == set()
    Agency.objects.filter(slug="police").update(region="north")
    assert _cases(_request(north)) == {referred.pk}


def test_a_suspects_request_withholds_the_victims_records_and_the_investigation(dpo, case):
    referral = case()
    request = _request(dpo, date_of_birth=date(1975, 2, 11))
    decisions = {i.record_kind: (i.decision, i.exemption) for i in request.items.all()}
    assert decisions["victim"] == ("exempt", "third_party")
    assert decisions["victim_contact"] == ("exempt", "third_party")
    assert decisions["suspect"] == ("disclose", "")
    assert decisions["referral"] == ("exempt", "law_enforcement")
    victim_contact = request.items.get(record_kind="victim_contact")
    assert "alice@example.org" in victim_contact.text and victim_contact.disclosed_text == ""
    assert victim_contact.referral_id == referral.pk


def test_a_victims_request_withholds_the_suspects_details(dpo, case):
    case()
    request = _request(dpo, subject_role="victim", name="Alice Example")
    decisions = {i.record_kind: (i.decision, i.exemption) for i in request.items.all()}
    assert decisions["suspect"] == ("exempt", "third_party")
    assert decisions["victim"] == decisions["victim_contact"] == ("disclose", "")


def test_a_decision_is_checked_before_anything_is_written(dpo, case, as_user):
    case()
    request = _request(dpo)
    api = as_user("hub.dpo")
    victim = request.items.get(record_kind="victim")
    url = f"/api/v1/subject-access/items/{victim.pk}/"
    # Disclosing a record that starts exempt needs a reason; a phrase must be in the text.
    refused = api.patch(url, {"decision": "disclose"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    refused = api.patch(
        url, {"decision": "redact", "redact": ["not in it"], "reason": "x"}, format="json"
    )
    assert refused.status_code == 400 and "redact" in refused.json()["error"]["fields"]
    refused = api.patch(url, {"decision": "exempt"}, format="json")
    assert refused.status_code == 400 and "exemption" in refused.json()["error"]["fields"]
    refused = api.patch(url, {"decision": "maybe"}, format="json")
    assert refused.status_code == 400
    victim.refresh_from_db()
    assert (victim.decision, victim.decided_by_id) == ("exempt", None)
    done = api.patch(
        url, {"decision": "redact", "redact": ["alice"], "reason": "Their own"}, format="json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["disclosed_text"].startswith("Name: [redacted] Example")
    event = Event.objects.filter(verb="subject_access.decided").latest("id")
    assert event.changes["overrode_exemption"] is True and event.changes["reason"] == "***"
    assert "Alice" not in str(event.changes) + event.reason


def test_only_a_dpo_handles_subject_access(demo, dpo, case, as_user):
    referral = case()
    request = _request(dpo)
    item = request.items.first()
    for username in ("police.caseworker", "hub.supervisor", "oversight.auditor"):
        api = as_user(username)
        assert api.get("/api/v1/subject-access/").status_code == 403
        made = api.post(
            "/api/v1/subject-access/",
            {"subject_role": "suspect", "name": "X", "received_on": "2025-01-01"},
            format="json",
        )
        assert made.status_code == 403
        base = f"/api/v1/subject-access/{request.pk}/"
        assert api.get(base).status_code == 404
        assert api.post(f"{base}disclose/").status_code == 404
        assert api.get(f"{base}bundle.json").status_code == 404
        assert (
            api.patch(
                f"/api/v1/subject-access/items/{item.pk}/", {"decision": "disclose"}, format="json"
            ).status_code
            == 404
        )
        page = Client()
        page.force_login(demo[username].user)
        assert page.get("/workspace/subject-access/").status_code == 403
        assert page.get(f"/workspace/subject-access/{request.pk}/").status_code == 404
    # The DPO reads cases only through a request: not the case pages, nor the API's.
    assert as_user("hub.dpo").get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert not policy.sees_case_content(dpo)
    # Its trail events are shown to DPOs (and oversight), not to the agency's other members.
    assert not policy.sees_event(demo["hub.supervisor"], "subject_access.searched")
    assert policy.sees_event(dpo, "subject_access.searched")


def test_a_request_is_a_task_due_in_a_month_completed_by_disclosing(dpo, case, as_user):
    case()
    api = as_user("hub.dpo")
    received = timezone.localdate() - timedelta(days=40)
    made = api.post(
        "/api/v1/subject-access/",
        {
            "subject_role": "suspect",
            "name": "Bob Sample",
            "date_of_birth": "1975-02-11",
            "received_on": received.isoformat(),
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["due_on"] == one_month_after(received).isoformat() and body["overdue"] is True
    assert {i["record_kind"] for i in body["items"]} >= {"referral", "victim", "suspect"}
    task = AgencyTask.objects.get(task_type="subject_access")
    assert (task.agency.slug, task.role, task.referral_id) == ("hub", "dpo", None)
    assert task.due == calendar.end_of_day(one_month_after(received))
    overdue = api.get("/api/v1/tasks/?scope=overdue").json()["results"]
    assert [t["id"] for t in overdue] == [task.pk]
    # The task's own form does not complete it: the request's answer does.
    assert api.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    refused = api.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert refused.status_code == 400
    assert api.post(f"/api/v1/subject-access/{body['id']}/disclose/").status_code == 201
    task.refresh_from_db()
    assert (task.status, task.is_open, task.outcome) == (STATUS.DONE, False, "")
    again = api.post(f"/api/v1/subject-access/{body['id']}/disclose/")
    assert again.status_code == 409


def test_closing_without_disclosure_needs_a_reason_and_completes_the_task(dpo, as_user):
    api = as_user("hub.dpo")
    made = api.post(
        "/api/v1/subject-access/",
        {
            "subject_role": "victim",
            "name": "Nobody Known",
            "received_on": "2025-01-31",
        },
        format="json",
    ).json()
    assert made["items"] == [] and made["due_on"] == "2025-02-28"
    url = f"/api/v1/subject-access/{made['id']}/close/"
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    assert api.post(url, {"reason": "Nothing held"}, format="json").status_code == 200
    assert not AgencyTask.objects.filter(task_type="subject_access", is_open=True).exists()
    assert api.get(f"/api/v1/subject-access/{made['id']}/bundle.pdf").status_code == 404


def test_bad_request_details_are_field_errors(as_user):
    api = as_user("hub.dpo")
    refused = api.post(
        "/api/v1/subject-access/",
        {
            "subject_role": "suspect",
            "name": "Bob",
            "phone": "call me",
            "received_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 400
    assert {"phone", "received_on"} <= set(refused.json()["error"]["fields"])
    assert not SubjectAccessRequest.objects.exists()


def test_every_search_and_read_is_on_the_trail(dpo, case, as_user):
    referral = case()
    request = _request(dpo)
    searched = Event.objects.get(verb="subject_access.searched")
    assert searched.changes["cases"] == [referral.pk]
    assert as_user("hub.dpo").get(f"/api/v1/subject-access/{request.pk}/").status_code == 200
    read = Event.objects.get(verb="subject_access.records_read")
    assert read.referral_id == referral.pk
    assert sorted(read.changes["items"]) == sorted(request.items.values_list("id", flat=True))
    assert finding.DEFAULTS.keys() >= {i.record_kind for i in request.items.all()}
