import io

import pytest

from accounts import demo as accounts_demo
from applications import demo as applications_demo
from applications.factories import CallFactory
from reviews.models import ReviewSummary
from territories import demo
from territories.models import Qpv, ReferenceFile
from territories.reference import import_qpv
from territories.services import summarise_territory

pytestmark = pytest.mark.django_db


def plain(text):
    return text.replace("\u00a0", " ")


def test_demo_loads_the_labelled_samples_idempotently_and_shows_real_counts():
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    text = out.getvalue()
    loaded = "échantillon illustratif, non officiel chargé pour la démonstration"
    assert f"{loaded} (29 communes)" in text
    assert f"{loaded} (8 QPV)" in text
    assert text.count("à remplacer par le fichier officiel en production") == 4
    assert Qpv.objects.count() == 8
    assert list(Qpv.objects.get(code="QN06901M").communes.values_list("code", flat=True)) == [
        "69123"
    ]
    lyonnais = summarise_territory(applications_demo.LYONNAIS["communes"])
    assert plain(lyonnais.priority.text) == "9 communes rurales sur 9 ; 0 commune avec un QPV"
    picardie = summarise_territory(applications_demo.PICARDIE["communes"])
    assert plain(picardie.priority.text) == "0 commune rurale sur 6 ; 2 communes avec un QPV"


def test_demo_files_get_their_priority_flags():
    accounts_demo.load(io.StringIO())
    CallFactory(title="AMI démo")
    demo.load(io.StringIO())
    applications_demo.load(io.StringIO())
    rural = ReviewSummary.objects.filter(is_rural=True)
    assert (
        rural.exists()
        and rural.count()
        == ReviewSummary.objects.filter(
            application__lead_name__contains="Monts du Lyonnais"
        ).count()
    )
    assert ReviewSummary.objects.filter(is_qpv=True, rural_count=0).exists()


def test_demo_never_replaces_an_official_file(tmp_path):
    path = tmp_path / "liste_qpv_2024.csv"
    path.write_text("code_qp;lib_qp;insee_com\nQN08001M;Amiens Nord;80021\n", encoding="utf-8")
    import_qpv(path)
    out = io.StringIO()
    demo.load(out)
    assert "« liste_qpv_2024.csv » déjà chargé" in out.getvalue()
    assert ReferenceFile.objects.get(kind="qpv").file_name == "liste_qpv_2024.csv"
    assert Qpv.objects.count() == 1
