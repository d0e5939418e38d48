"""A real HTTP receiver on 127.0.0.1 (loopback only), in a thread of the test process."""

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answers in order; 200 once exhausted
        self.release = threading.Event()
        self.release.set()  # cleared = « slow » receiver that never answers in time
        self.server = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/webhooks"

    def bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server naming)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append({"headers": self.headers, "body": body})
            receiver.release.wait(timeout=10)
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            payload = b'{"recu": true}' if status < 300 else b"erreur du receveur"
            with contextlib.suppress(OSError):  # the client gave up (timeout)
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, *args):
            """Keep the test output free of access lines."""

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.server.daemon_threads = True
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """A loopback URL on which nothing listens (receiver down)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/webhooks"
