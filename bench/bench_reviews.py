"""Benchmark of the review computations (issue 5, performance): 10 000 files, 3 evaluations each.

Two parts. **In memory** (``--memory``), without the database: per-file statistics, the same
with per-reviewer normalisation, the national ranking, and the allocation simulator. Targets:
ranking + allocation under 1 s, allocation alone under 100 ms. Prints, for each step, the median
processor time of several runs (``time.process_time``: what the computation costs, not how long
it waited for a processor on a shared machine) and the median and best wall-clock times; the
targets are checked on the processor time, and the script exits non-zero when one is missed.

**With a database** (``--engine sqlite|postgresql``, both by default), each engine in its own
process on a fresh database (SQLite: ``var/bench/reviews.sqlite3``; PostgreSQL:
``BENCH_REVIEWS_DATABASE_URL``, default the ``ptce_reviews_bench`` database, dropped and
recreated): 100 then 10 000 files with 3 submitted evaluations (6 scores each), 3 assignments,
10 members (100 000 in all), a budget line and a régional opinion each, measured through
Django's WSGI handler (test client, no network):

- the reviewer list page (50 per page, several filters and sorts; the search box — a word of
  pôle names, a reference, a SIREN, an accent-free query of an accented name — and a 12-column
  view, as a régional reviewer and as the national cell): median server time at 10 000 within
  2× of the same at 100 for each group of pages, and the same number of SQL queries at both
  sizes;
- the national ranking page (pages 1 and 2): the same two checks;
- the committee's decision table: a call whose files are all « Instruit », a saved simulation,
  30 then 300 proposed files, as a committee member and as the national cell: processor time
  of the page < 300 ms (wall clock and query count printed beside);
- national ranking of every file from the database + allocation < 1 s; allocation alone
  < 100 ms (processor time of the process, as above; wall-clock times printed beside);
- XLSX export of all files with scores within 2× of the floor measured in the same run
  (openpyxl write-only writing the same rows from an in-memory list), Python memory growth
  (``tracemalloc`` peak) < 150 MB; CSV export < 3 s; ODS export reported.

Run: ``make bench`` or ``.venv/bin/python bench/bench_reviews.py [--files N] [--memory]
[--engine sqlite] [--engine postgresql]``. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviews.allocation import AllocationParameters, Candidate, simulate  # noqa: E402
from reviews.numbers import format_euros  # noqa: E402
from reviews.ranking import RankingInput, rank_files  # noqa: E402
from reviews.scoring import (  # noqa: E402
    CriterionSpec,
    EvaluationInput,
    GridSpec,
    compute_statistics,
)

REGIONS = [
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Hauts-de-France",
    "Île-de-France",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d’Azur",
    "Guadeloupe",
    "Martinique",
    "Guyane",
    "La Réunion",
    "Mayotte",
]
OPINIONS = ["favourable", "reserved", "unfavourable", None]

GRID = GridSpec(  # the default grid of calls.models.DEFAULT_CRITERIA, one eliminatory criterion
    criteria=(
        CriterionSpec("animation", "Animation territoriale et gouvernance", Decimal(20)),
        CriterionSpec("cooperation", "Coopération et mutualisation", Decimal(20), Decimal(1)),
        CriterionSpec("impact", "Impact économique, social et écologique", Decimal(20)),
        CriterionSpec("innovation", "Innovation sociale ou technologique", Decimal(15)),
        CriterionSpec("viability", "Viabilité économique et cofinancements", Decimal(15)),
        CriterionSpec("priority", "Ancrage dans les territoires prioritaires", Decimal(10)),
    ),
    scale_min=0,
    scale_max=5,
    disagreement_threshold=Decimal("1.00"),
)


def generate(files: int, seed: int = 2026):
    generator = random.Random(seed)
    reviewers_per_region = 12
    leniency = {
        (region, index): generator.choice((-1, 0, 0, 0, 1))
        for region in REGIONS
        for index in range(reviewers_per_region)
    }
    evaluations = []
    meta = {}
    start = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    for number in range(1, files + 1):
        reference = f"PTCE-2026-{number:05d}"
        region = generator.choice(REGIONS)
        quality = generator.randint(1, 5)
        for index in generator.sample(range(reviewers_per_region), 3):
            bias = leniency[(region, index)]
            scores = {
                criterion.code: min(5, max(0, quality + bias + generator.randint(-1, 1)))
                for criterion in GRID.criteria
            }
            evaluations.append(EvaluationInput(reference, f"{region}/{index}", scores))
        meta[reference] = {
            "region": region,
            "requested": Decimal(generator.randint(20, 95) * 1000),
            "submitted_at": start + datetime.timedelta(minutes=generator.randint(0, 60 * 24 * 60)),
            "opinion": generator.choice(OPINIONS),
            "priority": {"rural"} if generator.random() < 0.3 else set(),
        }
    return evaluations, meta


class Timing:
    def __init__(self, cpu: list[float], wall: list[float]):
        self.cpu = statistics.median(cpu)
        self.wall = statistics.median(wall)
        self.best_wall = min(wall)

    def __str__(self):
        return (
            f"{self.cpu * 1000:8.1f} ms processeur (mur : médiane {self.wall * 1000:.1f} ms, "
            f"meilleur {self.best_wall * 1000:.1f} ms)"
        )


def timed(function, repeat):
    cpu, wall = [], []
    result = None
    for _ in range(repeat):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        result = function()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    return Timing(cpu, wall), result


def memory_part(arguments) -> int:

    evaluations, meta = generate(arguments.files)
    print(f"{arguments.files} dossiers, {len(evaluations)} évaluations, grille de 6 critères")

    raw_time, raw = timed(lambda: compute_statistics(GRID, evaluations), 3)
    norm_time, normalised = timed(lambda: compute_statistics(GRID, evaluations, normalise=True), 3)
    entries = [
        RankingInput.from_statistics(
            normalised[reference],
            submitted_at=meta[reference]["submitted_at"],
            opinion=meta[reference]["opinion"],
        )
        for reference in normalised
    ]
    rank_time, ranked = timed(lambda: rank_files(entries, normalised=True), arguments.repeat)
    candidates = [
        Candidate(
            reference=item.reference,
            region=meta[item.reference]["region"],
            requested_amount=meta[item.reference]["requested"],
            score=item.score,
            eliminated=item.eliminated,
            priority_territories=meta[item.reference]["priority"],
            national_rank=item.rank,
        )
        for item in ranked
    ]
    scenarios = {
        "AMI 2025 (500 000 €, 30–80 k€, bonus 0,3, liste d’attente 10)": AllocationParameters(
            envelope=Decimal(500_000),
            min_award=Decimal(30_000),
            max_award=Decimal(80_000),
            priority_bonus=Decimal("0.3"),
            waiting_list_size=10,
        ),
        "grande enveloppe (300 M€, plafond régional 20 M€, ~5 000 lauréats)": (
            AllocationParameters(
                envelope=Decimal(300_000_000),
                min_award=Decimal(30_000),
                max_award=Decimal(80_000),
                region_cap_amount=Decimal(20_000_000),
                priority_bonus=Decimal("0.3"),
                waiting_list_size=10,
            )
        ),
    }
    allocation_times = {}
    for label, parameters in scenarios.items():
        allocation_times[label] = timed(
            lambda p=parameters: simulate(p, candidates), arguments.repeat
        )

    disagreements = sum(1 for item in raw.values() if item.disagreement)
    eliminated = sum(1 for item in raw.values() if item.eliminated)
    print(f"  dossiers en désaccord : {disagreements}, éliminés : {eliminated}")
    print(f"statistiques (brutes)          : {raw_time}")
    print(f"statistiques + normalisation   : {norm_time}")
    print(f"classement national            : {rank_time}")
    failures = []
    for label, (timing, result) in allocation_times.items():
        print(
            f"allocation, {label} : {len(result.funded)} retenus, "
            f"{len(result.waiting_list)} en attente, reste {format_euros(result.remaining)}"
        )
        print(f"  allocation seule             : {timing} (cible < 100 ms)")
        duration = timing.cpu
        total = rank_time.cpu + duration
        total_wall = rank_time.wall + timing.wall
        print(
            f"  classement + allocation      : {total * 1000:8.1f} ms processeur "
            f"(mur : {total_wall * 1000:.1f} ms) (cible < 1 000 ms)"
        )
        if duration >= 0.1:
            failures.append(f"allocation {duration * 1000:.1f} ms ≥ 100 ms ({label})")
        if total >= 1:
            failures.append(f"classement + allocation {total * 1000:.1f} ms ≥ 1 s ({label})")
    if failures:
        print("CIBLES MANQUÉES : " + " ; ".join(failures))
        return 1
    print("cibles tenues : allocation < 100 ms, classement + allocation < 1 s")
    return 0


from _reviews_db import database_part  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", action="store_true", help="only the in-memory part")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        return database_part(arguments)
    status = 0
    if arguments.memory or not arguments.engine:
        print("== calculs en mémoire")
        status |= memory_part(arguments)
    if not arguments.memory:
        status |= database_part(arguments)
    return status


if __name__ == "__main__":
    sys.exit(main())
