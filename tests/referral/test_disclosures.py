"""Each disclosure of a case records its basis and outlives the involvement it was made for;
one outside an agreement waits for a supervisor's reason, even after it ended, and a
deliberate one outside an agreement needs it first."""

import pytest

from agencies.models import AgencyKind, LawfulBasis
from agencies.services import DEMO_AGREEMENT_TITLE
from audit.models import Event
from config.exceptions import DomainError, NotAllowed
from referral.access import involvement_grant, involvement_revoke
from referral.disclosures import disclosure_authorise
from referral.models import Disclosure, Involvement, InvolvementBasis
from tests.agencies.factories import AgencyFactory
from tests.referral.factories import ReferralFactory

pytestmark = pytest.mark.django_db

REASON = "Probation supervises the suspect and must manage the risk to her."


@pytest.fixture
def referral(demo):
    police = demo["police.caseworker"]
    referral = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    return referral


@pytest.fixture
def uncovered():
    """A probation service no agreement names."""
    return AgencyFactory(kind=AgencyKind.PROBATION, slug="probation-east", name="East Probation")


def _granted(referral, agency) -> Event:
    return Event.objects.filter(
        referral_id=referral.pk, verb="access.granted", changes__agency=agency.slug
    ).latest("id")


def test_the_referrers_own_involvement_is_not_a_disclosure(referral):
    assert Involvement.objects.filter(referral=referral).exists()
    involvement_grant(  # nor is a task of its own
        referral=referral,
        agency=referral.referrer_agency,
        basis=InvolvementBasis.TASK,
        source="process:1",
    )
    assert not Disclosure.objects.filter(referral=referral).exists()
    changes = _granted(referral, referral.referrer_agency).changes
    assert changes["lawful_basis"] == "own" and changes["disclosure"] is None


def test_a_task_to_an_agency_the_agreement_covers_records_it(referral, demo):
    probation = demo["probation.caseworker"].agency
    involvement_grant(
        referral=referral, agency=probation, basis=InvolvementBasis.TASK, source="process:1"
    )
    row = Disclosure.objects.get(referral=referral, agency=probation)
    assert row.agreement.title == DEMO_AGREEMENT_TITLE and row.ended_at is None
    assert row.lawful_basis == LawfulBasis.PUBLIC_TASK and not row.outside_agreement
    assert (row.basis, row.source) == (InvolvementBasis.TASK, "process:1")
    assert "suspect" in row.sections and "victim_contact" not in row.sections
    changes = _granted(referral, probation).changes
    assert changes["disclosure"] == row.pk and changes["agreement"] == row.agreement_id
    assert changes["agreement_title"] == DEMO_AGREEMENT_TITLE
    assert changes["lawful_basis"] == LawfulBasis.PUBLIC_TASK
    assert changes["outside_agreement"] is False
    assert "suspect" in changes["sections"] and "victim_contact" not in changes["sections"]


