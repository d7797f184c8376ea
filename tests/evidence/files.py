"""Small real files of each kind, made here (no fixtures on disk), and a multipart upload."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG of grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def wav(samples: int = 800) -> bytes:
    data = b"\x00\x00" * samples
    return (
        b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
        + b"data" + struct.pack("<I", len(data)) + data
    )


TEXT = "Messages sent at 02:14: «I know where you are». \n".encode()
# The anti-malware test file (EICAR), which every scanner reports and which harms nothing.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def upload(client, referral_id: int, name: str, data: bytes, content_type: str | None = None,
           **fields):
    """POST the file (multipart) to the case's evidence, with these other fields."""
    file = SimpleUploadedFile(name, data, content_type=content_type or "application/octet-stream")
    body = {"file": file, **{k: v for k, v in fields.items() if v is not None}}
    return client.post(f"/api/v1/referrals/{referral_id}/evidence/", body, format="multipart")
