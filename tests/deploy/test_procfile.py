"""The Procfile as a PaaS host runs it, locally with honcho against PostgreSQL: the release
phase (migrations, cache table, reference data — twice, it must be idempotent), then web and
worker on a free port; `/sante/` answers, both processes stop cleanly on SIGTERM."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("PTCE_PROCFILE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "ptce_procfile_test"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture
def database_url():
    import psycopg

    try:
        _admin(
            f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"'
        )
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL injoignable ({error})")
    yield ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


@pytest.fixture
def procfile_env(database_url, tmp_path):
    if not (BIN / "honcho").exists():
        pytest.fail("honcho manque : pip install -c requirements.lock -e '.[dev]'")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PTCE_TESTING", "DJANGO_DEBUG", "REDIS_URL", "PORT", "HOST"}
    }
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",  # `python`, `gunicorn` of this venv
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="procfile-" + "k3V!p8#Qz2" * 6,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        PTCE_SITE_URL="https://ptce.exemple.gouv.fr",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        WEB_CONCURRENCY="2",
        WEB_BIND_HOST="127.0.0.1",  # the Procfile binds 0.0.0.0 by default; tests stay on loopback
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def _honcho(*arguments: str) -> list[str]:
    return [str(BIN / "honcho"), "--no-colour", "-f", str(ROOT / "Procfile"), "-d", str(ROOT)] + [
        *arguments
    ]


def _get(port: int, path: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"X-Forwarded-Proto": "https"},  # as the TLS reverse proxy sends it
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
        return response.status


def test_release_then_web_and_worker(procfile_env, database_url, tmp_path):
    import psycopg

    for _ in range(2):  # a second release must work too (idempotent)
        release = subprocess.run(
            _honcho("start", "release"),
            env=procfile_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert release.returncode == 0, release.stdout[-3000:] + release.stderr[-3000:]
    assert "release.1 stopped (rc=0)" in release.stdout
    with psycopg.connect(database_url) as connection:
        communes = connection.execute("SELECT count(*) FROM territories_commune").fetchone()[0]
        cache_table = connection.execute("SELECT to_regclass('ptce_cache')").fetchone()[0]
        applied = connection.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert communes > 30_000
    assert cache_table == "ptce_cache"
    assert applied > 0

    port = _free_port()
    log_path = tmp_path / "honcho.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            _honcho("start", "-p", str(port), "web", "worker"),
            env=procfile_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = _get(port, "/sante/")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, log_path.read_text()[-3000:]
        # The worker is up and stays up: its two commands have started.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            output = log_path.read_text()
            if "Starting worker" in output and "Tâches périodiques" in output:
                break
            time.sleep(0.5)
        assert "Starting worker" in output, output[-3000:]
        assert "Tâches périodiques" in output, output[-3000:]
        assert process.poll() is None, output[-3000:]
        assert _get(port, "/sante/") == 200
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            returncode = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    output = log_path.read_text()
    assert "SIGKILL" not in output, output[-3000:]
    assert "web.1 stopped (rc=0)" in output, output[-3000:]
    assert "worker.1 stopped (rc=0)" in output, output[-3000:]
    assert returncode == 143, output[-3000:]  # honcho's code when asked to stop by SIGTERM


def test_procfile_declares_the_three_process_types():
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert set(lines) == {"release", "web", "worker"}
    assert (
        "exec gunicorn ptce.wsgi" in lines["web"]
        and "${WEB_BIND_HOST:-0.0.0.0}:$PORT" in lines["web"]
    )
    assert "WEB_CONCURRENCY" in lines["web"]
    assert "scripts/worker.py" in lines["worker"]
    for command in ("migrate", "createcachetable", "import_cog"):
        assert f"manage.py {command}" in lines["release"]
    assert shutil.which("sh")
