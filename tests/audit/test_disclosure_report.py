"""The access report's disclosures: each with its basis; outside an agreement, awaiting a
supervisor's reason or given one, whether or not the involvement it was made for has ended."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AgencyKind
from audit.models import Event
from referral.access import involvement_grant
from referral.disclosures import disclosure_authorise
from referral.models import Disclosure, Involvement, InvolvementBasis
from tests.agencies.factories import AgencyFactory, MemberFactory
from tests.referral.factories import ReferralFactory
from workflows.models import AgencyTask
from workflows.services import case_task_start, task_claim, task_complete

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/access/?report=disclosures"
REASON = "Probation supervises the suspect and must manage the risk to her."


@pytest.fixture
def case(demo):
    """A police case disclosed to probation (under the demo agreement) and to a probation
    service no agreement names."""
    police = demo["police.caseworker"]
    referral = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
    uncovered = AgencyFactory(
        kind=AgencyKind.PROBATION, slug="probation-east", name="East Probation"
    )
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    for agency in (demo["probation.caseworker"].agency, uncovered):
        involvement_grant(
            referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="process:1"
        )
    return referral, Disclosure.objects.get(referral=referral, agency=uncovered)


def _agencies(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["changes"]["agency"] for e in response.json()["results"]]


def test_the_report_lists_disclosures_and_filters_those_outside(case, demo, as_user):
    referral, outside = case
    auditor = as_user("oversight.auditor")
    scoped = f"{URL}&referral={referral.pk}"
    assert _agencies(auditor.get(scoped)) == ["probation", "probation-east"]
    assert _agencies(auditor.get(f"{scoped}&outside=outside")) == ["probation-east"]
    assert _agencies(auditor.get(f"{scoped}&outside=awaiting")) == ["probation-east"]
    assert _agencies(auditor.get(f"{scoped}&outside=authorised")) == []
    disclosure_authorise(disclosure=outside, actor=demo["police.supervisor"].user, reason=REASON)
    assert _agencies(auditor.get(f"{scoped}&outside=awaiting")) == []
    assert _agencies(auditor.get(f"{scoped}&outside=authorised")) == ["probation-east"]
    assert auditor.get(f"{URL}&outside=maybe").status_code == 400


def test_the_report_page_shows_the_awaiting(case, client, demo):
    referral, _ = case
    client.force_login(demo["oversight.auditor"].user)
    page = client.get(
        "/workspace/audit/access/",
        {"report": "disclosures", "case": referral.reference, "outside": "awaiting"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="disclosure-table"' in html
    assert html.count('data-testid="disclosure-row"') == 1
    assert 'data-agency="probation-east"' in html and 'data-awaiting="true"' in html
    assert Event.objects.filter(verb="access.granted", referral_id=referral.pk).count() == 3


def test_a_task_outside_an_agreement_stays_awaiting_after_its_process_ends(demo, as_user):
    """A task routed to an agency no agreement covers, done and its process ended: the agency's
    involvement is gone, but the disclosure is awaiting in the report until a supervisor gives
    its reason, after which it shows authorised."""
    police = demo["police.caseworker"]
    referral = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    uncovered = AgencyFactory(
        kind=AgencyKind.PROBATION, slug="probation-east", name="East Probation"
    )
    worker = MemberFactory(agency=uncovered, username="east.caseworker").user
    task = case_task_start(
        referral=referral,
        task_type="victim_update",
        agency=uncovered,
        due=timezone.now() + timedelta(days=5),
        context={},
    )
    task_claim(actor=worker, task_id=task.pk)
    task_complete(actor=worker, task_id=task.pk, data={"contacted": False})
    task = AgencyTask.objects.select_related("process").get(pk=task.pk)
    assert task.process.status == "DONE"
    assert not Involvement.objects.filter(referral=referral, agency=uncovered).exists()
    disclosure = Disclosure.objects.get(referral=referral, agency=uncovered)
    assert disclosure.ended_at is not None and disclosure.awaiting_reason

    auditor = as_user("oversight.auditor")
    awaiting = f"{URL}&referral={referral.pk}&outside=awaiting"
    authorised = f"{URL}&referral={referral.pk}&outside=authorised"
    assert _agencies(auditor.get(awaiting)) == ["probation-east"]
    assert _agencies(auditor.get(authorised)) == []

    response = as_user("police.supervisor").post(
        f"/api/v1/disclosures/{disclosure.pk}/authorise/", {"reason": REASON}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["ended_at"] is not None
    assert _agencies(auditor.get(awaiting)) == []
    assert _agencies(auditor.get(authorised)) == ["probation-east"]
    event = Event.objects.get(verb="disclosure.authorised", referral_id=referral.pk)
    assert event.changes["disclosure"] == disclosure.pk and event.changes["ended"] is True
