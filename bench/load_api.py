"""Bounded load test of the API list endpoint on loopback: gunicorn with 2 workers on
PostgreSQL, a small thread-based HTTP load generator (``wrk`` is not installed here), and the
requests per second of ``/api/v1/ptce`` as a ratio to the trivial health endpoint ``/sante/``
(one ``SELECT 1``) on the same server.

    .venv/bin/python bench/load_api.py --database-url postgres://…/ptce_directory_bench

Run by ``bench/bench_directory.py`` after its PostgreSQL run, on the database it seeded
(10 000 PTCE, 100 000 members). Rate limiting is switched off for the server under test
(``PTCE_RATE_LIMIT_DIRECTORY_API=0``); the API is measured without, then with, its server-side
response cache (``DIRECTORY_API_CACHE_SECONDS``). The load generator shares the 2 CPUs with
the server: the ratio is the meaningful figure, not the absolute rates. Exits non-zero on any
error response.
"""

import argparse
import contextlib
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PORT = int(os.environ.get("LOAD_API_PORT", "8131"))  # another free port when 8131 is taken
ROUNDS = 5
TARGETS = [
    ("santé (SELECT 1)", "/sante/"),
    ("API liste PTCE", "/api/v1/ptce"),
    ("API liste PTCE, 50 par page", "/api/v1/ptce?page_size=50"),
    ("API liste PTCE, recherche", "/api/v1/ptce?q=reemploi&page=2"),
    ("API liste PTCE, 100 par page", "/api/v1/ptce?page_size=100"),
]


def start_server(database_url: str, log_path: Path, *, cache: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DIRECTORY_API_CACHE_SECONDS": "60" if cache else "0",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",
        "PTCE_RATE_LIMIT_DIRECTORY_API": "0",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        # DEBUG off and not testing: the audit chain needs a key (docs/deploy.md).
        "PTCE_AUDIT_KEY": os.environ.get("PTCE_AUDIT_KEY") or "bench-audit-key-" + "0" * 32,
    }
    env.pop("PTCE_TESTING", None)
    server = subprocess.Popen(
        [
            GUNICORN,
            "ptce.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--backlog",
            "2048",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):  # not listening yet
            status, _ = get("/sante/")
            if status == 200:
                return server
        if server.poll() is not None:
            raise SystemExit(f"gunicorn s’est arrêté : voir {log_path}")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn ne répond pas")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def get(path: str) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def load(path: str, *, duration: float, concurrency: int) -> dict:
    """``concurrency`` threads request ``path`` in a loop for ``duration`` seconds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker():
        local_latencies, local_statuses = [], {}
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = get(path)
            except OSError as error:
                with lock:
                    errors.append(str(error))
                continue
            local_latencies.append(time.perf_counter() - started)
            local_statuses[status] = local_statuses.get(status, 0) + 1
        with lock:
            latencies.extend(local_latencies)
            for status, n in local_statuses.items():
                statuses[status] = statuses.get(status, 0) + n

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1) if ordered else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": len(errors),
    }


def run(database_url: str, duration: float, concurrency: int) -> dict:
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    # Without the server-side response cache (every request computed), then with it (the
    # default: public responses kept 60 s, as their Cache-Control promises). The health
    # endpoint is measured on each server. Targets are interleaved in ``ROUNDS`` short slices so
    # that the load of the (shared) machine weighs the same on each.
    for cache in (False, True):
        server = start_server(database_url, out / "load_api_gunicorn.log", cache=cache)
        suffix = " (cache serveur 60 s)" if cache else ""
        try:
            for _, path in TARGETS:
                load(path, duration=0.5, concurrency=concurrency)  # warm-up
            slices: dict[str, list[dict]] = {}
            for _ in range(ROUNDS):
                for label, path in TARGETS:
                    slices.setdefault(label + suffix, []).append(
                        load(path, duration=duration / ROUNDS, concurrency=concurrency)
                    )
            for (_, path), key in zip(TARGETS, slices, strict=True):
                parts = slices[key]
                statuses: dict[str, int] = {}
                for part in parts:
                    for status, n in part["statuses"].items():
                        statuses[status] = statuses.get(status, 0) + n
                results[key] = {
                    "path": path,
                    "requests": sum(part["requests"] for part in parts),
                    "rps": round(sum(part["rps"] for part in parts) / len(parts), 1),
                    "p50_ms": statistics.median(part["p50_ms"] or 0 for part in parts),
                    "p95_ms": max(part["p95_ms"] or 0 for part in parts),
                    "statuses": statuses,
                    "errors": sum(part["errors"] for part in parts),
                }
        finally:
            stop_server(server)
    for key, figures in results.items():
        cached = key.endswith("(cache serveur 60 s)")
        health_key = TARGETS[0][0] + (" (cache serveur 60 s)" if cached else "")
        health = results[health_key]["rps"]
        figures["ratio_to_health"] = round(figures["rps"] / health, 3) if health else None
    return {
        "workers": 2,
        "concurrency": concurrency,
        "duration_s": duration,
        "load_average": os.getloadavg()[0],
        "results": results,
    }


def report(figures: dict) -> list[str]:
    print(
        f"  charge sur gunicorn (2 workers, {figures['concurrency']} clients, "
        f"{figures['duration_s']} s par adresse, charge machine {figures['load_average']:.1f}) :"
    )
    failures = []
    for label, f in figures["results"].items():
        print(
            f"    {label} {f['path']} : {f['rps']} req/s (×{f['ratio_to_health']} de la santé), "
            f"p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, statuts {f['statuses']}"
        )
        if f["errors"] or set(f["statuses"]) != {"200"}:
            failures.append(f"{label} : réponses en erreur {f['statuses']}, {f['errors']} échecs")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DIRECTORY_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/ptce_directory_bench",
        ),
    )
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    figures = run(args.database_url, args.duration, args.concurrency)
    failures = report(figures)
    (ROOT / "var" / "bench" / "load_api.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False)
    )
    print("Aucune erreur." if not failures else "Erreurs : " + " ; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
