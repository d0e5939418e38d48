import re

import pytest

from directory.maps import build_map, colour_classes, shapes
from laureates.factories import PtceFactory
from laureates.services import set_ptce_territory
from territories.models import Department

pytestmark = pytest.mark.django_db


def test_map_data_is_keyed_by_insee_codes_of_metropolitan_departments():
    codes = set(shapes()["departments"])
    metropolitan = set(
        Department.objects.filter(zone="metro", retired=False).values_list("code", flat=True)
    )
    assert codes == metropolitan
    assert {"2A", "2B", "75", "69"} <= codes


def test_colour_classes_cover_every_count():
    assert colour_classes(0) == []
    assert [(low, high) for low, high, _ in colour_classes(3)] == [(1, 1), (2, 2), (3, 3)]
    assert [(low, high) for low, high, _ in colour_classes(23)] == [
        (1, 5),
        (6, 10),
        (11, 15),
        (16, 20),
        (21, 23),
    ]


@pytest.fixture
def poles():
    for code in ["69123", "42218", "29019", "97209"]:  # Lyon, Saint-Étienne, Brest, Fort-de-France
        set_ptce_territory(PtceFactory(), commune_codes=[code])


def test_region_map_links_every_area_to_the_filtered_directory(client, poles):
    response = client.get("/annuaire/carte/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/annuaire/?region=84" aria-label="Auvergne-Rhône-Alpes : 2 PTCE"' in content
    assert "<title>Bretagne : 1 PTCE</title>" in content
    assert 'aria-label="Martinique : 1 PTCE"' in content  # overseas tile
    for name in ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]:
        assert f">{name}</text>" in content
    # Table fallback with the same counts.
    assert '<a href="/annuaire/?region=84">Auvergne-Rhône-Alpes</a></td><td>2</td>' in content
    assert '<th scope="row">Total</th><td>4</td>' in content


def test_department_map_and_legend(client, poles):
    content = client.get("/annuaire/carte/?niveau=departements").content.decode()
    assert 'href="/annuaire/?department=69" aria-label="Rhône : 1 PTCE"' in content
    assert 'href="/annuaire/?department=972" aria-label="Martinique : 1 PTCE"' in content
    assert "Aucun PTCE" in content and "1 PTCE</li>" in content
    assert len(build_map("departements")["areas"]) == 96


def test_map_uses_no_external_resource(client, poles):
    content = client.get("/annuaire/carte/").content.decode()
    svg = content[content.index("<svg") : content.index("</svg>")]
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", svg)
    assert "<script" not in svg
    assert not re.search(r'="\d+,\d+"', svg)  # no localised numbers in SVG attributes
