#!/usr/bin/env python3
"""Derive the project's compact COG snapshot from @etalab/decoupage-administratif's JSON files.

Usage: python scripts/build_cog_snapshot.py ../shared/data/cog territories/data/cog.json.gz

Keeps every entry (all zones and commune types) with only the fields the platform uses. The
result is committed, so the platform never needs the source package at run time.
"""

import gzip
import json
import sys
from pathlib import Path


def build(source: Path) -> dict:
    package = json.loads((source / "package.json").read_text())
    regions = json.loads((source / "regions.json").read_text())
    departments = json.loads((source / "departements.json").read_text())
    epcis = json.loads((source / "epci.json").read_text())
    communes = json.loads((source / "communes.json").read_text())
    return {
        "source": f"{package['name']} {package['version']}",
        "licence": "MIT, © Etalab ; données du Code officiel géographique (Insee)",
        "regions": [[r["code"], r["nom"], r["zone"], r.get("chefLieu", "")] for r in regions],
        "departments": [
            [d["code"], d["nom"], d["region"], d["zone"], d.get("chefLieu", "")]
            for d in departments
        ],
        "epci": [
            [
                e["code"],
                e["nom"],
                e["type"],
                e.get("modeFinancement", ""),
                e.get("populationTotale", 0),
                [m["code"] for m in e["membres"]],
            ]
            for e in epcis
        ],
        "communes": [
            [
                c["code"],
                c["type"],
                c["nom"],
                c["zone"],
                c.get("departement", ""),
                c.get("region", ""),
                c.get("chefLieu") or c.get("commune") or "",
                c.get("population"),
                c.get("codesPostaux", []),
                c.get("siren", ""),
            ]
            for c in communes
        ],
    }


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    snapshot = build(source)
    payload = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")).encode()
    # mtime=0 makes the archive byte-identical between runs.
    with gzip.GzipFile(target, "wb", mtime=0, compresslevel=9) as handle:
        handle.write(payload)
    counts = {key: len(snapshot[key]) for key in ("regions", "departments", "epci", "communes")}
    print(f"{target}: {counts}")


if __name__ == "__main__":
    main()
