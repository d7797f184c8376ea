"""The benchmark's timed GETs read each answer whole, however it is framed, on a kept connection."""

import http.server
import threading

import pytest

from bench.measure.http import Client

BODY = b'{"results": [' + b", ".join(b'{"id": %d}' % n for n in range(400)) + b"]}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str | None]] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        Handler.seen.append((self.path, self.headers.get("Authorization")))
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(BODY), 1000):
                part = BODY[start : start + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/until-close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(BODY)
            self.close_connection = True
        elif self.path == "/missing":
            self.send_response(404)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
            if self.path == "/then-close":
                self.close_connection = True  # as a server does when its keep-alive times out

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen.clear()
    yield httpd.server_address[:2]
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path", ["/sized", "/chunked", "/until-close", "/then-close"])
def test_each_framing_is_read_whole_and_the_next_request_still_answers(server, path):
    client = Client(server, "tok3n")
    for _ in range(3):
        assert client.timed_get(path) > 0
        status, body = client.timed.exchange(client._get_request(path))
        assert (status, body) == (200, BODY)
    client.close()
    assert Handler.seen == [(path, "Token tok3n")] * 6


def test_a_kept_connection_is_reused_and_a_closed_one_reopened(server):
    client = Client(server)
    client.timed_get("/sized")
    kept = client.timed.sock
    client.timed_get("/sized")
    assert client.timed.sock is kept
    client.timed_get("/then-close")
    client.timed_get("/sized")  # the server closed it after the last answer
    assert client.timed.sock is not kept
    assert [path for path, _ in Handler.seen] == ["/sized", "/sized", "/then-close", "/sized"]
    assert Handler.seen[0][1] is None


def test_an_answer_that_is_not_200_fails_the_figure(server):
    with pytest.raises(RuntimeError, match="GET /missing: 404 b'not found'"):
        Client(server).timed_get("/missing")
