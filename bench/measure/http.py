"""A plain keep-alive HTTP client (the standard library's), timed, and a concurrent driver."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class Client:
    """One keep-alive connection with a token, reconnecting if the server closed it."""

    def __init__(self, host: tuple[str, int], token: str | None = None) -> None:
        self.host, self.token = host, token
        self.conn = http.client.HTTPConnection(*host, timeout=60)

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
        started = time.perf_counter()
        status, data = self._exchange("GET", path, None)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
        return elapsed

    def close(self) -> None:
        self.conn.close()


def sign_in(host: tuple[str, int], username: str, password: str) -> str:
    status, body = Client(host).post("/api/v1/auth/token/",
                                     {"username": username, "password": password})
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
