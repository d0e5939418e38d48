"""Existing PTCE whose territory overlaps a declared territory (SPEC §4, territory step; issue 17).

``overlapping_ptces(commune_codes, epci_codes)`` → the PTCE whose communes, or the communes of
whose EPCI, intersect the current communes of the declared communes and EPCI, with the number of
shared communes, most shared first. **One SQL query** on indexed columns (commune code, commune
EPCI, the two M2M tables' ``commune_id``/``epci_id``): a 300-commune territory among 10 000 PTCE
stays well under 50 ms (``bench/bench_overlap.py``).

Shown by ``templates/laureates/_overlap.html`` on the candidate's territory step and, for
staff, on the file page (``{% include "laureates/_overlap.html" with overlaps=… %}``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.urls import reverse

from laureates.models import Ptce
from territories.models import Commune, CommuneType

MAX_CODES = 2000


@dataclass(frozen=True)
class Overlap:
    pk: int
    name: str
    slug: str
    status: str
    shared_communes: int

    @property
    def url(self) -> str:
        return reverse("directory:detail", args=[self.slug])


def overlapping_ptces(commune_codes=(), epci_codes=(), *, exclude_pk=None, limit=20):
    commune_codes = [str(code) for code in list(commune_codes)[:MAX_CODES]]
    epci_codes = [str(code) for code in list(epci_codes)[:MAX_CODES]]
    if not commune_codes and not epci_codes:
        return []
    commune = Commune._meta.db_table
    ptce = Ptce._meta.db_table
    ptce_communes = Ptce.communes.through._meta.db_table
    ptce_epcis = Ptce.epcis.through._meta.db_table
    marks = lambda values: ", ".join(["%s"] * len(values)) or "NULL"  # noqa: E731
    # Declared territory: current communes by code, and those of the declared EPCI.
    territory = (
        f'SELECT id FROM "{commune}" WHERE type = %s AND retired = %s AND code IN '  # noqa: S608
        f"({marks(commune_codes)}) "
        f'UNION SELECT id FROM "{commune}" WHERE type = %s AND retired = %s AND epci_id IN '
        f"({marks(epci_codes)})"
    )
    params = [CommuneType.CURRENT, False, *commune_codes, CommuneType.CURRENT, False, *epci_codes]
    # Internal table names only; every value is a parameter.
    sql = (
        f"WITH territory(id) AS ({territory}), "  # noqa: S608
        "shared(ptce_id, commune_id) AS ("
        f'  SELECT pc.ptce_id, pc.commune_id FROM "{ptce_communes}" pc '
        "  WHERE pc.commune_id IN (SELECT id FROM territory) "
        f'  UNION SELECT pe.ptce_id, c.id FROM "{ptce_epcis}" pe '
        f'  JOIN "{commune}" c ON c.epci_id = pe.epci_id '
        "  WHERE c.id IN (SELECT id FROM territory)) "
        f'SELECT p.id, p.name, p.slug, p.status, COUNT(*) FROM shared s JOIN "{ptce}" p '
        "ON p.id = s.ptce_id "
        + ("WHERE p.id <> %s " if exclude_pk else "")
        + "GROUP BY p.id, p.name, p.slug, p.status ORDER BY COUNT(*) DESC, p.name, p.id LIMIT %s"
    )
    if exclude_pk:
        params.append(exclude_pk)
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Overlap(*row) for row in cursor.fetchall()]


def overlaps_of_application(application, *, limit=20):
    """Overlaps of a file's declared territory (two small reads of its codes, then one query)."""
    return overlapping_ptces(
        application.communes.values_list("code", flat=True),
        application.epcis.values_list("code", flat=True),
        limit=limit,
    )
