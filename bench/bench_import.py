"""Benchmark of the historical import (issue 17): 1 000 rows with messy real-world localisations
(« Tours (agglomération) », « Landes / Pyrénées-Atlantiques », « Pays d'Auge »…), themes with
synonyms and free tags. Target: under 10 s, placement rate reported.

Every row has its own localisation (« Vienne (agglomération) », « Grand Albi », « CC du Pays de
Lunel », « Rodez / Millau », « Pays de Figeac », « Nevers (quartier du Banlay) »… built from the
real geography, one commune per row), so the place resolver's cache does not hide the cost of
a lookup; a tenth of the rows repeat the real strings of MESSY, a tenth repeat a pole already
seen (a second label). ``--profile`` prints the 25 costliest functions (cProfile).

Run: ``.venv/bin/python bench/bench_import.py [--rows N]`` (SQLite in ``var/bench/import.sqlite3``;
``--database-url postgres://…`` for PostgreSQL). The import runs in a transaction rolled back at
the end, so the database can be reused.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSY = [
    "Romans-sur-Isère (agglomération de Romans)",
    "Toulouse (Toulouse Métropole)",
    "Tours (agglomération)",
    "Grand Calais",
    "Cœur de Savoie (communauté de communes)",
    "Landes / Pyrénées-Atlantiques",
    "Dijon (quartier des Grésilles)",
    "Pays d'Auge",
    "LOZERE",
    "l’Ile-Saint-Denis",
]


THEMES = [
    "déchets, IAE, mutualisation",
    "alimentation / circuits courts",
    "mobilité solidaire",
    "musiques actuelles + tiers-lieu",
    "habitat, éco-construction",
    "numérique ; inclusion numérique",
    "énergie citoyenne",
    "services aux personnes",
    "tourisme, patrimoine",
    "filière bois",
]
CALLS = [("AAP", 2013), ("AAP", 2015), ("AMI", 2021), ("AMI", 2023), ("AMI", 2025)]


class _Rollback(Exception):
    pass


def messy_rows(count: int):
    """(name, localisation, call, year, themes) of ``count`` rows, written as real lists do."""
    from territories.models import Commune, Department

    departments = dict(Department.objects.values_list("code", "name"))
    communes = list(
        Commune.objects.current()
        .filter(population__gte=3000, epci__isnull=False)
        .order_by("-population", "code")
        .values_list("name", "department_id", "epci__name")[: count + 10]
    )
    patterns = [
        lambda c, d, e, o: f"{c} (agglomération)",
        lambda c, d, e, o: f"Grand {c}",
        lambda c, d, e, o: e,
        lambda c, d, e, o: f"{c} ({departments.get(d, '')})",
        lambda c, d, e, o: f"{c} / {o}",
        lambda c, d, e, o: f"Pays de {c}",
        lambda c, d, e, o: f"{c} (quartier des Fleurs)",
        lambda c, d, e, o: f"agglomération de {c}",
        lambda c, d, e, o: c.upper(),
    ]
    rows = []
    for index in range(count):
        call, year = CALLS[index % len(CALLS)]
        theme = THEMES[index % len(THEMES)]
        if index % 10 == 9:  # a pole seen before, with another label
            name, place = rows[index - 5][0], rows[index - 5][1]
        elif index % 10 == 8:
            name, place = f"Pôle bench {index}", MESSY[(index // 10) % len(MESSY)]
        else:
            commune, department, epci = communes[index]
            other = communes[index + 1][0]
            place = patterns[index % len(patterns)](commune, department, epci, other)
            name = f"Pôle bench {index}"
        rows.append((name, place, call, year, theme))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var/bench/import.sqlite3'}")
    args = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PTCE_TESTING"] = "1"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from laureates.importer import import_rows, read_csv
    from territories.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("import_cog", verbosity=0)
    header = "nom;région;département;localisation;appel;année;thème\n"
    lines = [
        f"{name};;;{place};{call};{year};{theme}"
        for name, place, call, year, theme in messy_rows(args.rows)
    ]
    data = (header + "\n".join(lines) + "\n").encode()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            report = import_rows(read_csv(data))
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            raise _Rollback
    except _Rollback:
        pass
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(
        f"{args.rows} lignes historiques à la géographie désordonnée : {elapsed:.1f} s "
        f"(cible < 10 s ; temps processeur {cpu:.1f} s) ; "
        f"placées : {round(100 * report.placement_rate)} %"
    )
    return 0 if elapsed < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
