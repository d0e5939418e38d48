"""Benchmark of the public directory: 10 000 PTCE and 100 000 members.

Run alone with ``.venv/bin/python bench/bench_directory.py [--ptce N] [--engine sqlite|postgresql]``
or through ``make bench``. Each engine runs in its own process on a fresh database: SQLite in
``var/bench/directory.sqlite3``, PostgreSQL in ``BENCH_DIRECTORY_DATABASE_URL`` (default the
``ptce_directory_bench`` database, dropped and recreated).

Measured through Django's WSGI handler (the test client, no network), so « server time »:
- directory search (several queries and filters): median time, and the number of SQL queries
  with 100 PTCE and with 10 000 PTCE (must be equal);
- map page (régions and départements): median time;
- full CSV export of the PTCE (streamed): total time;
- API list endpoint: median time; then (PostgreSQL) ``bench/load_api.py``: requests per second
  of /api/v1/ptce on gunicorn with 2 workers, as a ratio to the health endpoint.
Targets: search median < 100 ms on PostgreSQL; map < 150 ms; CSV export < 5 s.
Figures go to stdout and to ``var/bench/directory.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/ptce_directory_bench"
SEARCHES = [
    {},
    {"q": "reemploi"},
    {"q": "Économie circulaire Bretagne"},
    {"q": "alimentation", "region": "84"},
    {"theme": "food", "status": "active"},
    {"region": "53", "year": "2021"},
    {"q": "coopérative", "department": "69", "page": "3"},
    {"q": "zzzz introuvable"},
]
# Text searches timed through the search layer alone (core/search.py: filter, rank, first page
# and count), the figure compared between engines (SQLite FTS5 vs PostgreSQL full text).
TEXT_SEARCHES = [
    "mutualiser",
    "reemploi",
    "Économie circulaire Bretagne",
    "coopérative",
    "alimentation",
    "ressour",
    "ecole",
    "energie citoyenne",
    "zzzz introuvable",
]
WORDS = [
    "ressourcerie",
    "réemploi",
    "coopérative",
    "alimentation",
    "mobilité solidaire",
    "tiers-lieu",
    "insertion",
    "éco-construction",
    "culture",
    "numérique",
    "énergie citoyenne",
    "bois",
]


def _django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    # Test-mode settings (plain static files, DEBUG off so no query log), real databases.
    os.environ["PTCE_TESTING"] = "1"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(total: int, start: int, members_per_ptce: int = 10) -> None:
    """PTCE ``start`` … ``total - 1`` with communes, labels and members, through bulk inserts
    (search columns computed as laureates.services does)."""
    import random

    from django.db import connection

    from applications.choices import MemberCategory
    from laureates.listing import refresh_listing
    from laureates.models import Ptce, PtceLabel, PtceMember, PtceStatus, Theme
    from laureates.services import update_search_vectors
    from territories.models import Commune
    from territories.text import normalise

    rng = random.Random(start)
    communes = list(
        Commune.objects.current()
        .exclude(region__isnull=True)
        .select_related("region", "department")
        .only("pk", "code", "name", "region__name", "department__name")
    )
    themes, statuses = Theme.values, PtceStatus.values
    categories = MemberCategory.values
    for batch_start in range(start, total, 1000):
        batch = range(batch_start, min(batch_start + 1000, total))
        rows, picks = [], []
        for index in batch:
            chosen = rng.sample(communes, rng.randint(1, 3))
            main = chosen[0]
            word = rng.choice(WORDS)
            name = f"Pôle {word} {main.name} {index}"
            theme = rng.sample(themes, rng.randint(1, 2))
            description = (
                f"Coopération économique autour de {word} sur le territoire de {main.name}, "
                "avec des entreprises de l’ESS, des entreprises classiques et la collectivité."
            )
            text = " ".join(
                [
                    name,
                    description,
                    " ".join(Theme(t).label for t in theme),
                    main.region.name,
                    main.department.name,
                    " ".join(c.name for c in chosen),
                ]
            )
            rows.append(
                Ptce(
                    name=name,
                    slug=f"bench-{index}",
                    description=description,
                    lead_organisation_name=f"Association {word} {index}",
                    main_region_id=main.region_id,
                    main_department_id=main.department_id,
                    population_covered=sum(c.population or 0 for c in chosen),
                    themes=theme,
                    themes_key="".join(f"|{t}|" for t in theme),
                    status=rng.choice(statuses),
                    search_name=normalise(name),
                    search_text=normalise(text),
                )
            )
            picks.append(chosen)
        created = Ptce.objects.bulk_create(rows)
        through = Ptce.communes.through
        through.objects.bulk_create(
            [
                through(ptce_id=ptce.pk, commune_id=commune.pk)
                for ptce, chosen in zip(created, picks, strict=True)
                for commune in chosen
            ]
        )
        PtceLabel.objects.bulk_create(
            [
                PtceLabel(ptce=ptce, title=f"AMI {year}", year=year)
                for ptce in created
                for year in {rng.choice([2013, 2015, 2021, 2022, 2023, 2024, 2025])}
            ]
        )
        PtceMember.objects.bulk_create(
            [
                PtceMember(
                    ptce=ptce,
                    name=f"Membre {ptce.pk}-{position}",
                    category=categories[position % len(categories)],
                    is_public=position % 3 != 0,
                )
                for ptce in created
                for position in range(members_per_ptce)
            ],
            batch_size=5000,
        )
        refresh_listing([ptce.pk for ptce in created])
        if connection.vendor == "postgresql":
            update_search_vectors(Ptce.objects.filter(pk__in=[p.pk for p in created]))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _timed(client, url, params=None, repeat=7) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    return timings


def _query_counts(client) -> list[list[int]]:
    """[number of SQL queries, number of results] per search. An empty result skips the
    queries of the page's rows (labels), so only searches with results at both sizes are
    compared."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from directory.queries import parse_filters, search_ptces

    counts = []
    for params in SEARCHES:
        with CaptureQueriesContext(connection) as context:
            client.get("/annuaire/", params)
        query = QueryDict(mutable=True)
        query.update(params)
        results = search_ptces(parse_filters(query)).count()
        counts.append([len(context.captured_queries), results])
    return counts


