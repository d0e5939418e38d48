import gzip
import json

import pytest
from django.core.management import CommandError, call_command

from territories.importer import DEFAULT_SNAPSHOT, import_snapshot
from territories.models import Commune, CommuneType, Department, Epci, Region

pytestmark = pytest.mark.django_db


def test_full_snapshot_is_loaded_with_every_entry():
    assert Region.objects.count() == 26
    assert Region.objects.filter(zone="com").count() == 8
    assert Department.objects.count() == 109
    assert Epci.objects.count() == 1255
    assert Commune.objects.count() == 37590
    counts = {kind: Commune.objects.filter(type=kind).count() for kind in CommuneType.values}
    assert counts == {
        "commune-actuelle": 34969,
        "commune-deleguee": 2105,
        "commune-associee": 471,
        "arrondissement-municipal": 45,
    }


def test_entries_keep_official_links():
    lyon_district = Commune.objects.get(code="69381", type=CommuneType.MUNICIPAL_DISTRICT)
    assert lyon_district.parent.code == "69123"
    assert lyon_district.parent.name == "Lyon"
    bourg = Commune.objects.get(code="01053", type=CommuneType.CURRENT)
    assert bourg.department_id == "01"
    assert bourg.region_id == "84"
    assert bourg.epci.name == "CA du Bassin de Bourg-en-Bresse"
    assert "01000" in bourg.postal_codes
    assert Region.objects.get(code="06").name == "Mayotte"
    assert Region.objects.get(code="06").is_overseas


def test_second_import_changes_nothing_and_says_so():
    report = import_snapshot()
    assert not report.changed
    assert report.tables["communes"].unchanged == 37590
    out = []
    call_command("import_cog", stdout=type("W", (), {"write": lambda self, s: out.append(s)})())
    assert "rien à changer" in "".join(out)


def _write_snapshot(path, data):
    with gzip.open(path, "wb") as handle:
        handle.write(json.dumps(data).encode())


def test_entries_missing_from_a_new_snapshot_are_flagged_not_deleted(tmp_path):
    with gzip.open(DEFAULT_SNAPSHOT) as handle:
        data = json.loads(handle.read())
    data["communes"] = [row for row in data["communes"] if row[0] != "01001"]
    _write_snapshot(tmp_path / "cog.json.gz", data)
    report = import_snapshot(tmp_path / "cog.json.gz")
    assert report.tables["communes"].retired == 1
    commune = Commune.objects.get(code="01001", type=CommuneType.CURRENT)
    assert commune.retired
    assert Commune.objects.count() == 37590


@pytest.mark.parametrize(
    "content",
    [b"not gzip at all", gzip.compress(b'{"regions": [[')[:-8], gzip.compress(b"[1, 2]")],
    ids=["not-an-archive", "truncated", "wrong-shape"],
)
def test_corrupted_file_fails_clearly_and_changes_nothing(tmp_path, content):
    path = tmp_path / "broken.json.gz"
    path.write_bytes(content)
    Commune.objects.filter(code="01001").update(name="Nom modifié")
    with pytest.raises(CommandError, match="Import annulé, base inchangée"):
        call_command("import_cog", file=path)
    assert Commune.objects.get(code="01001", type=CommuneType.CURRENT).name == "Nom modifié"
    assert Commune.objects.count() == 37590


def test_a_bad_row_late_in_the_file_rolls_back_everything(tmp_path):
    with gzip.open(DEFAULT_SNAPSHOT) as handle:
        data = json.loads(handle.read())
    data["regions"][0][1] = "Guadeloupe renommée"
    data["communes"][-1] = ["97501", "inconnu", "X", "com", "975", "975", "", None, [], ""]
    _write_snapshot(tmp_path / "cog.json.gz", data)
    with pytest.raises(CommandError, match="type ou zone inconnu"):
        call_command("import_cog", file=tmp_path / "cog.json.gz")
    assert Region.objects.get(code="01").name == "Guadeloupe"
