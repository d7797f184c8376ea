"""Who may see and add evidence files: a member reads a file only when its agency may see the
case and it may read the file's section, and adds one to a section it may write. Any other
file answers 404 on every surface (lists, the file, its download, its page), as if it did not
exist; the trail shows a file's events only to readers of its section."""

import pytest

from evidence.models import EvidenceFile
from referral.access import involvement_grant
from referral.models import InvolvementBasis
from tests.evidence.files import png, upload
from tests.referral.factories import payload

pytestmark = pytest.mark.django_db

SECTIONS = ("incidents", "victim_contact", "suspect")
# Which of the police's files in each section each account may read, written out by hand: CPS
# and the hub are involved in the case, probation is not, an auditor reads no case content.
EXPECTED = {
    "police.caseworker": {"incidents", "victim_contact", "suspect"},
    "cps.caseworker": {"incidents", "suspect"},
    "hub.caseworker": {"incidents", "victim_contact", "suspect"},
    "probation.caseworker": set(),
    "oversight.auditor": set(),
}


@pytest.fixture
def files(as_user, case):
    """{section: file id} of a file the police added to each section."""
    police = as_user("police.caseworker")
    made = {}
    for section in SECTIONS:
        response = upload(police, case.pk, f"{section}.png", png(), section=section)
        assert response.status_code == 201, response.content
        made[section] = response.json()["id"]
    return made


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_surface_shows_a_file_only_to_readers_of_its_section(
    username, as_user, demo, client, case, files
):
    reader = as_user(username)
    allowed = EXPECTED[username]
    listed = reader.get(f"/api/v1/referrals/{case.pk}/evidence/")
    sees_case = username not in ("probation.caseworker", "oversight.auditor")
    if sees_case:
        assert listed.status_code == 200
        shown = {f["section"] for f in listed.json()["results"]}
        assert shown == allowed
    else:
        assert listed.status_code == 404
    client.force_login(demo[username].user)
    page = client.get(f"/workspace/referrals/{case.pk}/")
    for section, evidence_id in files.items():
        detail = reader.get(f"/api/v1/evidence/{evidence_id}/")
        download = reader.get(f"/api/v1/evidence/{evidence_id}/download/")
        file_page = client.get(f"/workspace/referrals/{case.pk}/evidence/{evidence_id}/")
        file_download = client.get(
            f"/workspace/referrals/{case.pk}/evidence/{evidence_id}/download/")
        expected = 200 if section in allowed else 404
        assert (detail.status_code, download.status_code) == (expected, expected), section
        if username != "oversight.auditor":  # the auditor's pages are refused as a whole
            assert file_page.status_code == expected, section
            assert file_download.status_code == expected, section
        else:
            assert file_page.status_code in (403, 404)
            assert file_download.status_code in (403, 404)
        if page.status_code == 200:
            assert (f"{section}.png" in page.content.decode()) == (section in allowed)


def test_a_file_is_not_found_under_another_case(as_user, demo, client, case, files):
    other = as_user("police.caseworker").post("/api/v1/referrals/", payload(
        victim={"name": "Dana Other", "date_of_birth": "1980-02-02", "enhanced_rights": False},
    ), format="json").json()
    client.force_login(demo["police.caseworker"].user)
    response = client.get(f"/workspace/referrals/{other['id']}/evidence/{files['incidents']}/")
    assert response.status_code == 404
    assert client.get(f"/workspace/referrals/{case.pk}/evidence/99999999/").status_code == 404
    assert as_user("police.caseworker").get("/api/v1/evidence/99999999/").status_code == 404


def test_adding_needs_the_section_written(as_user, case, evidence_storage):
    cps = as_user("cps.caseworker")  # reads incidents, may not write them
    response = upload(cps, case.pk, "a.png", png(), section="incidents")
    assert response.status_code == 403
    assert "section" in response.json()["error"]["fields"]
    response = upload(cps, case.pk, "a.png", png(), section="charging")  # CPS writes charging
    assert response.status_code == 201, response.content
    # A case the agency may not see: 404, whatever the file.
    assert upload(as_user("probation.caseworker"), case.pk, "a.png", png()).status_code == 404
    assert upload(as_user("oversight.auditor"), case.pk, "a.png", png()).status_code == 404
    assert EvidenceFile.objects.count() == 1


def test_the_trail_shows_a_files_events_only_to_readers_of_its_section(as_user, demo, case):
    involvement_grant(referral=case, agency=demo["ftac.caseworker"].agency,
                      basis=InvolvementBasis.TASK, source="test")
    ftac = as_user("ftac.caseworker")
    added = upload(ftac, case.pk, "formulation.pdf.png", png(), section="threat_assessment")
    assert added.status_code == 201, added.content
    evidence_id = added.json()["id"]
    # The hub's chair reads threat assessments; its caseworkers do not.
    assert as_user("hub.chair").get(f"/api/v1/evidence/{evidence_id}/download/").status_code == 200
    assert as_user("hub.caseworker").get(f"/api/v1/evidence/{evidence_id}/").status_code == 404

    def verbs(username):
        response = as_user(username).get(f"/api/v1/audit/events/?referral={case.pk}&page_size=500")
        assert response.status_code == 200, response.content
        return [e["verb"] for e in response.json()["results"]]

    assert "evidence.viewed" in verbs("hub.chair")
    assert not [v for v in verbs("hub.caseworker") if v.startswith("evidence.")]
    assert "evidence.added" in verbs("ftac.caseworker")
