import pytest
from django.utils import timezone

from conferences.services import conference_acknowledge, conference_create
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral

INVITED = ["police", "cps", "probation", "advocacy", "ftac"]


@pytest.fixture
def meeting(demo, submit_case):
    """A scheduled meeting (hub chair) with two cases on its agenda; not yet acknowledged."""
    from conferences.services import agenda_add

    chair = demo["hub.chair"].user
    conference = conference_create(
        actor=chair, title="Leeds MASC", starts_at=timezone.now() + timezone.timedelta(hours=1),
        invited=[demo[f"{slug}.caseworker"].agency for slug in INVITED],
    )
    for n in range(2):
        referral = submit_case(n)
        involvement_grant(referral=referral, agency=demo["hub.chair"].agency,
                          basis=InvolvementBasis.TASK, source="test")
        agenda_add(referral=referral, conference_id=conference.pk, actor=chair)
    return conference


@pytest.fixture
def submit_case(demo):
    from referral.services import referral_submit
    from tests.referral.factories import answers

    def do(n) -> Referral:
        from referral.models import ScreeningInstrument
        from referral.services import PersonDraft, ReferralDraft

        police = demo["police.caseworker"]
        letters = "".join(chr(97 + int(d)) for d in str(n))
        draft = ReferralDraft(
            victim=PersonDraft(name=f"Victim {letters}"),
            suspect=PersonDraft(name=f"Suspect {letters}"),
            relationship=("former_partner",), behaviours=("texts",), consent=True,
            instrument=ScreeningInstrument.objects.get(slug="stalking-screen-v1"),
            answers=answers(7),
        )
        return referral_submit(actor=police.user, membership=police, draft=draft).referral

    return do


@pytest.fixture
def acknowledged(meeting, demo):
    for username in ["hub.chair", "police.caseworker", "cps.caseworker", "advocacy.caseworker"]:
        conference_acknowledge(actor=demo[username].user, conference=meeting)
    return meeting
