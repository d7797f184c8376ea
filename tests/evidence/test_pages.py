"""The evidence pages in the Material shell: the case page's Evidence card, the upload form
(labels on every control, errors listed on top and linked to their fields) and a file's page
with its chain of custody."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import EvidenceFile
from tests.evidence.files import png, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(client, demo):
    client.force_login(demo["police.caseworker"].user)
    return client


def _one_h1(html: str) -> None:
    assert len(re.findall(r"<h1[\s>]", html)) == 1


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_the_case_page_lists_the_files_and_offers_to_add_one(police, as_user, case):
    upload(as_user("police.caseworker"), case.pk, "doorbell.png", png(),
           description="Doorbell camera")
    html = police.get(f"/workspace/referrals/{case.pk}/").content.decode()
    assert 'data-testid="section-evidence"' in html and "doorbell.png" in html
    assert html.count('data-testid="evidence-row"') == 1
    assert 'data-testid="add-evidence"' in html


def test_upload_through_the_form_then_the_files_page(police, case, evidence_storage):
    url = f"/workspace/referrals/{case.pk}/evidence/new/"
    form = police.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    _one_h1(html)
    assert 'enctype="multipart/form-data"' in html
    for name in ("file", "section", "incident", "description"):
        assert f'<label for="id_{name}"' in html, name
    response = police.post(url, {
        "file": SimpleUploadedFile("doorbell.png", png(), content_type="image/png"),
        "section": "incidents", "incident": str(case.incident_id),
        "description": "Doorbell camera, 02:14.",
    })
    evidence = EvidenceFile.objects.get()
    assert response.status_code == 302 and response.url.endswith(
        f"/evidence/{evidence.pk}/")
    assert evidence.incident_id == case.incident_id
    page = police.get(response.url)
    html = page.content.decode()
    _one_h1(html)
    assert _title(html).startswith("doorbell.png")
    assert evidence.sha256 in html and "Doorbell camera, 02:14." in html
    assert html.count('data-testid="custody-event"') == 1 and "Added" in html
    download = police.get(f"/workspace/referrals/{case.pk}/evidence/{evidence.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == png()
    html = police.get(response.url).content.decode()
    assert html.count('data-testid="custody-event"') == 2
    assert "Downloaded (SHA-256 checked)" in html


def test_the_form_lists_its_errors_on_top_linked_to_the_fields(police, case,
                                                               evidence_storage):
    url = f"/workspace/referrals/{case.pk}/evidence/new/"
    response = police.post(url, {
        "file": SimpleUploadedFile("statement.pdf", png(), content_type="application/pdf"),
        "section": "incidents",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html and 'href="#id_file"' in html
    assert "image/png" in html
    assert not EvidenceFile.objects.exists()
    missing = police.post(url, {"section": "incidents"}).content.decode()
    assert 'href="#id_file"' in missing and "Choose a file to upload." in missing


def test_a_too_large_upload_page_says_the_limit(police, case, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    settings.MAX_REQUEST_BYTES = 2000
    response = police.post(f"/workspace/referrals/{case.pk}/evidence/new/", {
        "file": SimpleUploadedFile("notes.txt", b"a" * 5000, content_type="text/plain"),
        "section": "incidents",
    })
    assert response.status_code == 400
    assert "limit of 1000 bytes" in response.content.decode()


def test_the_form_is_refused_to_those_who_may_add_nothing(client, demo, case):
    client.force_login(demo["probation.caseworker"].user)  # not involved
    assert client.get(f"/workspace/referrals/{case.pk}/evidence/new/").status_code == 404


def test_the_upload_form_checks_csrf(demo, case):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo["police.caseworker"].user)
    response = strict.post(f"/workspace/referrals/{case.pk}/evidence/new/", {
        "file": SimpleUploadedFile("doorbell.png", png(), content_type="image/png"),
        "section": "incidents",
    })
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()
