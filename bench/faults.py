"""Fault injection with a real PostgreSQL stop/start (issue 10, docs/faults.md).

A private, throw-away PostgreSQL cluster (``initdb`` in a temporary folder, port 55432, run as
the ``postgres`` system user when started as root) — never the machine's shared server — then
gunicorn (2 workers) on it and a burst of candidates submitting their files; the cluster is
stopped (``pg_ctl stop -m fast``: connections cut) a few seconds into the burst and started
again a few seconds later. Clients whose request failed retry every 2 s, as a person would.

Checks afterwards: every answer during the outage is the French 503 page (no other 5xx, no
hang); every file acknowledged (redirect to « Mes dossiers ») is submitted exactly once, with
gap-free references; no file is half-written (a draft never has a submission, a reference or
a submission audit entry; a submitted file has exactly one of each); after the worker ran,
one receipt PDF and one receipt e-mail per submission.

    .venv/bin/python bench/faults.py                 # 60 candidates, outage 6 s → 14 s
    .venv/bin/python bench/faults.py --candidates 30 --down-at 4 --down-for 5

Exit code 0 only when every check holds.
"""

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("RUSH_PORT", "8119")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import rush  # noqa: E402  (after RUSH_PORT is set)

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "55432"))
FRENCH_503 = "Service momentanément indisponible"