def test_a_task_to_an_agency_no_agreement_covers_goes_ahead_awaiting(referral, uncovered):
    involvement_grant(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    row = Disclosure.objects.get(referral=referral, agency=uncovered)
    assert row.agreement is None and row.outside_agreement and row.awaiting_reason
    changes = _granted(referral, uncovered).changes
    assert changes["outside_agreement"] is True and changes["agreement"] is None
    assert changes["authorised"] is False and changes["disclosure"] == row.pk


def test_an_ended_involvement_keeps_its_disclosure_ended(referral, uncovered, demo):
    probation = demo["probation.caseworker"].agency
    for agency in (probation, uncovered):
        involvement_grant(
            referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="process:1"
        )
    involvement_grant(
        referral=referral, agency=uncovered, basis=InvolvementBasis.CONFERENCE, source="c:1"
    )
    involvement_revoke(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    rows = {(d.agency_id, d.basis): d for d in Disclosure.objects.filter(referral=referral)}
    assert rows[uncovered.pk, InvolvementBasis.TASK].ended_at is not None
    assert rows[uncovered.pk, InvolvementBasis.CONFERENCE].ended_at is None
    assert rows[probation.pk, InvolvementBasis.TASK].ended_at is None
    # The same involvement again is a new disclosure; the ended one stays as it was.
    involvement_grant(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    again = Disclosure.objects.filter(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK
    ).order_by("id")
    assert [d.ended_at is None for d in again] == [False, True]


def test_authorising_needs_a_supervisor_and_a_reason(referral, uncovered, demo, as_user):
    involvement_grant(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    row = Disclosure.objects.get(referral=referral, agency=uncovered)
    with pytest.raises(NotAllowed):
        disclosure_authorise(disclosure=row, actor=demo["police.caseworker"].user, reason=REASON)
    with pytest.raises(DomainError) as refused:
        disclosure_authorise(disclosure=row, actor=demo["police.supervisor"].user, reason="ok")
    assert "reason" in refused.value.fields
    url = f"/api/v1/disclosures/{row.pk}/authorise/"
    assert (
        as_user("police.caseworker").post(url, {"reason": REASON}, format="json").status_code == 403
    )
    assert as_user("police.supervisor").post(url, {"reason": ""}, format="json").status_code == 400
    assert as_user("cps.caseworker").post(url, {"reason": REASON}, format="json").status_code == 404
    response = as_user("police.supervisor").post(url, {"reason": REASON}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["authorised_by"] == "police.supervisor" and not data["awaiting_reason"]
    assert data["id"] == row.pk and data["authorised_at"] is not None
    event = Event.objects.get(verb="disclosure.authorised", referral_id=referral.pk)
    assert event.reason == REASON and event.changes["disclosure"] == row.pk
    assert (
        as_user("police.supervisor").post(url, {"reason": REASON}, format="json").status_code == 409
    )


def test_a_disclosure_an_agreement_covers_needs_no_reason(referral, demo, as_user):
    url = f"/api/v1/referrals/{referral.pk}/disclosures/"
    response = as_user("police.supervisor").post(url, {"agency": "cps"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["agreement_title"] == DEMO_AGREEMENT_TITLE
    assert demo["cps.caseworker"].user.has_perm("referral.view_referral", referral)
    assert (
        as_user("police.supervisor").post(url, {"agency": "cps"}, format="json").status_code == 409
    )


def test_a_disclosure_outside_an_agreement_needs_a_supervisor_and_a_reason(
    referral, uncovered, as_user
):
    url = f"/api/v1/referrals/{referral.pk}/disclosures/"
    missing = as_user("police.supervisor").post(url, {"agency": uncovered.slug}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    assert not Involvement.objects.filter(referral=referral, agency=uncovered).exists()
    assert not Disclosure.objects.filter(referral=referral, agency=uncovered).exists()
    assert (
        as_user("police.caseworker")
        .post(url, {"agency": uncovered.slug, "reason": REASON}, format="json")
        .status_code
        == 403
    )
    response = as_user("police.supervisor").post(
        url, {"agency": uncovered.slug, "reason": REASON}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["outside_agreement"] and not data["awaiting_reason"]
    assert data["authorised_by"] == "police.supervisor" and data["outside_reason"] == REASON
    granted = _granted(referral, uncovered)
    assert granted.reason == REASON and granted.changes["authorised"] is True
    assert granted.changes["disclosure"] == data["id"]


def test_the_case_sharing_is_read_by_its_supervisors_and_auditors(referral, demo, as_user):
    probation = demo["probation.caseworker"].agency
    for source in ("process:1", "process:2"):
        involvement_grant(
            referral=referral, agency=probation, basis=InvolvementBasis.TASK, source=source
        )
    involvement_revoke(
        referral=referral, agency=probation, basis=InvolvementBasis.TASK, source="process:1"
    )
    url = f"/api/v1/referrals/{referral.pk}/disclosures/"
    listed = as_user("police.supervisor").get(url)
    assert listed.status_code == 200
    assert [(d["agency"], d["source"], d["ended_at"] is None) for d in listed.json()] == [
        ("probation", "process:1", False),
        ("probation", "process:2", True),
    ]
    assert as_user("oversight.auditor").get(url).status_code == 200
    assert as_user("police.caseworker").get(url).status_code == 403
    assert as_user("cps.caseworker").get(url).status_code == 404
    assert (
        as_user("oversight.auditor").get("/api/v1/referrals/999999/disclosures/").status_code == 404
    )


def test_the_sharing_pages(referral, uncovered, client, demo):
    involvement_grant(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    involvement_revoke(
        referral=referral, agency=uncovered, basis=InvolvementBasis.TASK, source="process:1"
    )
    row = Disclosure.objects.get(referral=referral, agency=uncovered)
    client.force_login(demo["police.supervisor"].user)
    case = client.get(f"/workspace/referrals/{referral.pk}/").content.decode()
    assert 'data-testid="share-link"' in case and 'data-testid="sharing-link"' in case
    page = client.get(f"/workspace/referrals/{referral.pk}/sharing/")
    assert page.status_code == 200
    assert b'data-awaiting="true"' in page.content and b'data-ended="true"' in page.content
    assert f'for="reason-{row.pk}"'.encode() in page.content
    share = client.get(f"/workspace/referrals/{referral.pk}/sharing/new/")
    assert share.status_code == 200 and b"<title>Share with an agency" in share.content
    authorise = f"/workspace/referrals/{referral.pk}/sharing/{row.pk}/authorise/"
    refused = client.post(authorise, {"reason": "because"})
    assert refused.status_code == 400 and b'data-testid="error-summary"' in refused.content
    assert client.post(authorise, {"reason": REASON}).status_code == 302
    row.refresh_from_db()
    assert row.authorised_by == demo["police.supervisor"].user
    client.force_login(demo["police.caseworker"].user)
    assert client.get(f"/workspace/referrals/{referral.pk}/sharing/").status_code == 403
    assert client.get(f"/workspace/referrals/{referral.pk}/sharing/new/").status_code == 403
