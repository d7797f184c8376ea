"""Cases for the reports' tests, made as the app makes them: referred through the API, their
tasks claimed and completed through the workflow's services."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.referral.factories import answers, payload
from tests.tokens import token_for
from workflows import services
from workflows.models import AgencyTask

_born = count()


def user(username: str):
    return get_user_model().objects.get(username=username)


def person(name: str, born: str | None = None) -> dict:
    """A victim or suspect; without `born`, a date of birth no other test person has (the same
    name with another date of birth is another person)."""
    if born is None:
        born = (date(1960, 1, 1) + timedelta(days=next(_born))).isoformat()
    return {"name": name, "date_of_birth": born}


def refer(
    *,
    yes: int = 2,
    by: str = "police.caseworker",
    victim: dict | None = None,
    suspect: dict | None = None,
    **overrides,
) -> int:
    """Refer a case (its flow starts); `yes` screening answers yes. Returns its id."""
    body = payload(
        victim={**(victim or person("Alice Example")), "enhanced_rights": False},
        suspect={"address": "9 Low Road", "aliases": [], **(suspect or person("Bob Sample"))},
        screening={"instrument": "stalking-screen-v1", "answers": answers(yes)},
        **overrides,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user(by))}")
    response = client.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def work(username: str, task_type: str, referral_id: int, data: dict) -> AgencyTask:
    """Claim and complete the case's open task of this type for the member's agency."""
    actor = user(username)
    task = (
        AgencyTask.objects.filter(
            referral_id=referral_id,
            task_type=task_type,
            is_open=True,
            agency__memberships__user=actor,
        )
        .order_by("pk")
        .first()
    )
    assert task is not None, (task_type, referral_id)
    services.task_claim(actor=actor, task_id=task.pk)
    services.task_complete(actor=actor, task_id=task.pk, data=data)
    return task


def accept(referral_id: int, risk_level: str = "standard", **extra) -> AgencyTask:
    return work(
        "hub.caseworker",
        "triage",
        referral_id,
        {"decision": "accept", "risk_level": risk_level, **extra},
    )


RESEARCH = {"summary": "Two previous convictions.", "withheld": False}


def research_all(referral_id: int) -> None:
    """Every research task of the case done by its agency."""
    for username in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
        work(username, "research", referral_id, RESEARCH)
