"""``manage.py check_eligibility``: output and exit codes 0 / 1 / 2."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calls.factories import CallFactory, RequiredAttachmentFactory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "eligibility-file.json"


def run(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "check_eligibility", *args],
        cwd=ROOT,
        env={**os.environ, "PTCE_TESTING": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path, data, name="dossier.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_exit_code_0_for_an_eligible_file():
    completed = run(str(EXAMPLE))
    assert completed.returncode == 0
    lines = completed.stdout.splitlines()
    assert len(lines) == 14
    assert lines[0] == (
        "✔ Structure porteuse : personne morale de droit privé — La structure porteuse est une "
        "personne morale de droit privé."
    )
    assert lines[-1] == "Dossier éligible."


def test_exit_code_1_for_an_ineligible_file(tmp_path):
    data = example()
    data["project"]["innovation"] = "   "
    data["phases"] = ["emergence"]
    completed = run(str(write(tmp_path, data)))
    assert completed.returncode == 1
    assert (
        "✘ Un projet innovant décrit — La partie « Innovation sociale ou technologique » du "
        "projet est vide." in completed.stdout
    )
    assert "– Budget prévisionnel équilibré — Pas de demande de financement" in completed.stdout
    assert completed.stdout.splitlines()[-1] == "Dossier non éligible : 1 règle(s) non remplie(s)."


def test_exit_code_2_for_invalid_json(tmp_path):
    completed = run(str(write(tmp_path, '{"phases": [')))
    assert completed.returncode == 2
    assert "n’est pas un JSON valide (ligne 1)" in completed.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[1, 2]", "Description mal formée. La description du dossier doit être un objet JSON"),
        ('{"phases": ["emergence"], "lead": "x"}', "Champ « lead » : un objet JSON"),
        ('{"phases": [], "lead": {}}', "Champ « phases » : au moins une phase est attendue"),
    ],
)
def test_malformed_description_is_returncode_2(tmp_path, content, expected):
    with pytest.raises(CommandError) as caught:
        call_command("check_eligibility", str(write(tmp_path, content)))
    assert caught.value.returncode == 2
    assert expected in str(caught.value)


def test_missing_file_is_returncode_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("check_eligibility", str(tmp_path / "absent.json"))
    assert caught.value.returncode == 2
    assert "Lecture impossible" in str(caught.value)


def test_json_output_from_standard_input():
    completed = subprocess.run(
        [sys.executable, "manage.py", "check_eligibility", "-", "--json"],
        cwd=ROOT,
        env={**os.environ, "PTCE_TESTING": "1"},
        input=EXAMPLE.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0
    result = json.loads(completed.stdout)
    assert result["eligible"] is True
    assert len(result["verdicts"]) == 13


@pytest.mark.django_db
def test_call_option_applies_the_rules_of_that_call(tmp_path):
    call = CallFactory(slug="ami-test", min_award=30000, max_award=60000)
    RequiredAttachmentFactory(call=call, kind="activity_report", label="Dernier rapport d’activité")
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("check_eligibility", str(EXAMPLE), "--call", "ami-test", stdout=out)
    assert exited.value.code == 1
    output = out.getvalue()
    assert "dépasse le maximum de l’appel (60\u00a0000\u00a0€)" in output
    assert "Pièce(s) obligatoire(s) manquante(s) : « Dernier rapport d’activité »" in output


@pytest.mark.django_db
def test_unknown_call_is_exit_code_2():
    with pytest.raises(CommandError) as caught:
        call_command("check_eligibility", str(EXAMPLE), "--call", "inconnu")
    assert caught.value.returncode == 2
    assert str(caught.value) == "Appel « inconnu » introuvable."
