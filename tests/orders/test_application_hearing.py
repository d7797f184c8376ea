"""An application for a stalking protection order with the hearing it is listed for: the hearing
is an `order` hearing recorded as any is (its risk assessments for police and advocacy start),
through the API and the page; a past date is refused and nothing is written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from orders.models import OrderApplication
from referral.models import CourtHearing
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _apply(client, case_id, **body):
    return client.post(f"/api/v1/referrals/{case_id}/order-applications/",
                       {"applied_on": TODAY().isoformat(), **body}, format="json")


def _hearing_tasks(case_id):
    return sorted(AgencyTask.objects.filter(
        referral_id=case_id, task_type="pre_hearing_risk_assessment"
    ).values_list("agency__slug", flat=True))


def test_an_application_with_its_hearing_records_an_order_hearing_and_its_tasks(case, as_user):
    body = case()
    on = TODAY() + timedelta(days=14)
    response = _apply(as_user("police.caseworker"), body["id"], court="Leeds MC",
                      hearing={"date": on.isoformat()})
    assert response.status_code == 201, response.content
    made = response.json()
    hearing = CourtHearing.objects.get(referral_id=body["id"])
    assert (hearing.kind, hearing.date, hearing.court) == ("order", on, "Leeds MC")
    assert made["hearing"] == {"id": hearing.pk, "kind": "order", "date": on.isoformat(),
                               "court": "Leeds MC"}
    assert made["status"] == "pending"
    assert OrderApplication.objects.get(pk=made["id"]).hearing_id == hearing.pk
    assert _hearing_tasks(body["id"]) == ["advocacy", "police"]
    verbs = set(Event.objects.filter(referral_id=body["id"]).values_list("verb", flat=True))
    assert {"order_application.made", "hearing.recorded"} <= verbs


def test_the_hearing_may_name_its_own_court(case, as_user):
    body = case()
    on = TODAY() + timedelta(days=3)
    response = _apply(as_user("police.caseworker"), body["id"], court="Leeds MC",
                      hearing={"date": on.isoformat(), "court": "Bradford MC"})
    assert response.status_code == 201, response.content
    assert CourtHearing.objects.get(referral_id=body["id"]).court == "Bradford MC"


def test_without_a_hearing_the_application_is_as_before(case, as_user):
    body = case()
    response = _apply(as_user("police.caseworker"), body["id"])
    assert response.status_code == 201
    assert response.json()["hearing"] is None
    assert not CourtHearing.objects.filter(referral_id=body["id"]).exists()


@pytest.mark.parametrize(
    "hearing",
    [{"date": "yesterday"}, {"court": "Leeds MC"}, {"date": "2020-01-01"}, "2030-01-01"],
)
def test_a_bad_hearing_is_400_and_writes_nothing(case, as_user, hearing):
    body = case()
    response = _apply(as_user("police.caseworker"), body["id"], hearing=hearing)
    assert response.status_code == 400, response.content
    assert "hearing" in response.json()["error"]["fields"]
    assert not OrderApplication.objects.filter(referral_id=body["id"]).exists()
    assert not CourtHearing.objects.filter(referral_id=body["id"]).exists()


def test_the_page_records_the_application_with_its_hearing(case, demo, client):
    body = case()
    client.force_login(demo["police.caseworker"].user)
    url = f"/workspace/referrals/{body['id']}/order-applications/new/"
    html = client.get(url).content.decode()
    assert 'name="hearing"' in html and 'name="hearing_court"' in html
    past = client.post(url, {"applied_on": TODAY().isoformat(), "court": "Leeds MC",
                             "hearing": (TODAY() - timedelta(days=1)).isoformat()})
    assert past.status_code == 200
    assert "hearing" in past.context["form"].errors
    assert 'data-testid="error-summary"' in past.content.decode()
    no_date = client.post(url, {"applied_on": TODAY().isoformat(), "hearing_court": "Leeds"})
    assert "hearing" in no_date.context["form"].errors
    assert not OrderApplication.objects.filter(referral_id=body["id"]).exists()
    on = TODAY() + timedelta(days=7)
    posted = client.post(url, {"applied_on": TODAY().isoformat(), "court": "Leeds MC",
                               "hearing": on.isoformat()})
    assert posted.status_code == 302
    hearing = CourtHearing.objects.get(referral_id=body["id"])
    assert (hearing.kind, hearing.date, hearing.court) == ("order", on, "Leeds MC")
    assert _hearing_tasks(body["id"]) == ["advocacy", "police"]
