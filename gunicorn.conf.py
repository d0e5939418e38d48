"""gunicorn settings, read from the working directory by every `gunicorn` started here (the
Procfile's `web`, `make serve-prod`): command-line options still win.

Prometheus metrics with several workers (core/metrics.py): each worker is its own process with
its own counters, and a scrape reaches only one of them. With ``PROMETHEUS_MULTIPROC_DIR`` set,
prometheus-client's multi-process mode has every worker write its counters to that directory
and any worker adds them all up when scraped. When a metrics token is configured and the
variable is not set, a fresh directory is made for this gunicorn; the directory is emptied at
start (counters start again at zero with the server, as Prometheus expects) and a worker's
files are marked dead when it exits. Do not use ``--preload`` with it: the variable must be set
before the application is imported.
"""

import os
import shutil
import tempfile

_created = None


def on_starting(server):
    global _created
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if not path and os.environ.get("PTCE_METRICS_TOKEN", "").strip():
        path = _created = tempfile.mkdtemp(prefix="ptce-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    if path:
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.remove(os.path.join(path, name))
        server.log.info("Métriques Prometheus multi-processus dans %s", path)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _created:
        shutil.rmtree(_created, ignore_errors=True)
