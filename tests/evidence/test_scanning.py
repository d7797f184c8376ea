"""Malware scanning against a ClamAV daemon stand-in: a TCP server in the test that speaks the
daemon's INSTREAM protocol (a command line, then chunks each prefixed by its 4-byte big-endian
length, ended by a zero length; one answer line), reporting the EICAR test file as found."""

import socket
import struct
import threading

import pytest

from audit.models import Event
from evidence.models import EvidenceFile
from tests.evidence.files import EICAR, TEXT, png, upload

pytestmark = pytest.mark.django_db


def _read_exactly(conn, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed mid-stream")
        data += chunk
    return data


class FakeClamd:
    """A one-thread ClamAV daemon on a loopback port: `streams` holds what it was sent."""

    def __init__(self, unix_path=None):
        if unix_path is None:
            self.server = socket.create_server(("127.0.0.1", 0))
            self.port = self.server.getsockname()[1]
        else:
            self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.server.bind(str(unix_path))
            self.server.listen()
        self.server.settimeout(10)
        self.streams: list[bytes] = []
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.running = True
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                command = b""
                while not command.endswith(b"\n") and not command.endswith(b"\0"):
                    command += _read_exactly(conn, 1)
                self.commands.append(command)
                if command.strip(b"nz\n\0") != b"INSTREAM":
                    conn.sendall(b"UNKNOWN COMMAND\n")
                    continue
                stream = b""
                while True:
                    (size,) = struct.unpack("!L", _read_exactly(conn, 4))
                    if size == 0:
                        break
                    stream += _read_exactly(conn, size)
                self.streams.append(stream)
                if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in stream:
                    conn.sendall(b"stream: Eicar-Test-Signature FOUND\n")
                else:
                    conn.sendall(b"stream: OK\n")

    def close(self):
        self.running = False
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture
def clamd(settings):
    daemon = FakeClamd()
    settings.CLAMAV_HOST = "127.0.0.1"
    settings.CLAMAV_PORT = daemon.port
    settings.CLAMAV_TIMEOUT = 5.0
    yield daemon
    daemon.close()


def test_an_infected_upload_is_refused_recorded_and_not_stored(as_user, case, clamd,
                                                              evidence_storage):
    response = upload(as_user("police.caseworker"), case.pk, "message.txt", EICAR, "text/plain")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "infected" and "Eicar-Test-Signature" in error["fields"]["file"][0]
    assert clamd.commands == [b"nINSTREAM\n"] and clamd.streams == [EICAR]
    [rejected] = Event.objects.filter(verb="evidence.rejected")
    assert rejected.changes["signature"] == "Eicar-Test-Signature"
    assert rejected.referral_id == case.pk and rejected.actor_username == "police.caseworker"
    assert not EvidenceFile.objects.exists()
    assert not [p for p in evidence_storage.rglob("*") if p.is_file()]


def test_a_clean_upload_is_stored_as_scanned(as_user, case, clamd):
    data = png() + TEXT * 100  # past the client's 1 KiB chunks
    response = upload(as_user("police.caseworker"), case.pk, "photo.png", data, "image/png")
    assert response.status_code == 201, response.content
    assert response.json()["scan_result"] == "clean"
    assert clamd.streams == [data]


def test_the_scanner_on_a_unix_socket(as_user, case, settings, tmp_path):
    path = tmp_path / "clamd.ctl"
    daemon = FakeClamd(unix_path=path)
    settings.CLAMAV_SOCKET = str(path)
    try:
        response = upload(as_user("police.caseworker"), case.pk, "note.txt", EICAR)
        assert response.status_code == 400 and response.json()["error"]["code"] == "infected"
        response = upload(as_user("police.caseworker"), case.pk, "photo.png", png())
        assert response.status_code == 201 and response.json()["scan_result"] == "clean"
    finally:
        daemon.close()
    assert daemon.streams == [EICAR, png()]


def test_an_unreachable_scanner_refuses_the_upload(as_user, case, settings, evidence_storage):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    settings.CLAMAV_HOST, settings.CLAMAV_PORT = "127.0.0.1", port
    response = upload(as_user("police.caseworker"), case.pk, "photo.png", png(), "image/png")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "scanner_unavailable"
    assert not EvidenceFile.objects.exists()
    assert not [p for p in evidence_storage.rglob("*") if p.is_file()]