def _search_layer_timings(repeat: int = 9) -> dict:
    """Median ms per text search: ranked search, first page of 20 and the count."""
    from django.http import QueryDict

    from directory.queries import parse_filters, search_planning, search_ptces

    timings = {}
    for text in TEXT_SEARCHES:
        query = QueryDict(mutable=True)
        query["q"] = text
        filters = parse_filters(query)
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            with search_planning(filters):
                queryset = search_ptces(filters)
                list(queryset[:20])
                queryset.count()
            runs.append((time.perf_counter() - started) * 1000)
        timings[text] = round(statistics.median(runs), 1)
    return timings


def child(args) -> dict:
    _django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    from territories.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("import_cog", verbosity=0)
    setup_seconds = time.perf_counter() - started
    client = Client()
    from laureates.models import Ptce

    started = time.perf_counter()
    if args.reuse and Ptce.objects.count() >= args.ptce:
        # Profiling an already seeded database: no 100-PTCE comparison.
        counts_100 = None
    else:
        seed(100, 0)
        counts_100 = _query_counts(client)
        seed(args.ptce, 100)
    seed_seconds = time.perf_counter() - started
    counts_large = _query_counts(client)
    for params in SEARCHES:  # warm caches
        client.get("/annuaire/", params)
    search = {json.dumps(p, ensure_ascii=False): _timed(client, "/annuaire/", p) for p in SEARCHES}
    all_search = [t for timings in search.values() for t in timings]
    from laureates.models import PtceMember

    text_search = _search_layer_timings()

    result = {
        "ptce": Ptce.objects.count(),
        "members": PtceMember.objects.count(),
        "setup_s": round(setup_seconds, 1),
        "seed_s": round(seed_seconds, 1),
        "queries_at_100": counts_100,
        "queries_at_large": counts_large,
        "search_median_ms": round(statistics.median(all_search), 1),
        "search_worst_median_ms": round(max(statistics.median(t) for t in search.values()), 1),
        "search_per_query_median_ms": {
            key: round(statistics.median(t), 1) for key, t in search.items()
        },
        "text_search_ms": text_search,
        "text_search_median_ms": round(statistics.median(text_search.values()), 1),
        "text_search_worst_ms": max(text_search.values()),
        "map_regions_median_ms": round(statistics.median(_timed(client, "/annuaire/carte/")), 1),
        "map_departments_median_ms": round(
            statistics.median(_timed(client, "/annuaire/carte/", {"niveau": "departements"})), 1
        ),
        "api_list_median_ms": round(statistics.median(_timed(client, "/api/v1/ptce")), 1),
        "csv_export_s": round(
            min(_timed(client, "/donnees-ouvertes/ptce.csv", repeat=2)) / 1000, 2
        ),
    }
    return result


