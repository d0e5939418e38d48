import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def recorded(name: str) -> dict:
    """A recorded answer of the API Recherche d'entreprises (committed JSON)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeApi:
    """A local HTTP server speaking like the API: ``answers`` maps q= to (status, body)."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.default = (200, recorded("search_empty.json"))
        self.requests: list[str] = []
        self.delay = 0.0

    def answer(self, number: str, *responses):
        self.answers[number] = list(responses)

    def respond(self, handler):
        query = parse_qs(urlparse(handler.path).query).get("q", [""])[0]
        self.requests.append(query)
        if self.delay:
            time.sleep(self.delay)
        queue = self.answers.get(query)
        status, body = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else self.default
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)


@pytest.fixture
def fake_api(settings):
    from django.core.cache import cache

    cache.clear()  # forget a degraded-mode pause left by another test
    api = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            api.respond(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SIRENE_SOURCE = "online_then_local"
    settings.SIRENE_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SIRENE_API_BACKOFF = 0.0
    settings.SIRENE_API_TIMEOUT = 2.0
    yield api
    cache.clear()
    server.shutdown()
    server.server_close()
    thread.join()
