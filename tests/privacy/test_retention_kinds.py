"""Retention of evidence files apart from their case: an `evidence_file` schedule shorter than
the case's, the sweep's evidence reviews, and an approval that erases the files alone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit import chain
from audit.models import Event
from config.exceptions import Conflict
from evidence.models import EvidenceFile
from evidence.services import EvidenceDraft, evidence_add, evidence_storage
from privacy import services
from privacy.models import RetentionReview
from tests.agencies.factories import MemberFactory, sign_in_verified
from tests.evidence.files import png
from tests.privacy.factories import bare_case, close, years_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(evidence_storage):
    return evidence_storage


@pytest.fixture
def admin(demo):
    return MemberFactory(agency=demo["hub.supervisor"].agency, roles=["admin"])


@pytest.fixture
def evidence_schedule(admin):
    """Evidence files of a case closed with no conviction kept two years (the case six)."""
    return services.retention_schedule_create(
        actor=admin.user,
        membership=admin,
        record_kind="evidence_file",
        outcome="no_conviction",
        years=2,
        description="Files of a case closed with no conviction: two years.",
    )


def _case_with_file(demo, **case):
    """A case with one evidence file, closed today (no conviction unless asked)."""
    referral = bare_case(demo, status=None, **case)
    member = demo["police.caseworker"]
    evidence_add(
        referral=referral,
        actor=member.user,
        membership=member,
        upload=SimpleUploadedFile("photo.png", png(), content_type="image/png"),
        draft=EvidenceDraft(description="Photo of the car outside."),
    )
    return close(referral, by=demo["hub.supervisor"].user)


def _reviews(referral) -> list[tuple[str, str]]:
    return list(
        RetentionReview.objects.filter(referral=referral)
        .order_by("pk")
        .values_list("record_kind", "status")
    )


def _erase(demo, review, *, reason="Past the evidence schedule."):
    supervisor = demo["police.supervisor"]
    return services.retention_review_decide(
        review=review,
        actor=supervisor.user,
        membership=supervisor,
        decision="erase",
        reason=reason,
    )


def test_files_past_their_schedule_get_an_evidence_review_only_once(demo, evidence_schedule):
    with_file = _case_with_file(demo)
    without_file = bare_case(demo)
    convicted = _case_with_file(demo, convicted=True)  # no evidence schedule: follows the case
    assert services.retention_sweep(today=years_on(2, -1)) == 0
    assert services.retention_sweep(today=years_on(2)) == 1
    [review] = RetentionReview.objects.filter(referral=with_file)
    assert (review.record_kind, review.status, review.outcome, review.years) == (
        "evidence_file",
        "due",
        "no_conviction",
        2,
    )
    assert review.schedule == evidence_schedule and review.due_on == years_on(2)
    assert not _reviews(without_file) and not _reviews(convicted)
    due = Event.objects.get(referral_id=with_file.pk, verb="retention.due")
    assert due.changes["record_kind"] == "evidence_file"
    # Idempotent: the same day again, or later within the case's own schedule, opens nothing.
    assert services.retention_sweep(today=years_on(2)) == 0
    assert services.retention_sweep(today=years_on(5)) == 0
    assert _reviews(with_file) == [("evidence_file", "due")]


def test_a_case_due_itself_needs_no_evidence_review(demo, evidence_schedule):
    referral = _case_with_file(demo)
    assert services.retention_sweep(today=years_on(6)) == 1
    assert _reviews(referral) == [("case", "due")]
    assert services.retention_sweep(today=years_on(7)) == 0


def test_approving_it_erases_the_files_and_keeps_the_case(
    demo, evidence_schedule, django_capture_on_commit_callbacks
):
    referral = _case_with_file(demo)
    services.retention_sweep(today=years_on(2))
    review = RetentionReview.objects.get(referral=referral)
    file = EvidenceFile.objects.get(referral=referral)
    assert evidence_storage().exists(file.stored_name)

    with django_capture_on_commit_callbacks(execute=True):
        decided = _erase(demo, review)

    assert decided.status == "erased"
    file.refresh_from_db()
    assert file.erased_at is not None and file.description == ""
    assert not evidence_storage().exists(file.stored_name)
    referral.refresh_from_db()
    assert referral.erased_at is None
    assert referral.summary == "Repeated unwanted contact."  # the case's own text is kept
    erased = Event.objects.get(referral_id=referral.pk, verb="retention.erased")
    assert erased.changes["record_kind"] == "evidence_file"
    assert erased.changes["counts"] == {"evidence.evidencefile": 1}
    assert erased.reason == "Past the evidence schedule."
    assert not Event.objects.filter(referral_id=referral.pk, verb="case.erased").exists()
    chain.seal()
    verification = chain.verify()
    assert verification.ok, verification
    # No file left: no further evidence review; the case still falls due on its own schedule.
    assert services.retention_sweep(today=years_on(5)) == 0
    assert services.retention_sweep(today=years_on(6)) == 1
    assert _reviews(referral) == [("evidence_file", "erased"), ("case", "due")]


def test_a_legal_hold_stops_the_files_erasure_and_the_sweep(demo, evidence_schedule):
    referral, held = _case_with_file(demo), _case_with_file(demo)
    supervisor = demo["police.supervisor"]
    services.legal_hold_place(
        referral=held, actor=supervisor.user, membership=supervisor, reason="Civil claim."
    )
    assert services.retention_sweep(today=years_on(2)) == 1
    assert not _reviews(held)
    review = RetentionReview.objects.get(referral=referral)
    services.legal_hold_place(
        referral=referral, actor=supervisor.user, membership=supervisor, reason="Appeal."
    )
    with pytest.raises(Conflict):
        _erase(demo, review)
    assert not EvidenceFile.objects.filter(referral=referral, erased_at__isnull=False).exists()


def test_erasing_the_case_closes_its_open_evidence_review(demo, evidence_schedule):
    referral = _case_with_file(demo)
    services.retention_sweep(today=years_on(2))
    assert services.retention_sweep(today=years_on(6)) == 1
    case_review = RetentionReview.objects.get(referral=referral, record_kind="case")
    _erase(demo, case_review, reason="Past the case's schedule.")
    assert _reviews(referral) == [("evidence_file", "erased"), ("case", "erased")]
    assert EvidenceFile.objects.get(referral=referral).erased_at is not None
    kinds = Event.objects.filter(referral_id=referral.pk, verb="retention.erased").values_list(
        "changes__record_kind", flat=True
    )
    assert sorted(kinds) == ["case", "evidence_file"]


def test_the_api_and_the_form_take_the_record_kind(demo, admin, api, as_user):
    client = api(admin.user)
    created = client.post(
        "/api/v1/retention/schedules/",
        {"record_kind": "evidence_file", "outcome": "declined", "years": 1},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["record_kind"], created.json()["record_kind_label"]) == (
        "evidence_file",
        "Evidence files",
    )
    bad = client.post(
        "/api/v1/retention/schedules/",
        {"record_kind": "letters", "outcome": "declined", "years": 1},
        format="json",
    )
    assert bad.status_code == 400 and "record_kind" in bad.json()["error"]["fields"]

    page = sign_in_verified(Client(), admin.user)
    form = page.get("/workspace/retention/schedules/new/").content.decode()
    assert 'name="record_kind"' in form and '<label for="id_record_kind"' in form
    posted = page.post(
        "/workspace/retention/schedules/new/",
        {
            "record_kind": "evidence_file",
            "outcome": "no_conviction",
            "years": "2",
            "action": "pseudonymise",
        },
    )
    assert posted.status_code == 302
    assert "Evidence files" in page.get("/workspace/retention/schedules/").content.decode()
    edit = page.get(f"/workspace/retention/schedules/{created.json()['id']}/edit/")
    assert "<title>Change the schedule: Evidence files, Referral declined" in edit.content.decode()

    referral = _case_with_file(demo)
    services.retention_sweep(today=years_on(2))
    supervisor = as_user("police.supervisor")
    [row] = supervisor.get("/api/v1/retention/reviews/?record_kind=evidence_file").json()["results"]
    assert (row["referral"], row["record_kind"]) == (referral.pk, "evidence_file")
    assert supervisor.get("/api/v1/retention/reviews/?record_kind=case").json()["results"] == []
    assert supervisor.get("/api/v1/retention/reviews/?record_kind=x").status_code == 400
    detail = Client()
    detail.force_login(demo["police.supervisor"].user)
    html = detail.get(f"/workspace/retention/reviews/{row['id']}/").content.decode()
    assert 'data-testid="review-record-kind">Evidence files' in html
