"""An evidence upload as it streams in, and the checks of what it is.

`HashingUploadHandler` writes the upload to a temporary file, taking its SHA-256 and counting
its bytes as they arrive; past `EVIDENCE_MAX_BYTES` it keeps nothing more and marks the file too
large. `check_upload` then judges the bytes, not the name: the type is detected from them
(`filetype`) and must be on the allow-list, and the extension of the name and the type the
client declared must agree with it.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from config.exceptions import DomainError

CHUNK = 64 * 1024


def size_label(size: int) -> str:
    """A number of bytes as people read it: 25 MB, 300 KB, 900 bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def too_large_message() -> str:
    return f"The file is larger than the limit of {size_label(settings.EVIDENCE_MAX_BYTES)}."


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Each uploaded file to a temporary file on disk, with its SHA-256 (`sha256`) and size
    taken as it streams in; past the limit nothing more is kept and `too_large` is set."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.digest = hashlib.sha256()
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_BYTES:
            self.too_large = True
            return None
        self.digest.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        upload = super().file_complete(file_size)
        upload.sha256 = self.digest.hexdigest()
        upload.too_large = self.too_large
        return upload


# The types a file may be, as `filetype` names them (its extension), with the content type kept
# and the file-name extensions and declared content types that agree with it. An MP4 container
# may hold sound alone or video too: `filetype` cannot tell, so both are kept as they are named.
ALLOWED_TYPES: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "png": ("image/png", frozenset({"png"}), frozenset({"image/png"})),
    "jpg": ("image/jpeg", frozenset({"jpg", "jpeg", "jpe"}),
            frozenset({"image/jpeg", "image/jpg", "image/pjpeg"})),
    "gif": ("image/gif", frozenset({"gif"}), frozenset({"image/gif"})),
    "webp": ("image/webp", frozenset({"webp"}), frozenset({"image/webp"})),
    "pdf": ("application/pdf", frozenset({"pdf"}),
            frozenset({"application/pdf", "application/x-pdf"})),
    "mp3": ("audio/mpeg", frozenset({"mp3"}),
            frozenset({"audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3"})),
    "m4a": ("audio/mp4", frozenset({"m4a", "mp4"}),
            frozenset({"audio/mp4", "audio/x-m4a", "audio/m4a", "video/mp4"})),
    "mp4": ("video/mp4", frozenset({"mp4", "m4a"}),
            frozenset({"video/mp4", "audio/mp4", "audio/x-m4a", "audio/m4a"})),
    "wav": ("audio/x-wav", frozenset({"wav"}),
            frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"})),
    "ogg": ("audio/ogg", frozenset({"ogg", "oga", "opus"}),
            frozenset({"audio/ogg", "application/ogg", "audio/opus", "audio/vorbis"})),
}
TEXT = ("text/plain", frozenset({"txt"}), frozenset({"text/plain"}))
# What a client declares when it does not know: no claim to disagree with.
UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})

ALLOWED_LABEL = "PNG, JPEG, GIF or WebP images, PDF, MP3, M4A or MP4, WAV or Ogg audio, plain text"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed `check_upload`: its bytes in `file`, what they are and their hash."""

    file: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def _refuse(message: str, field: str = "file") -> DomainError:
    return DomainError(message, fields={field: [message]})


def clean_name(name: str) -> str:
    """The file name as given, without any folder, control characters or excess length."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 190] + dot + extension[:9]) if dot else name[:200]
    return name or "file"


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _declared(upload: UploadedFile) -> str:
    return (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()


def _hash_and_size(upload: UploadedFile) -> tuple[str, int]:
    """The SHA-256 and size taken as the upload streamed in, or read now (a file that did not
    come through `HashingUploadHandler`)."""
    if getattr(upload, "sha256", None):
        return upload.sha256, upload.size
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def _is_utf8(upload: UploadedFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def detect_type(upload: UploadedFile) -> tuple[str, frozenset[str], frozenset[str]] | None:
    """What the bytes are, of the allowed types (`ALLOWED_TYPES`, or plain UTF-8 text when no
    binary type is found), or None."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return ALLOWED_TYPES.get(kind.extension)
    return TEXT if _is_utf8(upload) else None


def check_upload(upload: UploadedFile | None) -> CheckedUpload:
    """The upload judged by its bytes: present, not empty, within `EVIDENCE_MAX_BYTES`, of an
    allowed type, and named and declared as what it is. `DomainError` naming `file` otherwise."""
    if upload is None:
        raise _refuse("Choose a file to upload.")
    if getattr(upload, "too_large", False) or upload.size > settings.EVIDENCE_MAX_BYTES:
        raise _refuse(too_large_message())
    sha256, size = _hash_and_size(upload)
    if size > settings.EVIDENCE_MAX_BYTES:
        raise _refuse(too_large_message())
    if size == 0:
        raise _refuse("The file is empty.")
    detected = detect_type(upload)
    if detected is None:
        raise _refuse(f"This kind of file is not accepted: only {ALLOWED_LABEL}.")
    content_type, extensions, declared_types = detected
    name = clean_name(upload.name)
    extension = _extension(name)
    if extension and extension not in extensions:
        raise _refuse(
            f"The file's name ends .{extension}, but its content is {content_type}: "
            "rename it or choose the right file."
        )
    declared = _declared(upload)
    if declared not in UNDECLARED and declared not in declared_types:
        raise _refuse(
            f"The file was sent as {declared}, but its content is {content_type}."
        )
    return CheckedUpload(file=upload, original_name=name, content_type=content_type,
                         size=size, sha256=sha256)
