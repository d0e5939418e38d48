"""Benchmark of the overlap lookup (laureates/overlap.py): a 300-commune territory among the
10 000 PTCE seeded by ``bench/bench_directory.py`` (run that first; it leaves
``var/bench/directory.sqlite3`` and the PostgreSQL bench database). Target: < 50 ms.

Run: ``.venv/bin/python bench/bench_overlap.py [--database-url URL]``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default=f"sqlite:///{ROOT / 'var/bench/directory.sqlite3'}"
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PTCE_TESTING"] = "1"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from laureates.models import Ptce
    from laureates.overlap import overlapping_ptces
    from territories.models import Commune

    # 300 communes of the département with the most PTCE communes: a large, busy territory.
    department = (
        Ptce.communes.through.objects.values_list("commune__department_id", flat=True)
        .order_by("commune__department_id")
        .first()
    )
    codes = list(
        Commune.objects.current()
        .filter(department_id=department)
        .order_by("code")
        .values_list("code", flat=True)[:300]
    )
    timings, found = [], []
    for _ in range(15):
        started = time.perf_counter()
        found = overlapping_ptces(codes, [], limit=20)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(
        f"chevauchement : territoire de {len(codes)} communes, {Ptce.objects.count()} PTCE : "
        f"médiane {median:.1f} ms (cible < 50 ms), {len(found)} PTCE trouvés"
    )
    return 0 if median < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
