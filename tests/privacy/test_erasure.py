"""`privacy.erasure.case_erase`: a closed case's personal data gone from every kind of record,
from its task work and from its events (the chain still verifying); its structured data kept
for the reports; an open case and a second erasure refused; its evidence files deleted from
storage and answering 410; the case page and API saying it was erased."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.test import Client

from audit import chain
from audit.models import Erasure, Event
from config.encryption import _Encrypted
from config.exceptions import Conflict, DomainError
from evidence.models import EvidenceFile
from evidence.services import evidence_storage
from interventions.models import HearingAssessment, PerpetratorAssessment
from justice.models import Offence
from privacy.erasure import ERASED_PERSON, FREE_TEXT, _erased_value, case_erase
from referral.models import (
    Incident,
    Person,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    Referral,
    VictimContact,
)
from tests.evidence.files import png, upload
from tests.privacy.records import MARK, add_every_record, text
from tests.referral.factories import payload
from workflows.models import AgencyTask, CaseProcess, Notification

pytestmark = pytest.mark.django_db

REASON = "Retention period of the closed-case schedule ended."


def _work(client, task_type, referral_id, data):
    tasks = client.get("/api/v1/tasks/?scope=queue&page_size=500").json()["results"]
    task = next(t for t in tasks if t["task_type"] == task_type and t["referral"] == referral_id)
    assert client.post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    done = client.post(f"/api/v1/tasks/{task['id']}/complete/", data, format="json")
    assert done.status_code == 200, done.content


def _refer(as_user) -> Referral:
    body = payload(
        victim={"name": f"Zelda {MARK}", "date_of_birth": "1990-04-01", "enhanced_rights": False},
        suspect={
            "name": "Yorick Plimsoll",
            "date_of_birth": "1975-02-11",
            "address": f"9 {MARK} Road",
            "aliases": [f"Rick {MARK}"],
        },
        summary=text("summary"),
    )
    response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    return Referral.objects.get(pk=response.json()["id"])


@pytest.fixture(autouse=True)
def _storage(evidence_storage):
    return evidence_storage


@pytest.fixture
def closed_case(as_user, demo, django_capture_on_commit_callbacks):
    """A declined case (triage's decline approved: reasons in its tasks, processes, notices and
    events), with a record of every kind and an evidence file, every text naming the victim."""
    referral = _refer(as_user)
    with django_capture_on_commit_callbacks(execute=True):
        _work(
            as_user("hub.caseworker"),
            "triage",
            referral.pk,
            {"decision": "decline", "risk_level": "standard", "reason": text("decline")},
        )
        _work(
            as_user("hub.supervisor"),
            "approve_decline",
            referral.pk,
            {"approved": True, "reason": text("approval")},
        )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    add_every_record(referral, demo)
    stored = upload(
        as_user("police.caseworker"),
        referral.pk,
        f"{MARK}.png",
        png(),
        description=text("evidence"),
    )
    assert stored.status_code == 201, stored.content
    return referral


def _texts_holding(mark: str) -> list[str]:
    """Every text and JSON column of every table (encrypted ones aside: checked one by one)
    with a row that holds `mark`."""
    found = []
    for model in apps.get_models():
        for column in model._meta.concrete_fields:
            if isinstance(column, _Encrypted) or not isinstance(
                column, models.CharField | models.TextField | models.JSONField
            ):
                continue
            rows = model.objects.all()
            if isinstance(column, models.JSONField):
                rows = rows.annotate(_text=Cast(column.name, models.TextField()))
                rows = rows.filter(_text__contains=mark)
            else:
                rows = rows.filter(**{f"{column.name}__contains": mark})
            if rows.exists():
                found.append(f"{model._meta.label}.{column.name}")
    return found


def test_erasing_a_closed_case_leaves_its_personal_data_nowhere(closed_case, demo):
    referral = closed_case
    assert "referral.Person.name" in _texts_holding(MARK)  # the sweep finds what is there

    summary = case_erase(referral=referral, actor=demo["hub.supervisor"].user, reason=REASON)

    assert _texts_holding(MARK) == []
    referral.refresh_from_db()
    assert referral.erased_at == summary.erased_at
    assert (referral.summary, referral.risk_reason, referral.not_stalking_reason) == ("", "", "")
    for person in Person.objects.filter(pk__in=[referral.victim_id, referral.suspect_id]):
        assert (person.name, person.date_of_birth, person.address, person.aliases) == (
            ERASED_PERSON,
            None,
            "",
            [],
        )
    for model in (PersonName, PersonIdentifier, VictimContact):
        assert not model.objects.filter(referral=referral).exists(), model
    for entry in FREE_TEXT:
        rows = list(entry.model.objects.filter(**{entry.case: referral.pk}).values(*entry.fields))
        assert rows, entry.model
        expected = {name: _erased_value(entry.model, name) for name in entry.fields}
        assert rows == [expected] * len(rows), entry.model
    # The encrypted columns, read through their fields.
    assessment = HearingAssessment.objects.get(referral=referral)
    assert (assessment.summary, assessment.treatment_suitability) == ("", "")
    assert PerpetratorAssessment.objects.get(referral=referral).summary == ""

    triage = AgencyTask.objects.get(referral=referral, task_type="triage")
    assert triage.data["result"] == {"decision": "decline", "risk_level": "standard", "reason": ""}
    assert triage.outcome == "decline"
    for process in CaseProcess.objects.filter(referral=referral):
        assert all(not r.get("reason") for r in process.data.get("results", {}).values())
    assert Notification.objects.filter(referral=referral).exists()

    assert summary.counts["referral.person"] == 2
    assert summary.counts["referral.victimcontact"] == 1
    assert summary.counts["evidence.evidencefile"] == 1
    assert summary.counts["conferences.note"] == 1
    assert summary.counts["workflows.agencytask"] == 2
    erased = Event.objects.filter(referral_id=referral.pk).exclude(verb="case.erased")
    assert summary.events == erased.count() == Erasure.objects.filter(event__in=erased).count()
    assert all(e.changes == {"erased": True} and e.reason == "" for e in erased)
    done = Event.objects.get(referral_id=referral.pk, verb="case.erased")
    assert done.reason == REASON and done.actor_username == "hub.supervisor"
    assert done.changes == {"counts": {**summary.counts, "events": summary.events}}

    chain.seal()
    result = chain.verify()
    assert result.ok and result.erased >= summary.events, result


def test_erasure_keeps_what_the_reports_count(closed_case, demo):
    def structured():
        referral = Referral.objects.get(pk=closed_case.pk)
        return {
            "case": (
                referral.status,
                referral.risk_level,
                referral.classification,
                referral.behaviours,
                referral.relationship,
                referral.stalking_since,
                referral.created_at,
            ),
            "incidents": list(
                Incident.objects.filter(referral=referral).values_list(
                    "occurred_at", "severity", "behaviours"
                )
            ),
            "orders": list(
                ProtectiveOrder.objects.filter(referral=referral).values_list(
                    "kind", "status", "starts", "expires"
                )
            ),
            "offences": list(
                Offence.objects.filter(referral=referral).values_list("kind", "status", "disposal")
            ),
            "tasks": list(
                AgencyTask.objects.filter(referral=referral)
                .order_by("pk")
                .values_list("task_type", "outcome", "completed_at", "due")
            ),
            "events": list(
                Event.objects.filter(referral_id=referral.pk)
                .order_by("pk")
                .values_list("verb", "at", "actor_username", "agency_slug")
            ),
        }

    before = structured()
    case_erase(referral=closed_case, actor=demo["hub.supervisor"].user, reason=REASON)
    after = structured()
    assert after["events"][:-1] == before["events"] and after["events"][-1][0] == "case.erased"
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }


def test_an_open_case_is_refused_and_nothing_is_written(as_user, demo):
    referral = _refer(as_user)
    assert referral.is_open
    events = Event.objects.filter(referral_id=referral.pk).count()
    with pytest.raises(Conflict) as refused:
        case_erase(referral=referral, actor=demo["hub.supervisor"].user, reason=REASON)
    assert refused.value.code == "case_open"
    referral.refresh_from_db()
    assert referral.erased_at is None and referral.victim.name == f"Zelda {MARK}"
    assert Event.objects.filter(referral_id=referral.pk).count() == events
    assert not Erasure.objects.exists()


def test_a_second_erasure_and_a_blank_reason_are_refused(closed_case, demo):
    actor = demo["hub.supervisor"].user
    with pytest.raises(DomainError) as blank:
        case_erase(referral=closed_case, actor=actor, reason="  ")
    assert blank.value.status == 400 and "reason" in blank.value.fields
    assert Referral.objects.get(pk=closed_case.pk).erased_at is None

    case_erase(referral=closed_case, actor=actor, reason=REASON)
    with pytest.raises(Conflict) as again:
        case_erase(referral=closed_case, actor=actor, reason=REASON)
    assert again.value.code == "already_erased"
    assert Event.objects.filter(referral_id=closed_case.pk, verb="case.erased").count() == 1


def test_an_erased_evidence_file_is_gone_from_storage_and_answers_410(
    closed_case, demo, as_user, django_capture_on_commit_callbacks
):
    evidence = EvidenceFile.objects.get(referral=closed_case)
    assert evidence_storage().exists(evidence.stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        case_erase(referral=closed_case, actor=demo["hub.supervisor"].user, reason=REASON)

    evidence.refresh_from_db()
    assert not evidence_storage().exists(evidence.stored_name)
    assert evidence.erased_at is not None and evidence.altered_at is None
    assert (evidence.original_name, evidence.description) == ("erased", "")

    response = as_user("police.caseworker").get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "evidence_erased"
    page = Client()
    page.force_login(demo["police.caseworker"].user)
    html = page.get(f"/workspace/referrals/{closed_case.pk}/evidence/{evidence.pk}/download/")
    assert html.status_code == 410
    assert 'data-testid="download-refused"' in html.content.decode()
    assert not Event.objects.filter(verb="evidence.integrity_failed").exists()


def test_the_case_page_and_api_say_the_personal_data_was_erased(closed_case, demo, as_user):
    police = as_user("police.caseworker")
    assert police.get(f"/api/v1/referrals/{closed_case.pk}/").json()["erased_at"] is None
    case_erase(referral=closed_case, actor=demo["hub.supervisor"].user, reason=REASON)

    detail = police.get(f"/api/v1/referrals/{closed_case.pk}/").json()
    assert detail["erased_at"] is not None and detail["victim"]["name"] == ERASED_PERSON
    page = Client()
    page.force_login(demo["police.caseworker"].user)
    html = page.get(f"/workspace/referrals/{closed_case.pk}/").content.decode()
    assert 'data-testid="case-erased"' in html and "Personal data erased on" in html
