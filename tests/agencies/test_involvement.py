"""The object rule: an agency sees a case only while it is involved; otherwise 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from referral.access import (
    involvement_grant,
    involvement_revoke,
    involvement_revoke_in_cases,
    involvements_grant,
    involvements_revoke,
)
from referral.models import InvolvementBasis
from tests.referral.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(demo):
    police = demo["police.caseworker"]
    referral = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    return referral


def _ids(response):
    return [r["id"] for r in response.json()["results"]]


def test_uninvolved_agency_gets_404_and_empty_list(referral, as_user):
    probation = as_user("probation.caseworker")
    assert probation.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert referral.pk not in _ids(probation.get("/api/v1/referrals/"))


def test_404_for_hidden_is_the_same_as_for_missing(referral, as_user):
    probation = as_user("probation.caseworker")
    hidden = probation.get(f"/api/v1/referrals/{referral.pk}/")
    missing = probation.get("/api/v1/referrals/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_referrer_sees_its_case(referral, as_user):
    police = as_user("police.caseworker")
    assert police.get(f"/api/v1/referrals/{referral.pk}/").json()["reference"] == referral.reference
    assert _ids(police.get("/api/v1/referrals/")) == [referral.pk]


def test_grant_then_revoke_shows_then_hides(referral, demo, as_user):
    probation = as_user("probation.caseworker")
    agency = demo["probation.caseworker"].agency
    involvement_grant(
        referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="task:1"
    )
    assert probation.get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    assert _ids(probation.get("/api/v1/referrals/")) == [referral.pk]

    involvement_revoke(
        referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="task:1"
    )
    assert probation.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert _ids(probation.get("/api/v1/referrals/")) == []


def test_access_lasts_while_any_basis_remains(referral, demo, as_user):
    advocacy = as_user("advocacy.caseworker")
    agency = demo["advocacy.caseworker"].agency
    involvement_grant(
        referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="task:1"
    )
    involvement_grant(
        referral=referral, agency=agency, basis=InvolvementBasis.CONFERENCE, source="c:1"
    )
    involvement_revoke(
        referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="task:1"
    )
    assert advocacy.get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    involvement_revoke(
        referral=referral, agency=agency, basis=InvolvementBasis.CONFERENCE, source="c:1"
    )
    assert advocacy.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_grants_are_guardian_group_object_permissions(referral, demo):
    from guardian.shortcuts import get_objects_for_group

    police = demo["police.caseworker"]
    assert police.user.has_perm("referral.view_referral", referral)
    assert list(get_objects_for_group(police.agency.group, "referral.view_referral")) == [referral]
    assert not demo["cps.caseworker"].user.has_perm("referral.view_referral", referral)


def test_a_grant_writes_its_permission_row_without_looking_up_guardian_first(referral, demo):
    """One INSERT for the permission row, the permission's id read inside it: guardian's
    `assign_perm` looked up the group, the permission and its content type first (a case
    reaching a conference grants seven agencies at once). The grant still reads as guardian's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    probation = demo["probation.caseworker"]
    with CaptureQueriesContext(connection) as grant:
        involvement_grant(
            referral=referral, agency=probation.agency, basis=InvolvementBasis.TASK, source="t"
        )
    touching = [q["sql"] for q in grant.captured_queries
                if "referralagencypermission" in q["sql"] or "auth_" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT"), touching
    assert probation.user.has_perm("referral.view_referral", referral)
    involvement_grant(  # a second basis: the row is there already, and stays one row
        referral=referral, agency=probation.agency, basis=InvolvementBasis.CONFERENCE, source="c"
    )
    rows = referral.referralagencypermission_set.filter(group=probation.agency.group)
    assert rows.count() == 1


def test_grant_and_revoke_are_on_the_trail(referral, demo):
    agency = demo["cps.caseworker"].agency
    involvement_grant(referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="t")
    involvement_grant(referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="t")
    involvement_revoke(referral=referral, agency=agency, basis=InvolvementBasis.TASK, source="t")
    verbs = list(
        Event.objects.filter(referral_id=referral.pk, changes__agency="cps").values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["access.granted", "access.revoked"]


def _agencies(demo, *usernames):
    return [demo[name].agency for name in usernames]


def test_a_grant_of_many_agencies_involves_each_once_and_logs_the_new_ones(referral, demo):
    """Agencies already involved for that reason keep their row and get no second event; the
    others are involved, permitted and logged, in the order given."""
    cps, probation, advocacy = _agencies(
        demo, "cps.caseworker", "probation.caseworker", "advocacy.caseworker"
    )
    involvement_grant(referral=referral, agency=probation, basis=InvolvementBasis.CONFERENCE,
                      source="conference:1")
    new = involvements_grant(
        referral=referral, agencies=[cps, probation, advocacy, cps],
        basis=InvolvementBasis.CONFERENCE, source="conference:1",
    )
    assert new == [cps, advocacy]
    assert sorted(referral.involvements.filter(basis=InvolvementBasis.CONFERENCE)
                  .values_list("agency__slug", flat=True)) == ["advocacy", "cps", "probation"]
    for name in ("cps.caseworker", "probation.caseworker", "advocacy.caseworker"):
        assert demo[name].user.has_perm("referral.view_referral", referral)
    granted = Event.objects.filter(referral_id=referral.pk, verb="access.granted",
                                   changes__basis=InvolvementBasis.CONFERENCE).order_by("id")
    assert [e.changes["agency"] for e in granted] == ["probation", "cps", "advocacy"]
    assert involvements_grant(referral=referral, agencies=[cps, advocacy],
                              basis=InvolvementBasis.CONFERENCE, source="conference:1") == []
    assert not involvements_grant(referral=referral, agencies=[],
                                  basis=InvolvementBasis.CONFERENCE, source="conference:1")


def test_a_grant_takes_the_same_statements_for_one_agency_as_for_five(referral, demo):
    """A case put on a conference's agenda involves every invited agency (seven at the
    benchmark's conferences): one at a time that was eight statements each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(names, source):
        with CaptureQueriesContext(connection) as grant:
            new = involvements_grant(referral=referral, agencies=_agencies(demo, *names),
                                     basis=InvolvementBasis.CONFERENCE, source=source)
        assert len(new) == len(names)
        return len(grant.captured_queries)

    one = statements(["cps.caseworker"], "conference:1")
    five = statements(["cps.caseworker", "probation.caseworker", "advocacy.caseworker",
                       "ftac.caseworker", "hub.caseworker"], "conference:2")
    assert one == five


def test_a_revoke_of_many_agencies_ends_that_reason_and_keeps_access_another_gives(
    referral, demo, as_user
):
    """Each agency loses the reason revoked; only one with no other reason loses the case.
    Agencies not involved for that reason are left alone and get no event."""
    cps, probation, advocacy, ftac = _agencies(
        demo, "cps.caseworker", "probation.caseworker", "advocacy.caseworker", "ftac.caseworker"
    )
    involvements_grant(referral=referral, agencies=[cps, probation, advocacy],
                       basis=InvolvementBasis.CONFERENCE, source="conference:1")
    involvement_grant(referral=referral, agency=probation, basis=InvolvementBasis.TASK,
                      source="process:1")
    ended = involvements_revoke(
        referral=referral, agencies=[advocacy, probation, ftac, cps, advocacy],
        basis=InvolvementBasis.CONFERENCE, source="conference:1",
    )
    assert ended == [advocacy, probation, cps]
    assert not referral.involvements.filter(basis=InvolvementBasis.CONFERENCE).exists()
    url = f"/api/v1/referrals/{referral.pk}/"
    assert as_user("probation.caseworker").get(url).status_code == 200
    for name in ("cps.caseworker", "advocacy.caseworker"):
        assert as_user(name).get(url).status_code == 404
        assert not demo[name].user.has_perm("referral.view_referral", referral)
    revoked = Event.objects.filter(referral_id=referral.pk, verb="access.revoked").order_by("id")
    assert [e.changes["agency"] for e in revoked] == ["advocacy", "probation", "cps"]
    assert {e.changes["source"] for e in revoked} == {"conference:1"}
    assert involvements_revoke(referral=referral, agencies=[cps, ftac],
                               basis=InvolvementBasis.CONFERENCE, source="conference:1") == []
    assert involvements_revoke(referral=referral, agencies=[],
                               basis=InvolvementBasis.CONFERENCE, source="conference:1") == []
    assert Event.objects.filter(referral_id=referral.pk, verb="access.revoked").count() == 3


def test_a_revoke_takes_the_same_statements_for_one_agency_as_for_five(referral, demo):
    """A case taken off an agenda ends every invited agency's involvement through that
    meeting: one at a time that was about seven statements each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(names, source):
        agencies = _agencies(demo, *names)
        involvements_grant(referral=referral, agencies=agencies,
                           basis=InvolvementBasis.CONFERENCE, source=source)
        with CaptureQueriesContext(connection) as revoke:
            ended = involvements_revoke(referral=referral, agencies=agencies,
                                        basis=InvolvementBasis.CONFERENCE, source=source)
        assert ended == agencies
        return len(revoke.captured_queries)

    one = statements(["cps.caseworker"], "conference:1")
    five = statements(["cps.caseworker", "probation.caseworker", "advocacy.caseworker",
                       "ftac.caseworker", "hub.caseworker"], "conference:2")
    assert one == five


def test_an_agency_withdrawn_from_several_cases_keeps_those_another_reason_gives(demo, as_user):
    """One agency, one reason, many cases: each case loses that reason; the agency keeps the
    cases it is involved in otherwise, and each case it loses gets its event, in order."""
    police = demo["police.caseworker"]
    probation = demo["probation.caseworker"].agency
    cases = [ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
             for _ in range(4)]
    for case in cases[:3]:
        involvement_grant(referral=case, agency=probation, basis=InvolvementBasis.CONFERENCE,
                          source="conference:7")
    involvement_grant(referral=cases[1], agency=probation, basis=InvolvementBasis.TASK,
                      source="process:1")
    involvement_grant(referral=cases[3], agency=probation, basis=InvolvementBasis.CONFERENCE,
                      source="conference:8")

    ended = involvement_revoke_in_cases(
        referrals=[cases[2], cases[0], cases[1], cases[3], cases[2]], agency=probation,
        basis=InvolvementBasis.CONFERENCE, source="conference:7",
    )
    assert ended == [cases[2], cases[0], cases[1]]
    client = as_user("probation.caseworker")
    seen = [client.get(f"/api/v1/referrals/{case.pk}/").status_code for case in cases]
    assert seen == [404, 200, 404, 200]
    assert not demo["probation.caseworker"].user.has_perm("referral.view_referral", cases[0])
    revoked = Event.objects.filter(verb="access.revoked").order_by("id")
    assert [(e.referral_id, e.changes["agency"], e.changes["source"]) for e in revoked] == [
        (cases[2].pk, "probation", "conference:7"),
        (cases[0].pk, "probation", "conference:7"),
        (cases[1].pk, "probation", "conference:7"),
    ]
    assert involvement_revoke_in_cases(referrals=cases, agency=probation,
                                       basis=InvolvementBasis.CONFERENCE,
                                       source="conference:7") == []
    assert involvement_revoke_in_cases(referrals=[], agency=probation,
                                       basis=InvolvementBasis.CONFERENCE) == []
    assert revoked.count() == 3


def test_withdrawing_an_agency_takes_the_same_statements_for_one_case_as_for_four(demo):
    """A meeting's withdrawal reads its agenda and revokes the agency from every case on it,
    in the same statements for any number of cases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conferences.services import agenda_add, conference_create, conference_uninvite
    from referral.models import ReferralAgencyPermission

    chair = demo["hub.chair"].user
    police = demo["police.caseworker"]
    probation = demo["probation.caseworker"].agency

    def statements(cases):
        conference = conference_create(
            actor=chair, title="MASC", starts_at=timezone.now() + timedelta(hours=1),
            invited=[probation, police.agency],
        )
        referrals = [ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
                     for _ in range(cases)]
        for referral in referrals:
            agenda_add(referral=referral, conference_id=conference.pk, actor=chair)
        with CaptureQueriesContext(connection) as withdrawal:
            conference_uninvite(actor=chair, conference=conference, agency=probation)
        assert not ReferralAgencyPermission.objects.filter(
            group=probation.group, content_object__in=referrals).exists()
        return len(withdrawal.captured_queries)

    one, four = statements(1), statements(4)
    assert one == four


def test_oversight_auditor_sees_no_case_content_even_if_granted(referral, demo, as_user):
    oversight = demo["oversight.auditor"].agency
    involvement_grant(referral=referral, agency=oversight, basis=InvolvementBasis.TASK, source="x")
    assert as_user("oversight.auditor").get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def _queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


def test_list_uses_the_same_queries_for_1_and_for_60(demo, as_user):
    police = demo["police.caseworker"]
    client = as_user("police.caseworker")

    def add(n):
        for _ in range(n):
            r = ReferralFactory(referrer_agency=police.agency, referred_by=police.user)
            involvement_grant(referral=r, agency=police.agency, basis=InvolvementBasis.REFERRER)

    add(1)
    one, _ = _queries_for(client, "/api/v1/referrals/?page_size=500")
    add(59)
    many, response = _queries_for(client, "/api/v1/referrals/?page_size=500")
    assert len(response.json()["results"]) == 60
    assert one == many <= 3
