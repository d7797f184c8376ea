"""Malware scanning of an upload by a ClamAV daemon (`clamd`, its INSTREAM command), when
CLAMAV_SOCKET or CLAMAV_HOST names one. Without either, nothing is scanned."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import clamd
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from config.exceptions import DomainError


class ScannerUnavailable(DomainError):
    """The configured scanner could not be asked: the upload is refused, nothing is stored."""

    status = 503
    code = "scanner_unavailable"


@dataclass(frozen=True)
class ScanResult:
    scanned: bool
    infected: bool = False
    signature: str = ""


NOT_SCANNED = ScanResult(scanned=False)


class _Closing:
    """clamd closes its socket after each command, also when it never connected (where the
    library itself fails with an AttributeError): only a socket that was opened is closed."""

    def _close_socket(self):
        opened = self.__dict__.pop("clamd_socket", None)
        if opened is not None:
            opened.close()


class _UnixClamd(_Closing, clamd.ClamdUnixSocket):
    pass


class _NetworkClamd(_Closing, clamd.ClamdNetworkSocket):
    """clamd over TCP with the timeout on the connection too (the library sets it only after
    connecting, so an unanswering host would hold the request for the system's timeout)."""

    def _init_socket(self):
        try:
            self.clamd_socket = socket.create_connection(
                (self.host, self.port), timeout=self.timeout
            )
        except OSError as exc:
            raise clamd.ConnectionError(self._error_message(exc)) from exc


def scanner_configured() -> bool:
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def _client():
    if settings.CLAMAV_SOCKET:
        return _UnixClamd(path=settings.CLAMAV_SOCKET, timeout=settings.CLAMAV_TIMEOUT)
    return _NetworkClamd(host=settings.CLAMAV_HOST, port=settings.CLAMAV_PORT,
                         timeout=settings.CLAMAV_TIMEOUT)


def scan(upload: UploadedFile) -> ScanResult:
    """The upload's bytes streamed to the daemon: clean, or infected with the signature it
    found. `ScannerUnavailable` when the daemon cannot be reached or answers with an error;
    `NOT_SCANNED` when no daemon is configured."""
    if not scanner_configured():
        return NOT_SCANNED
    upload.seek(0)
    try:
        answer = _client().instream(upload)
    except (clamd.ClamdError, OSError) as exc:
        raise ScannerUnavailable(
            "The malware scanner could not be reached; the file was not stored. Try again "
            "later."
        ) from exc
    finally:
        upload.seek(0)
    status, signature = (answer or {}).get("stream", ("ERROR", None))
    if status == "FOUND":
        return ScanResult(scanned=True, infected=True, signature=signature or "unknown")
    if status == "OK":
        return ScanResult(scanned=True)
    raise ScannerUnavailable(
        "The malware scanner could not scan the file; it was not stored. Try again later."
    )
