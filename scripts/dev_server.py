#!/usr/bin/env python3
"""`make run`: the development server plus the background worker, calmly.

The worker (tasks, scheduler) logs to var/log/worker.log and demo e-mails are written to
var/log/courriels/ (Django's file e-mail backend), so the terminal keeps the server's own lines
and ends with a short box: address, demo accounts, how to get a TOTP code, where the logs are.
Links in e-mails and .ics follow the address served (HOST/PORT, see ptce.env.site_url) unless
PTCE_SITE_URL is set.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOG_DIR = Path("var") / "log"


def split_address(address: str) -> tuple[str, str]:
    """ "127.0.0.1:8000" → ("127.0.0.1", "8000"); "8123" → ("127.0.0.1", "8123")."""
    host, _, port = address.rpartition(":")
    return (host.strip("[]") or "127.0.0.1"), port


def child_environment(address: str, environ=None) -> dict:
    """The environment of the server and the worker: HOST/PORT of the address served (they
    set the site URL when PTCE_SITE_URL is not given), e-mails to files in var/log/courriels/
    unless EMAIL_BACKEND is set."""
    env = dict(os.environ if environ is None else environ)
    env["HOST"], env["PORT"] = split_address(address)
    if not env.get("EMAIL_BACKEND"):
        env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        env.setdefault("EMAIL_FILE_PATH", str(ROOT / LOG_DIR / "courriels"))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _demo_accounts() -> tuple[str, list[tuple[str, str]]]:
    """The demo password and one account per role (the first listed), from accounts.demo."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    django.setup()
    from accounts.demo import DEMO_PASSWORD, DEMO_USERS
    from accounts.models import Role

    accounts, seen = [], set()
    for email, _first, _last, role, _region, _organisation in DEMO_USERS:
        if role not in seen:
            seen.add(role)
            accounts.append((email, str(Role(role).label)))
    return DEMO_PASSWORD, accounts


def _python_command() -> str:
    try:
        return str(Path(PYTHON).relative_to(ROOT))
    except ValueError:
        return PYTHON


def banner(address: str, site_url: str, email_backend: str) -> str:
    """The box printed once the server answers."""
    password, accounts = _demo_accounts()
    width = max(len(email) for email, _label in accounts)
    email_log = (
        f"{LOG_DIR / 'courriels'}/ (un fichier par courriel)"
        if email_backend.endswith("filebased.EmailBackend")
        else f"selon EMAIL_BACKEND ({email_backend})"
    )
    lines = [
        f"Plateforme PTCE : http://{address}/   (Ctrl+C pour arrêter)",
        *([f"Liens des courriels et agendas : {site_url}"] if site_url else []),
        "",
        f"Comptes de démonstration (mot de passe « {password} ») :",
        *(f"  {email:{width}}  {label}" for email, label in accounts),
        "  (tous les comptes : README.md, ou la sortie de make setup)",
        "",
        "Code de double authentification d’un compte agent :",
        f"  {_python_command()} manage.py demo_otp_code ADRESSE",
        "",
        f"Journaux : {LOG_DIR / 'worker.log'} (tâches de fond)",
        f"Courriels : {email_log}",
    ]
    inner = max(len(line) for line in lines)
    return "\n".join(
        [
            "┌" + "─" * (inner + 2) + "┐",
            *(f"│ {line:{inner}} │" for line in lines),
            "└" + "─" * (inner + 2) + "┘",
        ]
    )


def _wait_until_listening(host: str, port: int, server: subprocess.Popen, timeout=120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        if _in_use(host, port):
            return True
        time.sleep(0.3)
    return False


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # scripts/worker.py stops its two children
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _in_use(host: str, port: int) -> bool:
    from ptce.env import WILDCARD_HOSTS

    probe = WILDCARD_HOSTS.get(host or "0.0.0.0", host)  # noqa: S104
    try:
        socket.create_connection((probe, port), timeout=1).close()
        return True
    except OSError:
        return False


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main(address: str) -> int:
    # Ctrl+C (SIGINT, also received by runserver) or SIGTERM: stop the server, then the worker.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupted)
    env = child_environment(address)
    host, port = split_address(address)
    if _in_use(host, int(port)):
        print(
            f"Le port {port} est déjà utilisé : arrêtez l’autre serveur ou choisissez un autre "
            f"port (make run PORT=8001).",
            file=sys.stderr,
        )
        return 1
    (ROOT / LOG_DIR).mkdir(parents=True, exist_ok=True)
    worker_log = (ROOT / LOG_DIR / "worker.log").open("a", encoding="utf-8")
    # Own session: Ctrl+C reaches the server, not the worker, which _stop ends once.
    worker = subprocess.Popen(
        [PYTHON, "scripts/worker.py"],
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = None
    try:
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", address], env=env)
        if _wait_until_listening(host, int(port), server):
            from ptce.env import site_url

            print(
                "\n" + banner(address, site_url(env), env.get("EMAIL_BACKEND", "")) + "\n",
                flush=True,
            )
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None:
            try:
                server.wait(timeout=2)  # Ctrl+C in the terminal reached it too
            except subprocess.TimeoutExpired:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
        _stop(worker)
        worker_log.close()


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
