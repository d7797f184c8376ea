"""A plain keep-alive HTTP client, timed, and a concurrent driver.

Requests are the standard library's (`http.client`). The timed GETs, which give the latency
figures, go over a socket of their own with a request built before the clock starts and an
answer read by its framing alone: `http.client` parses every header of an answer through the
e-mail parser, client time inside every figure (a few hundredths of a millisecond a request on
a quiet machine, several times that on a busy one: the client shares the machine's cores with the
server and the database).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class Client:
    """One keep-alive connection with a token (the API) or a session cookie (the pages),
    reconnecting if the server closed it."""

    def __init__(self, host: tuple[str, int], token: str | None = None, *,
                 cookie: str | None = None) -> None:
        self.host, self.token, self.cookie = host, token, cookie
        self.conn = http.client.HTTPConnection(*host, timeout=60)
        self.timed = Framed(host)  # the timed GETs' own connection

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, data = self._exchange(method, path, body)
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {"raw": data[:200].decode(errors="replace")}
        return status, parsed

    def _exchange(self, method: str, path: str, body: dict | None) -> tuple[int, bytes]:
        """One request and its whole answer, unparsed."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            return self._send(method, path, payload, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the server closed the kept connection: once more on a new one
            self.conn = http.client.HTTPConnection(*self.host, timeout=60)
            return self._send(method, path, payload, headers)

    def _send(self, method: str, path: str, payload, headers: dict) -> tuple[int, bytes]:
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def get(self, path: str) -> tuple[int, dict]:
        return self.request("GET", path)

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        return self.request("POST", path, body or {})

    def timed_get(self, path: str) -> float:
        """Milliseconds from sending a GET to having its whole answer (200), not counting this
        client's parsing of it."""
        request = self._get_request(path)
        started = time.perf_counter()
        status, data = self.timed.exchange(request)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
        return elapsed

    def _get_request(self, path: str) -> bytes:
        accept = "text/html" if self.cookie else "application/json"
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host[0]}:{self.host[1]}",
                 f"Accept: {accept}"]
        if self.token:
            lines.append(f"Authorization: Token {self.token}")
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def close(self) -> None:
        self.conn.close()
        self.timed.close()


class Framed:
    """One keep-alive connection that sends a ready request and reads the answer by its framing
    (Content-Length, chunked, or until the server closes), headers otherwise unparsed."""

    def __init__(self, host: tuple[str, int]) -> None:
        self.host = host
        self.sock: socket.socket | None = None
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        reused = self.sock is not None
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(request)
            return self._answer()
        except ConnectionError:
            if not reused:
                raise
            self._connect()  # the server closed the kept connection: once more on a new one
            self.sock.sendall(request)
            return self._answer()

    def _connect(self) -> None:
        self.close()
        self.sock = socket.create_connection(self.host, timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self) -> tuple[int, bytes]:
        head = self._until(b"\r\n\r\n")
        status_line, _, header_block = head.partition(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers = header_block.lower()
        if b"transfer-encoding: chunked" in headers:
            body = self._chunked()
        elif (at := headers.find(b"content-length:")) >= 0:
            end = headers.find(b"\r\n", at)
            body = self._exactly(int(headers[at + 15 : end if end >= 0 else None]))
        else:
            body = self._rest()
        if b"connection: close" in headers:
            self.close()
        return status, body

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise _Closed
        self.buffer += data

    def _until(self, marker: bytes) -> bytes:
        while (at := self.buffer.find(marker)) < 0:
            self._fill()
        found, self.buffer = self.buffer[:at], self.buffer[at + len(marker) :]
        return found

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        found, self.buffer = self.buffer[:size], self.buffer[size:]
        return found

    def _chunked(self) -> bytes:
        parts = []
        while size := int(self._until(b"\r\n").split(b";")[0], 16):
            parts.append(self._exactly(size))
            self._until(b"\r\n")
        self._until(b"\r\n")  # the last chunk's end (no trailers are sent to us)
        return b"".join(parts)

    def _rest(self) -> bytes:
        try:
            while True:
                self._fill()
        except _Closed:
            found, self.buffer = self.buffer, b""
            self.close()
            return found

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


class _Closed(ConnectionError):
    """The server closed the connection before the answer was whole."""


def sign_in(host: tuple[str, int], username: str, password: str, otp: str) -> str:
    """An API token through the sign-in endpoint, with the account's second factor (`otp`)."""
    status, body = Client(host).post("/api/v1/auth/token/",
                                     {"username": username, "password": password, "otp": otp})
    if status != 200:
        raise RuntimeError(f"sign-in of {username}: {status} {body}")
    return body["token"]


def latencies(client: Client, path: str, *, warmup: int, samples: int) -> list[float]:
    for _ in range(warmup):
        client.timed_get(path)
    return [client.timed_get(path) for _ in range(samples)]


@dataclass
class Load:
    seconds: float
    done: int
    latencies_ms: list[float]
    errors: list[str]

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def concurrently(work: Callable[[int], Callable[[], None]], *, clients: int,
                 seconds: float) -> Load:
    """`clients` threads each repeat their unit of work until `seconds` have passed.

    `work(i)` gives client i its unit (a closure with its own connection). Counts units done and
    times each one.
    """
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    results: list[float] = []
    errors: list[str] = []

    def run(index: int) -> None:
        unit = work(index)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                unit()
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
                if len(errors) > 50:
                    return
                continue
            with lock:
                results.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(seconds=time.perf_counter() - started, done=len(results), latencies_ms=results,
                errors=errors)
