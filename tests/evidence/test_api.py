"""Evidence files through the API, on PostgreSQL with real files in a directory of the test's
own: upload and download, the hash checked on every download, types read from the bytes, the
size limit, and nothing half-written when storing or recording fails."""

import base64
import hashlib

import pytest
from django.db import DatabaseError, connection

from audit.models import Event
from evidence.models import EvidenceFile
from tests.evidence.files import TEXT, pdf, png, upload, wav
from tests.referral.factories import incident_body, payload

pytestmark = pytest.mark.django_db


def _stored(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def _events(verb: str, evidence_id=None) -> list[Event]:
    events = Event.objects.filter(verb=verb)
    if evidence_id is not None:
        events = events.filter(object_id=str(evidence_id))
    return list(events.order_by("id"))


def test_upload_then_download_the_same_bytes(as_user, case, evidence_storage):
    police = as_user("police.caseworker")
    data = png()
    response = upload(police, case.pk, "doorbell.png", data, "image/png",
                      incident=case.incident_id, description="Doorbell camera, 02:14.")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png" and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["section"] == "incidents" and body["incident"] == case.incident_id
    assert body["original_name"] == "doorbell.png" and body["scan_result"] == "not_scanned"
    assert body["added_by"] == "police.caseworker" and body["agency"] == "police"
    assert body["altered"] is False

    # Stored under a random name, never the user's, with the bytes uploaded.
    evidence = EvidenceFile.objects.get(pk=body["id"])
    [stored] = _stored(evidence_storage)
    assert "doorbell" not in str(stored) and stored.name == evidence.stored_name.split("/")[-1]
    assert stored.read_bytes() == data

    [added] = _events("evidence.added", evidence.pk)
    assert added.actor_username == "police.caseworker" and added.referral_id == case.pk
    assert added.changes["section"] == "incidents" and added.changes["sha256"] == body["sha256"]
    assert added.changes["name"] == "***"  # the file's name is case content, not the trail's

    listed = police.get(f"/api/v1/referrals/{case.pk}/evidence/").json()["results"]
    assert [f["id"] for f in listed] == [evidence.pk]

    download = police.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Disposition"].startswith("attachment")
    assert "doorbell.png" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert download["Repr-Digest"] == f"sha-256=:{digest}:"
    [viewed] = _events("evidence.viewed", evidence.pk)
    assert viewed.actor_username == "police.caseworker"

    detail = police.get(f"/api/v1/evidence/{evidence.pk}/").json()
    assert [e["verb"] for e in detail["custody"]] == ["evidence.added", "evidence.viewed"]
    assert detail["custody"][0]["actor"] == "police.caseworker"


@pytest.mark.parametrize("name,data,declared,kind", [
    ("letter.pdf", pdf(), "application/pdf", "application/pdf"),
    ("voicemail.wav", wav(), "audio/wav", "audio/x-wav"),
    ("messages.txt", TEXT, "text/plain", "text/plain"),
    ("photo.jpeg", png(), None, None),  # refused below: a PNG named .jpeg
])
def test_types_are_read_from_the_bytes(as_user, case, name, data, declared, kind):
    response = upload(as_user("police.caseworker"), case.pk, name, data, declared)
    if kind is None:
        assert response.status_code == 400
        assert "file" in response.json()["error"]["fields"]
    else:
        assert response.status_code == 201, response.content
        assert response.json()["content_type"] == kind


def test_a_png_renamed_pdf_is_refused_and_nothing_is_kept(as_user, case, evidence_storage):
    police = as_user("police.caseworker")
    response = upload(police, case.pk, "statement.pdf", png(), "application/pdf")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "image/png" in error["fields"]["file"][0] and ".pdf" in error["fields"]["file"][0]
    # Named right but declared as something else.
    response = upload(police, case.pk, "photo.png", png(), "application/pdf")
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]
    # Text named as an image, and bytes of no allowed kind (a ZIP archive; not UTF-8).
    assert upload(police, case.pk, "photo.png", TEXT, "image/png").status_code == 400
    zip_bytes = b"PK\x03\x04" + bytes(range(256)) * 4
    refused = upload(police, case.pk, "archive.txt", zip_bytes)
    assert refused.status_code == 400
    assert "not accepted" in refused.json()["error"]["fields"]["file"][0]
    assert upload(police, case.pk, "empty.txt", b"").status_code == 400
    assert not EvidenceFile.objects.exists() and not _stored(evidence_storage)
    assert not _events("evidence.added")


def test_a_file_over_the_limit_is_refused_naming_the_limit(as_user, case, settings,
                                                          evidence_storage):
    settings.EVIDENCE_MAX_BYTES = 1000
    police = as_user("police.caseworker")
    response = upload(police, case.pk, "notes.txt", b"a" * 1500)
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["file"][0]
    assert "limit of 1000 bytes" in message
    assert upload(police, case.pk, "notes.txt", b"a" * 1000).status_code == 201
    # A body past the limit is refused before it is read, the same way.
    settings.MAX_REQUEST_BYTES = 2000
    response = upload(police, case.pk, "notes.txt", b"a" * 5000)
    assert response.status_code == 400
    assert "limit of 1000 bytes" in response.json()["error"]["fields"]["file"][0]
    assert EvidenceFile.objects.count() == 1 and len(_stored(evidence_storage)) == 1