def _fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def run_engine(engine: str, size: int, reuse: bool = False) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        path = OUT / "directory.sqlite3"
        if not reuse:
            path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = os.environ.get("BENCH_DIRECTORY_DATABASE_URL", PG_DEFAULT)
        if not reuse:
            _fresh_postgres(url)
    command = [sys.executable, __file__, "--child", "--database-url", url, "--ptce", str(size)]
    if reuse:
        command.append("--reuse")
    # The API's server-side response cache off: the API median measures the computation.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PTCE_TESTING": "1",
        "DJANGO_DEBUG": "0",
        "DIRECTORY_API_CACHE_SECONDS": "0",
    }
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"bench_directory: l’exécution {engine} a échoué")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _same_counts(figures: dict) -> bool:
    if figures["queries_at_100"] is None:  # --reuse: not measured
        return True
    return all(
        small[0] == large[0]
        for small, large in zip(figures["queries_at_100"], figures["queries_at_large"], strict=True)
        if small[1] and large[1]
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptce", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--child", action="store_true")
    parser.add_argument(
        "--no-api-load", action="store_true", help="skip the gunicorn load test of the API"
    )
    parser.add_argument("--database-url")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an already seeded database (profiling; skips the 100-PTCE query counts)",
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args), ensure_ascii=False))
        return 0
    figures = {}
    load_failures: list[str] = []
    for engine in args.engine or ["sqlite", "postgresql"]:
        figures[engine] = run_engine(engine, args.ptce, args.reuse)
        f = figures[engine]
        print(f"[{engine}] {f['ptce']} PTCE, {f['members']} membres (seed {f['seed_s']} s)")
        print(
            f"  recherche annuaire : médiane {f['search_median_ms']} ms "
            f"(pire requête : {f['search_worst_median_ms']} ms)"
        )
        for key, value in f["search_per_query_median_ms"].items():
            print(f"    {key or '{}'} : {value} ms")
        print(
            f"  recherche plein texte seule (classement, 1re page, total) : médiane "
            f"{f['text_search_median_ms']} ms, pire {f['text_search_worst_ms']} ms (cible < 100 ms)"
        )
        for key, value in f["text_search_ms"].items():
            print(f"    « {key} » : {value} ms")
        small = [q for q, n in f["queries_at_100"] or []]
        large = [q for q, n in f["queries_at_large"]]
        print(
            f"  requêtes SQL par recherche à 100 PTCE : {small} ; à {f['ptce']} : {large} "
            f"({'identiques' if _same_counts(f) else 'DIFFÉRENTES'} pour les recherches "
            "ayant des résultats aux deux tailles)"
        )
        print(
            f"  carte : régions {f['map_regions_median_ms']} ms, départements "
            f"{f['map_departments_median_ms']} ms (cible < 150 ms)"
        )
        print(f"  API /api/v1/ptce : médiane {f['api_list_median_ms']} ms")
        print(f"  export CSV complet : {f['csv_export_s']} s (cible < 5 s)")
        if engine == "postgresql" and not args.no_api_load:
            # Requests per second of the API list vs the health endpoint, gunicorn 2 workers.
            sys.path.insert(0, str(ROOT / "bench"))
            import load_api

            url = os.environ.get("BENCH_DIRECTORY_DATABASE_URL", PG_DEFAULT)
            f["api_load"] = load_api.run(url, duration=10.0, concurrency=8)
            load_failures.extend(load_api.report(f["api_load"]))
    (OUT / "directory.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    failures = list(load_failures)
    pg = figures.get("postgresql")
    if pg and pg["search_median_ms"] >= 100:
        failures.append("recherche PostgreSQL ≥ 100 ms")
    lite = figures.get("sqlite")
    if lite and lite["text_search_worst_ms"] >= 100:
        failures.append("recherche plein texte SQLite ≥ 100 ms")
    if lite and pg:
        ratio = lite["text_search_median_ms"] / max(pg["text_search_median_ms"], 0.1)
        print(f"recherche plein texte : SQLite / PostgreSQL = {ratio:.2f} (cible ≤ 2)")
        if ratio > 2:
            failures.append("recherche plein texte SQLite plus de 2 fois plus lente")
    for engine, f in figures.items():
        if not _same_counts(f):
            failures.append(f"{engine} : nombre de requêtes variable")
        if max(f["map_regions_median_ms"], f["map_departments_median_ms"]) >= 150:
            failures.append(f"{engine} : carte ≥ 150 ms")
        if f["csv_export_s"] >= 5:
            failures.append(f"{engine} : export CSV ≥ 5 s")
    print("Cibles atteintes." if not failures else "Cibles manquées : " + ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
