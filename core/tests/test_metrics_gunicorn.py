"""Metrics with several gunicorn workers (gunicorn.conf.py, prometheus-client's multi-process
mode): whichever worker answers the scrape, the request counters are those of every worker."""

import http.client
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.tests.test_metrics import sample

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "jeton-de-supervision-0123456789abcdef"
REQUESTS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port, path, headers=None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PTCE_TESTING", "REDIS_URL", "DJANGO_ENV", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",
        PTCE_METRICS_TOKEN=TOKEN,
        DJANGO_DEBUG="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    access_log = tmp_path / "access.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "ptce.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(s)s",
        ],
        cwd=ROOT,  # gunicorn reads ./gunicorn.conf.py
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn n’a pas démarré") from None
                time.sleep(0.2)
        yield port, access_log
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_request_counters_add_up_across_two_workers(server):
    port, access_log = server
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(lambda _: _get(port, "/sante/")[0], range(REQUESTS)))
    assert statuses == [200] * REQUESTS
    time.sleep(0.5)  # gunicorn writes its access log after the response
    pids = {line.split()[0] for line in access_log.read_text().splitlines()}
    assert len(pids) == 2, "both workers must have answered"

    labels = 'method="GET",status="200",view="core:health"'
    counts = []
    for _ in range(6):  # scrapes land on either worker
        status, text = _get(port, "/sante/metriques/", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        counts.append(
            sample(text, "django_http_responses_total_by_status_view_method_total", labels)
        )
    assert counts == [REQUESTS] * 6
    assert _get(port, "/sante/metriques/")[0] == 401
