#!/usr/bin/env python3
"""Check that every pin of requirements.lock installs from wheels on CPython 3.11, 3.12 and 3.13
(Linux x86_64), so that a newcomer on a current Debian or Ubuntu installs without a compiler.

    .venv/bin/python scripts/check_wheels.py            # make check-wheels
    .venv/bin/python scripts/check_wheels.py --python 3.13 --cache /tmp/wheels

For each Python version, the pins without a compatible wheel in the cache folder are asked of the
package index with `pip download --only-binary=:all: --no-deps --python-version 3.1x
--implementation cp --platform manylinux…`, in one call (then one call per pin when it fails, to
name every missing one). Pure-Python wheels (`py3-none-any`) count. The cache folder
(`~/.cache/ptce/wheels`, or `PTCE_WHEEL_CACHE`; outside the checkout so that CI's fresh clones
share it) keeps what was downloaded: a second run only reads file names.
Exit code 1 and a French report when a pin has no wheel, unless it is listed in
SDIST_ONLY_ALLOWED with its reason.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(
    os.environ.get("PTCE_WHEEL_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ptce" / "wheels"
)
PYTHONS = ("3.11", "3.12", "3.13")
# Linux x86_64 servers and workstations: glibc 2.28 (Debian 10+, RHEL 8+) and the older
# manylinux tags it accepts.
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)] + [
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
]
PIP_PLATFORMS = ["manylinux_2_28_x86_64", "manylinux2014_x86_64"]  # pip expands the older ones
# Pins published as source only, accepted because they are pure Python (no compiler needed):
# name → reason. Keep it empty unless there is no wheel at all for the pinned version.
SDIST_ONLY_ALLOWED: dict[str, str] = {}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)")


def read_pins(lock: Path) -> list[tuple[str, str]]:
    pins = []
    for line in lock.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins.append((match.group(1), match.group(2)))
    return pins


def supported_tags(python: str) -> set:
    version = tuple(int(part) for part in python.split("."))
    interpreter = f"cp{version[0]}{version[1]}"
    return set(cpython_tags(version, platforms=PLATFORMS)) | set(
        compatible_tags(version, interpreter=interpreter, platforms=PLATFORMS)
    )


def cached_wheels(folder: Path) -> dict[tuple[str, Version], list[frozenset]]:
    wheels: dict[tuple[str, Version], list[frozenset]] = {}
    for path in folder.glob("*.whl"):
        try:
            name, version, _build, tags = parse_wheel_filename(path.name)
        except ValueError:
            continue
        wheels.setdefault((name, version), []).append(tags)
    return wheels


def has_wheel(wheels, name: str, version: str, tags: set) -> bool:
    key = (canonicalize_name(name), Version(version))
    return any(wheel_tags & tags for wheel_tags in wheels.get(key, []))


def pip_download(requirements: list[str], python: str, dest: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--no-deps",
        "--python-version",
        python,
        "--implementation",
        "cp",
        *[argument for platform in PIP_PLATFORMS for argument in ("--platform", platform)],
        "--dest",
        str(dest),
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(requirements) + "\n")
    try:
        return subprocess.run(
            [*command, "-r", listing.name],
            capture_output=True,
            text=True,
            env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"},
            check=False,
        )
    finally:
        os.unlink(listing.name)


def last_error(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    return lines[-1] if lines else (result.stderr.strip().splitlines() or ["?"])[-1]


def check_python(python: str, pins, cache: Path, jobs: int) -> dict[str, str]:
    """Return {"name==version": pip's reason} for the pins without a wheel for ``python``."""
    dest = cache / f"cp{python.replace('.', '')}"
    dest.mkdir(parents=True, exist_ok=True)
    tags = supported_tags(python)
    pending = [pin for pin in pins if not has_wheel(cached_wheels(dest), *pin, tags)]
    if not pending:
        return {}
    if pip_download([f"{n}=={v}" for n, v in pending], python, dest).returncode == 0:
        pending = [pin for pin in pending if not has_wheel(cached_wheels(dest), *pin, tags)]
        if not pending:
            return {}

    def one(pin):
        result = pip_download([f"{pin[0]}=={pin[1]}"], python, dest)
        found = has_wheel(cached_wheels(dest), *pin, tags)
        return pin, None if found else last_error(result)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, pending))
    return {f"{name}=={version}": error for (name, version), error in results if error}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--python", action="append", choices=PYTHONS, help="défaut : toutes")
    parser.add_argument("--jobs", type=int, default=4)
    arguments = parser.parse_args(argv)
    pins = read_pins(arguments.lock)
    if not pins:
        print(f"Aucune version épinglée dans {arguments.lock}.", file=sys.stderr)
        return 1
    failures = 0
    for python in arguments.python or PYTHONS:
        missing = check_python(python, pins, arguments.cache, arguments.jobs)
        accepted = {
            pin: SDIST_ONLY_ALLOWED[pin.split("==")[0]]
            for pin in missing
            if pin.split("==")[0] in SDIST_ONLY_ALLOWED
        }
        refused = {pin: error for pin, error in missing.items() if pin not in accepted}
        for pin, reason in sorted(accepted.items()):
            print(f"Python {python} : {pin} sans roue, accepté ({reason}).")
        if refused:
            failures += len(refused)
            print(f"Python {python} : {len(refused)} dépendance(s) sans roue (wheel) :")
            for pin, error in sorted(refused.items(), key=lambda item: item[0].lower()):
                print(f"  - {pin} ({error})")
        else:
            print(f"Python {python} : les {len(pins)} dépendances ont une roue (wheel).")
    if failures:
        print(
            "Choisissez pour chacune la version la plus proche qui publie des roues pour "
            "Python 3.11, 3.12 et 3.13, dans pyproject.toml et requirements.lock.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
