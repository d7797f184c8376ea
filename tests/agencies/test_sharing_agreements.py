"""Information-sharing agreements: recorded, read and ended as the policy allows."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from agencies.models import LawfulBasis, SharingAgreement
from agencies.selectors import covering_agreement
from agencies.services import DEMO_AGREEMENT_TITLE, sharing_agreement_create
from audit.models import Event

pytestmark = pytest.mark.django_db

URL = "/api/v1/sharing-agreements/"


def body(**overrides) -> dict:
    today = timezone.localdate()
    return {
        "title": "Police and probation stalking sharing",
        "purpose": "Managing the risk stalking perpetrators pose.",
        "lawful_basis": LawfulBasis.LAW_ENFORCEMENT,
        "parties": ["police", "probation"],
        "starts_on": (today - timedelta(days=30)).isoformat(),
        "review_on": (today + timedelta(days=300)).isoformat(),
        **overrides,
    }


def agreement(demo, *, parties=("police", "probation"), starts_on=None, review_on=None):
    today = timezone.localdate()
    agencies = {m.agency.slug: m.agency for m in demo.values()}
    return sharing_agreement_create(
        actor=demo["police.supervisor"].user,
        title="Police and probation",
        purpose="Managing risk.",
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT,
        parties=[agencies[slug] for slug in parties],
        starts_on=starts_on or today - timedelta(days=30),
        review_on=review_on or today + timedelta(days=300),
    )


def test_a_supervisor_records_an_agreement_its_agency_is_party_to(as_user):
    response = as_user("police.supervisor").post(URL, body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [p["slug"] for p in data["parties"]] == ["police", "probation"]
    assert data["in_force"] and not data["review_overdue"]
    event = Event.objects.get(verb="sharing_agreement.created", object_id=str(data["id"]))
    assert event.actor_username == "police.supervisor"
    assert event.changes["parties"] == ["police", "probation"]
    assert event.changes["lawful_basis"] == LawfulBasis.LAW_ENFORCEMENT


def test_a_caseworker_may_not_record_one(as_user):
    response = as_user("police.caseworker").post(URL, body(), format="json")
    assert response.status_code == 403
    assert not SharingAgreement.objects.filter(title=body()["title"]).exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"parties": ["police"]}, "parties"),
        ({"parties": ["police", "police"]}, "parties"),
        ({"parties": ["police", "nowhere"]}, "parties"),
        ({"review_on": "2020-01-01", "starts_on": "2021-01-01"}, "review_on"),
        ({"lawful_basis": "because"}, "lawful_basis"),
        ({"parties": ["cps", "probation"]}, "parties"),  # the recorder's agency is not a party
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_user, overrides, field):
    response = as_user("police.supervisor").post(URL, body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not SharingAgreement.objects.filter(title=body()["title"]).exists()


def test_members_read_their_agencys_agreements_auditors_read_all(demo, as_user):
    made = agreement(demo)
    url = f"{URL}{made.pk}/"
    assert as_user("probation.caseworker").get(url).status_code == 200
    assert as_user("oversight.auditor").get(url).status_code == 200
    assert as_user("cps.caseworker").get(url).status_code == 404
    listed = [a["id"] for a in as_user("cps.caseworker").get(URL).json()]
    assert made.pk not in listed
    assert made.pk in [a["id"] for a in as_user("oversight.auditor").get(URL).json()]


def test_a_party_supervisor_ends_an_agreement_a_caseworker_may_not(demo, as_user):
    made = agreement(demo)
    url = f"{URL}{made.pk}/"
    today = timezone.localdate()
    assert (
        as_user("police.caseworker")
        .patch(url, {"ended_on": today.isoformat()}, format="json")
        .status_code
        == 403
    )
    assert (
        as_user("police.supervisor")
        .patch(url, {"ended_on": (today - timedelta(days=1)).isoformat()}, format="json")
        .status_code
        == 400
    )
    response = as_user("police.supervisor").patch(
        url, {"ended_on": today.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert not response.json()["in_force"]
    event = Event.objects.get(verb="sharing_agreement.updated", object_id=str(made.pk))
    assert event.changes["ended_on"] == {"before": None, "after": today.isoformat()}
    assert (
        as_user("police.supervisor")
        .patch(url, {"review_on": (today + timedelta(days=5)).isoformat()}, format="json")
        .status_code
        == 409
    )


def test_a_review_date_past_is_a_warning_not_an_end(demo, as_user):
    today = timezone.localdate()
    made = agreement(
        demo, starts_on=today - timedelta(days=400), review_on=today - timedelta(days=1)
    )
    data = as_user("police.caseworker").get(f"{URL}{made.pk}/").json()
    assert data["in_force"] and data["review_overdue"]
    agencies = {m.agency.slug: m.agency for m in demo.values()}
    assert (
        covering_agreement(discloser=agencies["police"], recipient=agencies["probation"], on=today)
        is not None
    )


def test_the_covering_agreement_is_one_in_force_between_both(demo):
    agencies = {m.agency.slug: m.agency for m in demo.values()}
    police, ftac, oversight = agencies["police"], agencies["ftac"], agencies["oversight"]
    demo_agreement = SharingAgreement.objects.get(title=DEMO_AGREEMENT_TITLE)
    assert (
        covering_agreement(discloser=police, recipient=ftac, on=timezone.localdate())
        == demo_agreement
    )
    assert covering_agreement(discloser=police, recipient=ftac, on=date(2023, 12, 31)) is None
    assert (
        covering_agreement(discloser=police, recipient=oversight, on=timezone.localdate()) is None
    )


def test_the_pages_list_show_record_and_edit(client, demo):
    today = timezone.localdate()
    made = agreement(
        demo, starts_on=today - timedelta(days=400), review_on=today - timedelta(days=1)
    )
    client.force_login(demo["police.supervisor"].user)
    listing = client.get("/workspace/sharing/").content.decode()
    assert "Police and probation" in listing and 'data-testid="review-overdue"' in listing
    detail = client.get(f"/workspace/sharing/{made.pk}/")
    assert detail.status_code == 200 and b'data-testid="edit-agreement"' in detail.content
    assert client.get(f"/workspace/sharing/{made.pk}/edit/").status_code == 200
    form = client.get("/workspace/sharing/new/").content.decode()
    assert "<title>Record a sharing agreement" in form and 'for="id_title"' in form
    police = demo["police.supervisor"].agency
    probation = demo["probation.caseworker"].agency
    bad = client.post(
        "/workspace/sharing/new/",
        {
            "title": "One party",
            "purpose": "x",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "parties": [police.pk],
            "starts_on": today.isoformat(),
            "review_on": today.isoformat(),
        },
    )
    assert bad.status_code == 200 and b'data-testid="error-summary"' in bad.content
    good = client.post(
        "/workspace/sharing/new/",
        {
            "title": "Two parties",
            "purpose": "Risk.",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "parties": [police.pk, probation.pk],
            "starts_on": today.isoformat(),
            "review_on": today.isoformat(),
        },
    )
    assert good.status_code == 302
    assert SharingAgreement.objects.filter(title="Two parties").exists()


def test_a_caseworker_gets_403_on_the_forms_and_a_non_party_404(client, demo):
    made = agreement(demo)
    client.force_login(demo["police.caseworker"].user)
    assert client.get("/workspace/sharing/new/").status_code == 403
    assert client.get(f"/workspace/sharing/{made.pk}/edit/").status_code == 403
    client.force_login(demo["cps.caseworker"].user)
    assert client.get(f"/workspace/sharing/{made.pk}/").status_code == 404
