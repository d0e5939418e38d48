"""Benchmark of the company register (SIRENE): import speed, raw floors, bulk lookups.

Run alone with ``.venv/bin/python bench/bench_registry.py [--rows N]`` or through ``make bench``.

1. generates N (default 1 000 000) ``StockUniteLegale`` rows, and as many establishments, in the
   official CSV layout (``registry.generator``, fixed seed);
2. imports the legal units with ``import_sirene``'s code on SQLite (a fresh file in
   ``var/bench/``) and on PostgreSQL (``BENCH_DATABASE_URL``, default the ``ptce_registry_bench``
   database), each in its own process, reporting seconds, rows/s and the process's peak RSS;
3. measures the raw floor of the same engines with no application code: the ``sqlite3``
   command-line ``.import`` and PostgreSQL ``COPY`` of the whole file into an unindexed staging
   table, and the ratio import / floor; and, for context, DuckDB's time to just read the file;
4. imports the establishments, then times ``lookup_many`` of 1 000 SIRETs on each engine.

Targets: import < 60 s and peak RSS < 500 MB per engine; ratio ≤ 2; lookup_many < 100 ms; the
script exits with status 1 when one is missed. ``--repeat N`` runs each import and floor N times,
alternately, and keeps the best of each (the machine is shared: its load swings).
Figures go to stdout and to ``var/bench/registry.json``.
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/ptce_registry_bench"


def _django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_import(args) -> dict:
    """In a process of its own: one import, its duration and this process's peak memory."""
    _django(args.database_url)
    from registry.importer import SireneImport

    report = SireneImport(
        units_path=args.units or None, establishments_path=args.establishments or None
    ).run()
    return {
        "seconds": report.seconds,
        "rows": sum(f.kept for f in report.files),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_lookup(args) -> dict:
    _django(args.database_url)
    from registry.services import Status, lookup_many

    sirets = json.loads(Path(args.sirets).read_text())
    lookup_many(sirets[:10])  # open the connection, warm the code paths
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        results = lookup_many(sirets)
        timings.append(time.perf_counter() - started)
    found = sum(r.status == Status.FOUND for r in results.values())
    return {"ms_best": min(timings) * 1000, "ms_median": sorted(timings)[2] * 1000, "found": found}


def run_child(mode: str, database_url: str, **paths) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--database-url", database_url]
    for name, value in paths.items():
        if value:
            command += [f"--{name}", str(value)]
    env = {**os.environ, "DATABASE_URL": database_url, "PTCE_TESTING": ""}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def migrate(database_url: str):
    env = {**os.environ, "DATABASE_URL": database_url, "PTCE_TESTING": ""}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def ensure_pg_database(url: str) -> str | None:
    """Create the benchmark database if needed; None when PostgreSQL is unreachable."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        return f"PostgreSQL injoignable ({error})".splitlines()[0]
    return None


def floor_sqlite(csv_path: Path) -> float | None:
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        return None
    db = OUT / "floor.sqlite3"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sqlite3, str(db), f".import --csv {csv_path} staging"], check=True)
    seconds = time.perf_counter() - started
    db.unlink(missing_ok=True)
    return seconds


def floor_postgres(url: str, csv_path: Path) -> float:
    import psycopg

    with open(csv_path, encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    columns = ", ".join(f'"{name}" text' for name in header)
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("DROP TABLE IF EXISTS bench_floor_staging")
            conn.execute(f"CREATE TABLE bench_floor_staging ({columns})")
            with (
                conn.cursor().copy(
                    "COPY bench_floor_staging FROM STDIN (FORMAT csv, HEADER true)"
                ) as copy,
                open(csv_path, "rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_floor_staging")
        conn.commit()
    return seconds


def duckdb_read(csv_path: Path) -> float | None:
    try:
        import duckdb
    except ImportError:
        return None
    query = f"SELECT count(*) FROM read_csv('{csv_path}', header = true, all_varchar = true)"  # noqa: S608 - our own file path
    started = time.perf_counter()
    duckdb.sql(query).fetchall()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="imports and floors run N times each, alternately; the best time of each is kept "
        "(a shared machine's load swings from one second to the next)",
    )
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--child", choices=["import", "lookup"])
    parser.add_argument("--database-url")
    parser.add_argument("--units")
    parser.add_argument("--establishments")
    parser.add_argument("--sirets")
    args = parser.parse_args()
    if args.child == "import":
        print(json.dumps(child_import(args)))
        return 0
    if args.child == "lookup":
        print(json.dumps(child_lookup(args)))
        return 0

    sys.path.insert(0, str(ROOT))
    from registry.generator import generate, luhn_check_digit

    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"sirene-{args.rows}"
    started = time.perf_counter()
    if not (data / "StockEtablissement_utf8.csv").exists():
        generate(data, args.rows, seed=2014, establishments_per_unit=1.0)
        print(f"génération de {args.rows} lignes : {time.perf_counter() - started:.1f} s")
    units = data / "StockUniteLegale_utf8.csv"
    establishments = data / "StockEtablissement_utf8.csv"
    with open(units, encoding="utf-8") as handle:
        next(handle)
        sirens = [line[:9] for _, line in zip(range(args.rows), handle, strict=False)]
    rng = random.Random(1)
    sample = rng.sample(sirens, min(1000, len(sirens)))
    sirets = [f"{s}0001" + luhn_check_digit(f"{s}0001") for s in sample]
    sirets_file = OUT / "sirets.json"
    sirets_file.write_text(json.dumps(sirets))
    del sirens

    results: dict = {"rows": args.rows, "engines": {}}
    engines = []
    sqlite_db = OUT / "registry_bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
    engines.append(("SQLite", f"sqlite:///{sqlite_db}"))
    pg_problem = ensure_pg_database(args.pg)
    if pg_problem:
        results["engines"]["PostgreSQL"] = {"skipped": pg_problem}
    else:
        engines.append(("PostgreSQL", args.pg))

    for label, url in engines:
        migrate(url)
        imports, floors = [], []
        for _ in range(max(1, args.repeat)):
            imports.append(run_child("import", url, units=units))
            floors.append(floor_sqlite(units) if label == "SQLite" else floor_postgres(url, units))
        imported = min(imports, key=lambda run: run["seconds"])
        imported["peak_rss_mb"] = max(run["peak_rss_mb"] for run in imports)
        floor = None if None in floors else min(floors)
        establishments_run = run_child("import", url, establishments=establishments)
        lookup = run_child("lookup", url, sirets=sirets_file)
        entry = {
            "import_seconds": round(imported["seconds"], 2),
            "rows_per_second": round(imported["rows"] / imported["seconds"]),
            "peak_rss_mb": round(imported["peak_rss_mb"], 1),
            "floor_seconds": round(floor, 2) if floor is not None else None,
            "ratio": round(imported["seconds"] / floor, 2) if floor else None,
            "establishments_import_seconds": round(establishments_run["seconds"], 2),
            "establishments_peak_rss_mb": round(establishments_run["peak_rss_mb"], 1),
            "lookup_many_1000_ms": round(lookup["ms_best"], 1),
            "lookup_many_1000_ms_median": round(lookup["ms_median"], 1),
            "lookup_many_found": lookup["found"],
        }
        if floor is None:
            entry["floor_note"] = "sqlite3 absent : apt-get install -y sqlite3"
        results["engines"][label] = entry
    duck = duckdb_read(units)
    results["duckdb_read_seconds"] = round(duck, 2) if duck is not None else None
    results["load_average"] = os.getloadavg()

    print(f"\nSIRENE : {args.rows:,} lignes StockUniteLegale".replace(",", "\u202f"))
    for label, entry in results["engines"].items():
        if "skipped" in entry:
            print(f"  {label:<10} ignoré : {entry['skipped']}")
            continue
        floor = entry["floor_seconds"]
        floor_text = (
            f"plancher {floor:.1f} s, ratio {entry['ratio']:.2f}×"
            if floor
            else entry.get("floor_note", "")
        )
        speed = f"{entry['rows_per_second']:,}".replace(",", " ")
        print(
            f"  {label:<10} import {entry['import_seconds']:.1f} s ({speed} lignes/s), "
            f"pic RSS {entry['peak_rss_mb']:.0f} Mo, {floor_text} ; établissements "
            f"{entry['establishments_import_seconds']:.1f} s ; lookup_many(1000) "
            f"{entry['lookup_many_1000_ms']:.1f} ms"
        )
    if results["duckdb_read_seconds"] is not None:
        print(f"  DuckDB, simple lecture du fichier : {results['duckdb_read_seconds']:.2f} s")
    print(f"  charge de la machine (1, 5, 15 min) : {results['load_average']}")
    (OUT / "registry.json").write_text(json.dumps(results, indent=2))
    failed = [
        label
        for label, entry in results["engines"].items()
        if "skipped" not in entry
        and (
            entry["import_seconds"] > 60
            or entry["peak_rss_mb"] > 500
            or entry["lookup_many_1000_ms"] > 100
            or (entry["ratio"] or 0) > 2
        )
    ]
    if failed:
        print(f"  objectif manqué : {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
