import pytest
from django.core.cache import cache
from django.db import connection

from laureates.models import Ptce, PtceLabel, PtceStatus, Theme
from laureates.services import update_search_vectors


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def bulk_ptces(count: int, *, prefix: str = "Pôle de masse") -> list[Ptce]:
    """Many PTCE at once (no per-row service calls): for query-count and pagination tests."""
    regions = [("84", "69"), ("53", "29"), ("04", "974"), ("11", "93")]
    themes = Theme.values
    statuses = PtceStatus.values
    rows = []
    for index in range(count):
        region, department = regions[index % len(regions)]
        theme = themes[index % len(themes)]
        name = f"{prefix} {index:05d}"
        ptce = Ptce(
            name=name,
            slug=f"{prefix.lower().replace(' ', '-').replace('ô', 'o')}-{index:05d}",
            main_region_id=region,
            main_department_id=department,
            themes=[theme],
            themes_key=f"|{theme}|",
            status=statuses[index % len(statuses)],
            search_name=name.lower(),
            search_text=f"{name.lower()} cooperation {theme}",
        )
        rows.append(ptce)
    created = Ptce.objects.bulk_create(rows, batch_size=500)
    PtceLabel.objects.bulk_create(
        [
            PtceLabel(ptce=ptce, title="AMI 2021", year=2021)
            for ptce in Ptce.objects.filter(name__startswith=prefix)
        ],
        batch_size=500,
    )
    if connection.vendor == "postgresql":
        update_search_vectors(Ptce.objects.filter(name__startswith=prefix))
    return created
