"""Benchmark of the historical import (issue 17): 1 000 rows with messy real-world localisations
(« Tours (agglomération) », « Landes / Pyrénées-Atlantiques », « Pays d'Auge »…), themes with
synonyms and free tags. Target: under 10 s, placement rate reported.

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


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
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
        f"Pôle bench {index};;;{MESSY[index % len(MESSY)]};AMI;2021;déchets, IAE, mutualisation"
        for index in range(args.rows)
    ]
    data = (header + "\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    try:
        with transaction.atomic():
            report = import_rows(read_csv(data))
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    print(
        f"{args.rows} lignes historiques à la géographie désordonnée : {elapsed:.1f} s "
        f"(cible < 10 s) ; placées : {round(100 * report.placement_rate)} %"
    )
    return 0 if elapsed < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