def as_postgres(command):
    """Run a PostgreSQL tool as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Cluster:
    def __init__(self, root: Path):
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.socket = root / "socket"

    def init(self):
        self.data.parent.mkdir(parents=True, exist_ok=True)
        self.socket.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
            shutil.chown(self.socket, "postgres")
        subprocess.run(
            as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def pg_ctl(self, *args):
        options = f"-p {PG_PORT} -k {self.socket} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
                + (["-o", options] if args[0] == "start" else [])
                + list(args)
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self):
        self.pg_ctl("start")

    def stop(self):
        self.pg_ctl("stop", "-m", "fast")


def submit_until_done(person, recorder, outcome, give_up_at):
    """GET the summary then POST the submission; on a 503 (or a refused connection) wait 2 s
    and start again, until acknowledged or ``give_up_at``."""
    import requests

    session = requests.Session()
    session.cookies.set("sessionid", person["session"], domain="127.0.0.1")
    summary = f"/dossiers/{person['uuid']}/"
    while time.time() < give_up_at:
        page = rush.timed(recorder, "summary GET", session, "GET", summary)
        if page is not None and page.status_code == 200:
            token = rush.CSRF_RE.search(page.text)
            response = rush.timed(
                recorder,
                "submit POST",
                session,
                "POST",
                f"/dossiers/{person['uuid']}/deposer/",
                data={"csrfmiddlewaretoken": token.group(1), "certify": "on"},
                headers={"Referer": rush.BASE + summary},
            )
            if response is not None and response.status_code == 302:
                if response.headers["Location"].endswith("/mes-dossiers/"):
                    outcome[person["uuid"]] = "acknowledged"
                    return
                outcome[person["uuid"]] = f"redirect {response.headers['Location']}"
                return
            page = response
        if page is not None and page.status_code == 503:
            if FRENCH_503 not in page.text:
                recorder.fail(f"503 sans la page française sur {summary}")
            outcome.setdefault(f"503:{person['uuid']}", 0)
        elif page is not None and page.status_code >= 500:
            recorder.fail(f"{page.status_code} sur {summary}")
        time.sleep(2)
    outcome[person["uuid"]] = "gave-up"


def verify(call_id, acknowledged) -> tuple[list[str], dict]:
    from django.db import connection
    from django.db.models import Count

    from applications.models import Application, Submission
    from core.models import AuditLog, OutboundEmail

    connection.close()
    problems = []
    files = Application.objects.filter(call_id=call_id)
    subs = dict(
        Submission.objects.filter(application__call_id=call_id)
        .values("application_id")
        .annotate(n=Count("pk"))
        .values_list("application_id", "n")
    )
    audited = dict(
        AuditLog.objects.filter(
            action="application.status_changed",
            object_type="applications.application",
            after__status="submitted",
        )
        .values("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )
    counts = {"submitted": 0, "draft": 0}
    for application in files:
        n_sub = subs.get(application.pk, 0)
        n_audit = audited.get(str(application.pk), 0)
        if application.status == "submitted":
            counts["submitted"] += 1
            if n_sub != 1 or not application.reference or n_audit != 1:
                problems.append(f"{application.uuid} déposé : {n_sub} dépôt(s), {n_audit} audit")
            if str(application.uuid) not in acknowledged:
                problems.append(f"{application.uuid} déposé sans acquittement côté client")
        else:
            counts["draft"] += 1
            if n_sub or application.reference or n_audit:
                problems.append(f"{application.uuid} à moitié écrit ({application.status})")
    for uuid in acknowledged:
        if not files.filter(uuid=uuid, status="submitted").exists():
            problems.append(f"{uuid} acquitté mais absent")
    references = sorted(
        int(r.rsplit("-", 1)[1])
        for r in Submission.objects.filter(application__call_id=call_id).values_list(
            "reference", flat=True
        )
    )
    if references != list(range(1, len(references) + 1)):
        problems.append(f"références non continues : {references}")
    for submission in Submission.objects.filter(application__call_id=call_id):
        mails = OutboundEmail.objects.filter(dedup_key=f"receipt:{submission.pk}").count()
        if mails != 1 or not submission.receipt:
            problems.append(
                f"{submission.reference} : {mails} courriel(s), PDF {submission.receipt}"
            )
    counts["references"] = f"1…{len(references)}" if references else "aucune"
    return problems, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--spread", type=float, default=20, help="durée du flux de dépôts (s)")
    parser.add_argument("--down-at", type=float, default=6, help="arrêt de PostgreSQL (s)")
    parser.add_argument("--down-for", type=float, default=8, help="durée de la panne (s)")
    args = parser.parse_args()
    tmp_dir = tempfile.TemporaryDirectory(prefix="ptce-faults-")
    tmp = Path(tmp_dir.name)
    if os.geteuid() == 0:
        os.chmod(tmp, 0o755)  # noqa: S103 (the postgres user must reach its cluster)
    cluster = Cluster(tmp / "cluster")
    database_url = f"postgres://postgres@127.0.0.1:{PG_PORT}/ptce_faults"
    env = rush.environment(database_url, tmp)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONWARNINGS"})
    os.environ.pop("PTCE_TESTING", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ptce.settings"
    os.chdir(ROOT)
    print(f"Grappe PostgreSQL privée sur le port {PG_PORT} ({cluster.data})", flush=True)
    cluster.init()
    cluster.start()
    server = None
    try:
        rush.recreate_database(database_url)
        rush.manage(env, "migrate", "--noinput", "-v", "0")
        rush.manage(env, "import_cog")
        rush.manage(env, "collectstatic", "--noinput", "-v", "0")
        import django

        django.setup()
        args.window = 0
        data = rush.prepare(args)
        people = data["candidates"][: args.candidates]
        from django.db import connection

        connection.close()
        server = rush.start_server(env, tmp / "gunicorn.log")
        recorder = rush.Recorder()
        outcome = {}
        start = time.time()
        give_up = start + args.spread + args.down_at + args.down_for + 90
        threads = []
        for i, person in enumerate(people):
            at = start + args.spread * i / max(1, len(people) - 1)

            def run(person=person, at=at):
                time.sleep(max(0.0, at - time.time()))
                submit_until_done(person, recorder, outcome, give_up)

            threads.append(threading.Thread(target=run))
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, start + args.down_at - time.time()))
        before = sum(1 for v in outcome.values() if v == "acknowledged")
        cluster.stop()
        stopped = time.time()
        print(f"PostgreSQL arrêté à t+{stopped - start:.1f} s ({before} dépôts acquittés)")
        time.sleep(args.down_for)
        cluster.start()
        print(f"PostgreSQL redémarré à t+{time.time() - start:.1f} s", flush=True)
        for thread in threads:
            thread.join()
        statuses = {}
        for by in recorder.statuses.values():
            for status, n in by.items():
                statuses[status] = statuses.get(status, 0) + n
        acknowledged = {u for u, v in outcome.items() if v == "acknowledged"}
        retried = sum(1 for k in outcome if k.startswith("503:"))
        print(f"Réponses par statut : {dict(sorted(statuses.items()))}")
        rush.report_latencies(recorder)
        print(f"Candidats ayant reçu la page 503 puis réessayé : {retried}")
        print(f"Dépôts acquittés : {len(acknowledged)} / {len(people)}")
        others = {u: v for u, v in outcome.items() if ":" not in u and v != "acknowledged"}
        if others:
            print(f"Autres issues : {others}")
        for message in recorder.errors[:10]:
            print("  ", message)
        seconds = rush.run_worker(env, tmp / "worker.log")
        print(f"Worker : accusés PDF et courriels en {seconds:.0f} s")
        problems, counts = verify(data["call_id"], acknowledged)
        print(f"Vérification en base : {counts}, {len(problems)} problème(s)")
        for problem in problems[:20]:
            print("  ", problem)
        bad_5xx = {s: n for s, n in statuses.items() if s >= 500 and s not in (503,)}
        non_french = [m for m in recorder.errors if "503 sans" in m or m[:3].isdigit()]
        ok = (
            not problems
            and not bad_5xx
            and not non_french
            and len(acknowledged) == len(people)
            and retried > 0
        )
        print("RÉSULTAT :", "conforme" if ok else "NON CONFORME")
        return 0 if ok else 1
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