def test_the_default_limit_is_25_mb_and_a_body_that_size_gets_through(settings):
    from config.settings import base

    assert base.EVIDENCE_MAX_BYTES == 25 * 1024 * 1024
    assert settings.MAX_REQUEST_BYTES < base.EVIDENCE_MAX_BYTES


def test_bad_input_names_its_fields(as_user, case, demo):
    police = as_user("police.caseworker")
    response = police.post(f"/api/v1/referrals/{case.pk}/evidence/",
                           {"section": "incidents"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]
    response = upload(police, case.pk, "a.png", png(), section="nowhere")
    assert response.status_code == 400 and "section" in response.json()["error"]["fields"]
    response = upload(police, case.pk, "a.png", png(), incident="x")
    assert response.status_code == 400 and "incident" in response.json()["error"]["fields"]
    response = upload(police, case.pk, "a.png", png(), unexpected="1")
    assert response.status_code == 400 and "unexpected" in response.json()["error"]["fields"]
    # An incident of another case.
    other = police.post("/api/v1/referrals/", _other_case(), format="json").json()
    other_incident = other["incidents"][0]["id"]
    response = upload(police, case.pk, "a.png", png(), incident=other_incident)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["incident"] == ["No such incident on this case."]
    # JSON is not an upload.
    response = police.post(f"/api/v1/referrals/{case.pk}/evidence/", {"file": "x"},
                           format="json")
    assert response.status_code == 415
    assert not EvidenceFile.objects.exists()


def _other_case():
    return payload(
        victim={"name": "Carol Other", "date_of_birth": "1985-01-01", "enhanced_rights": False},
        incidents=[incident_body(1)],
    )


# --- The hash, checked on every download ----------------------------------------------------


def test_a_file_altered_on_disk_is_refused_when_downloaded(as_user, case, client, demo,
                                                         evidence_storage):
    police = as_user("police.caseworker")
    body = upload(police, case.pk, "doorbell.png", png()).json()
    [stored] = _stored(evidence_storage)
    stored.write_bytes(png(3, 3))  # other bytes, still a PNG

    response = police.get(body["download_url"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "evidence_altered" and "SHA-256" in error["message"]
    [failed] = _events("evidence.integrity_failed", body["id"])
    assert failed.changes["found"] == hashlib.sha256(png(3, 3)).digest().hex()
    assert failed.changes["sha256"] == body["sha256"] and failed.actor_username == (
        "police.caseworker")
    assert not _events("evidence.viewed", body["id"])
    detail = police.get(f"/api/v1/evidence/{body['id']}/").json()
    assert detail["altered"] is True and detail["altered_at"]
    assert detail["custody"][-1]["verb"] == "evidence.integrity_failed"

    # The file's page says so, and its Download button is refused the same way.
    client.force_login(demo["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{case.pk}/evidence/{body['id']}/")
    assert page.status_code == 200 and 'data-testid="evidence-altered"' in page.content.decode()
    refused = client.get(f"/workspace/referrals/{case.pk}/evidence/{body['id']}/download/")
    assert refused.status_code == 409
    assert 'data-testid="download-refused"' in refused.content.decode()
    assert len(_events("evidence.integrity_failed", body["id"])) == 2


def test_a_stored_file_that_is_gone_is_reported_as_altered(as_user, case, evidence_storage):
    police = as_user("police.caseworker")
    body = upload(police, case.pk, "doorbell.png", png()).json()
    _stored(evidence_storage)[0].unlink()
    response = police.get(body["download_url"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "evidence_altered"
    [failed] = _events("evidence.integrity_failed", body["id"])
    assert failed.changes["found"] is None


# --- Never half-written -----------------------------------------------------------------------


def test_no_row_when_the_file_cannot_be_stored(as_user, case, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the store's directory should be")
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocked)},
    }}
    response = upload(as_user("police.caseworker"), case.pk, "doorbell.png", png())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert not EvidenceFile.objects.exists() and not _events("evidence.added")


def test_no_stored_file_when_the_row_cannot_be_written(as_user, case, evidence_storage):
    with connection.cursor() as cursor:  # the database itself refuses the row
        cursor.execute(
            "CREATE FUNCTION evidence_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;"
            "CREATE TRIGGER evidence_refuse BEFORE INSERT ON evidence_evidencefile "
            "FOR EACH ROW EXECUTE FUNCTION evidence_refuse();"
        )
    with pytest.raises(DatabaseError):
        upload(as_user("police.caseworker"), case.pk, "doorbell.png", png())
    assert not _stored(evidence_storage)
