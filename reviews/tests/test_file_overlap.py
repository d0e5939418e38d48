"""The staff file page lists the directory's PTCE overlapping the declared territory (SPEC §4,
issue 17 item 5): name, shared communes, link to the directory page; one query; only for staff
who may see the file."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from laureates.factories import PtceFactory
from laureates.models import Award
from laureates.services import set_ptce_territory
from reviews.factories import reviewers, submitted_file
from reviews.models import Assignment, ConflictOfInterest, ConflictSource
from territories.models import Commune

pytestmark = pytest.mark.django_db

# Saint-Symphorien-sur-Coise and Lyon (Rhône, région 84).
TERRITORY = ["69238", "69123"]


@pytest.fixture
def application():
    return submitted_file(communes=TERRITORY)


@pytest.fixture
def poles():
    """A pole on the same commune, one on the whole EPCI of Saint-Symphorien, one far away."""
    epci = Commune.objects.current().get(code="69238").epci_id
    village = PtceFactory(name="Pôle des Monts du Lyonnais")
    set_ptce_territory(village, commune_codes=["69238"])
    valley = PtceFactory(name="Pôle de la communauté de communes")
    set_ptce_territory(valley, epci_codes=[epci])
    far = PtceFactory(name="Pôle breton")
    set_ptce_territory(far, commune_codes=["29019"])
    return village, valley, far


def _page(client, application):
    return client.get(f"/instruction/dossiers/{application.uuid}/")


def _section(content: str) -> str:
    return content.split('id="overlap-title"', 1)[1].split("</section>", 1)[0]


def test_staff_file_page_lists_overlapping_ptce_with_shared_communes(client, application, poles):
    village, valley, _ = poles
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    response = _page(client, application)
    assert response.status_code == 200
    section = _section(response.content.decode())
    assert "2 PTCE de l’annuaire couvrent une partie de ce territoire" in section
    items = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> — (\d+) communes? en commun', section)
    # Both share Saint-Symphorien-sur-Coise only (Lyon is in neither); then by name.
    assert items == [
        (f"/annuaire/{valley.slug}/", "Pôle de la communauté de communes", "1"),
        (f"/annuaire/{village.slug}/", "Pôle des Monts du Lyonnais", "1"),
    ]
    assert "Pôle breton" not in response.content.decode()
    assert "Territoire déclaré : 2 communes" in response.content.decode()


def test_declared_epci_counts_its_communes(client, application, poles):
    village, valley, _ = poles
    epci = Commune.objects.current().get(code="69238").epci_id
    size = Commune.objects.current().filter(epci_id=epci).count()
    application.communes.clear()
    application.epcis.set([epci])
    login_staff(client, UserFactory(cell_lead=True))
    content = _page(client, application).content.decode()
    section = _section(content)
    assert f"Pôle de la communauté de communes</a> — {size} communes en commun" in section
    assert "Pôle des Monts du Lyonnais</a> — 1 commune en commun" in section
    assert f"Territoire déclaré : {size} communes" in content


def test_overlap_is_one_query_whatever_the_number_of_poles(client, application, poles):
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    _page(client, application)  # warm caches (session, sites…)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert _page(client, application).status_code == 200
        sql = [query["sql"] for query in context.captured_queries]
        overlap = [q for q in sql if "laureates_ptce_communes" in q]
        return len(sql), overlap

    total, overlap = queries()
    assert len(overlap) == 1
    assert overlap[0].startswith("WITH territory(id) AS")
    for index in range(5):
        more = PtceFactory(name=f"Pôle lyonnais {index}")
        set_ptce_territory(more, commune_codes=["69123"])
    total_after, overlap = queries()
    assert len(overlap) == 1
    assert total_after == total
    assert "7 PTCE de l’annuaire couvrent" in _section(_page(client, application).content.decode())


def test_the_pole_of_this_very_file_is_left_out(client, application, poles):
    village, valley, _ = poles
    Award.objects.create(
        application=application,
        ptce=village,
        call=application.call,
        phase="emergence",
        decided_at=timezone.now(),
    )
    login_staff(client, UserFactory(cell_lead=True))
    section = _section(_page(client, application).content.decode())
    assert "1 PTCE de l’annuaire couvre une partie de ce territoire" in section
    assert "Pôle des Monts du Lyonnais" not in section


def test_file_without_territory(client, application, poles):
    application.communes.clear()
    application.epcis.clear()
    login_staff(client, UserFactory(cell_lead=True))
    section = _section(_page(client, application).content.decode())
    assert "Le dossier ne déclare aucun territoire." in section


def test_other_region_and_conflicted_reviewers_see_nothing(client, application, poles):
    other = reviewers(region_id="53", count=1)[0]
    login_staff(client, other)
    assert _page(client, application).status_code == 404
    conflicted = reviewers(count=1)[0]
    ConflictOfInterest.objects.create(
        application=application,
        reviewer=conflicted,
        source=ConflictSource.DECLARED,
        reason="Salariée d’un membre",
    )
    client.logout()
    login_staff(client, conflicted)
    response = _page(client, application)
    assert response.status_code == 404
    assert "Pôle des Monts du Lyonnais" not in response.content.decode()
