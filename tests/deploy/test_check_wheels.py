"""scripts/check_wheels.py without the network: wheel tags read from the cache folder, the French
report and the exit code; the package index is replaced by a stub."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def check_wheels(monkeypatch):
    spec = importlib.util.spec_from_file_location("check_wheels", ROOT / "scripts/check_wheels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    asked = []

    def no_index(requirements, python, dest):
        asked.append((python, tuple(requirements)))
        return subprocess.CompletedProcess([], 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(module, "pip_download", no_index)
    module.asked = asked
    return module


def _cache(tmp_path, python, *names):
    folder = tmp_path / f"cp{python.replace('.', '')}"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).touch()


def test_pins_are_read_from_the_lock(check_wheels, tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nDjango==5.2.19\npsycopg[binary]==3.3.9\n\nfactory_boy==3.3.3\n")
    assert check_wheels.read_pins(lock) == [
        ("Django", "5.2.19"),
        ("psycopg", "3.3.9"),
        ("factory_boy", "3.3.3"),
    ]


def test_wheel_tags_decide_per_python_version(check_wheels, tmp_path):
    _cache(
        tmp_path,
        "3.12",
        "pure-1.0-py3-none-any.whl",
        "abi-2.0-cp310-abi3-manylinux_2_17_x86_64.whl",
    )
    _cache(tmp_path, "3.12", "old-3.0-cp311-cp311-manylinux_2_17_x86_64.whl")
    _cache(tmp_path, "3.12", "mac-4.0-cp312-cp312-macosx_11_0_arm64.whl")
    wheels = check_wheels.cached_wheels(tmp_path / "cp312")
    tags = check_wheels.supported_tags("3.12")
    assert check_wheels.has_wheel(wheels, "Pure", "1.0", tags)  # py3-none-any counts
    assert check_wheels.has_wheel(wheels, "abi", "2.0", tags)  # stable ABI built for 3.10
    assert not check_wheels.has_wheel(wheels, "pure", "1.1", tags)  # another version
    assert not check_wheels.has_wheel(wheels, "old", "3.0", tags)  # built for 3.11 only
    assert not check_wheels.has_wheel(wheels, "mac", "4.0", tags)  # not for Linux


def test_missing_wheels_are_reported_in_french(check_wheels, tmp_path, capsys):
    lock = tmp_path / "requirements.lock"
    lock.write_text("pure==1.0\nold==3.0\n")
    for python in ("3.11", "3.12", "3.13"):
        _cache(tmp_path / "cache", python, "pure-1.0-py3-none-any.whl")
    _cache(tmp_path / "cache", "3.11", "old-3.0-cp311-cp311-manylinux2014_x86_64.whl")

    status = check_wheels.main(["--lock", str(lock), "--cache", str(tmp_path / "cache")])

    out = capsys.readouterr()
    assert status == 1
    assert "Python 3.11 : les 2 dépendances ont une roue (wheel)." in out.out
    assert "Python 3.12 : 1 dépendance(s) sans roue (wheel) :\n  - old==3.0 (ERROR" in out.out
    assert "Python 3.13 : 1 dépendance(s) sans roue (wheel) :" in out.out
    assert "la version la plus proche" in out.err
    # Only what the cache lacks is asked of the index, once together then one by one.
    assert check_wheels.asked == [
        ("3.12", ("old==3.0",)),
        ("3.12", ("old==3.0",)),
        ("3.13", ("old==3.0",)),
        ("3.13", ("old==3.0",)),
    ]


def test_a_listed_sdist_only_pin_is_accepted_with_its_reason(check_wheels, tmp_path, capsys):
    lock = tmp_path / "requirements.lock"
    lock.write_text("sdistonly==0.1\n")
    check_wheels.SDIST_ONLY_ALLOWED["sdistonly"] = "pur Python, aucune roue publiée"

    status = check_wheels.main(["--lock", str(lock), "--cache", str(tmp_path), "--python", "3.13"])

    assert status == 0
    assert (
        "Python 3.13 : sdistonly==0.1 sans roue, accepté (pur Python, aucune roue publiée)."
        in capsys.readouterr().out
    )
