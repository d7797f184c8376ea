"""The `schedule_conference` task's page: the meeting is chosen by title and date, not typed as
an id (the API still takes the id)."""

import pytest
from django.test import Client
from django.utils import timezone

from conferences.models import AgendaItem
from conferences.services import conference_create, conference_start
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

RESEARCH = {"summary": "Known to us.", "withheld": False}


def test_the_chair_picks_the_meeting_from_a_list(refer, work, demo, as_user):
    rid = refer(yes=7)["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    for user in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
        work(user, "research", rid, RESEARCH)
    work("ftac.caseworker", "threat_assessment", rid,
         {"summary": "s", "risk_formulation": "r", "recommendations": "x"})
    task = AgencyTask.objects.get(referral_id=rid, task_type="schedule_conference")
    chair = demo["hub.chair"].user
    when = timezone.now() + timezone.timedelta(days=3)
    chosen = conference_create(actor=chair, title="Leeds MASC", starts_at=when,
                               invited=[demo["police.caseworker"].agency])
    started = conference_create(actor=chair, title="Running now", starts_at=timezone.now(),
                                invited=[demo["police.caseworker"].agency])
    conference_start(actor=chair, conference=started)
    assert as_user("hub.chair").post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200

    client = Client()
    client.force_login(chair)
    url = f"/workspace/tasks/{task.pk}/"
    page = client.get(url).content.decode()
    label = f"Leeds MASC, {timezone.localtime(when).strftime('%-d %b %Y %H:%M')}"
    assert f'value="{chosen.pk}"' in page and label in page
    assert "Running now" in page
    assert 'type="number"' not in page
    refused = client.post(url, {"conference": "999999"}).content.decode()
    assert "Select a valid choice" in refused
    assert client.post(url, {"conference": str(chosen.pk)}).status_code == 302
    assert AgendaItem.objects.filter(referral_id=rid, conference=chosen).exists()
