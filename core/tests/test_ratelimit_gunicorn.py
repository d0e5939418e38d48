"""Rate limits across processes: gunicorn with two workers on a loopback port, counters in the
shared database cache. A limit of N holds whichever worker answers; a spoofed X-Forwarded-For
from an untrusted peer is ignored; the trusted proxy's header is honoured."""

import http.client
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(port, *, source="127.0.0.1", forwarded=None) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    headers = {"Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    try:
        connection.request("POST", "/api/v1/eligibility", body="{}", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PTCE_TESTING", "REDIS_URL", "DJANGO_ENV"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",
        PTCE_RATE_LIMIT_ELIGIBILITY=f"{LIMIT}/d",  # a day: no window boundary during the test
        PTCE_TRUSTED_PROXIES="127.0.0.2",
        DJANGO_DEBUG="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
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
        cwd=ROOT,
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


def test_limit_holds_across_two_workers_and_spoofed_forwarded_for_is_ignored(server):
    port, access_log = server
    # 30 requests from 127.0.0.1 (not a trusted proxy), 3 at a time so both workers answer,
    # each with a different forged X-Forwarded-For.
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(lambda n: _post(port, forwarded=f"203.0.113.{n}"), range(1, 31)))
    assert statuses.count(400) == LIMIT  # answered (an empty file description is refused)
    assert statuses.count(429) == 30 - LIMIT
    time.sleep(0.5)  # gunicorn writes its access log after the response
    pids = {line.split()[0] for line in access_log.read_text().splitlines()}
    assert len(pids) == 2, "both workers must have answered"

    # Through the trusted proxy (127.0.0.2), each forwarded client has its own counter.
    first = [_post(port, source="127.0.0.2", forwarded="198.51.100.1") for _ in range(LIMIT + 1)]
    second = _post(port, source="127.0.0.2", forwarded="198.51.100.2")
    assert first == [400] * LIMIT + [429]
    assert second == 400
