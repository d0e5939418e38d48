"""Existing PTCE whose territory overlaps a declared territory (SPEC §4, territory step; issue 17).

``overlapping_ptces(commune_codes, epci_codes)`` → the PTCE whose communes, or the communes of
whose EPCI, intersect the current communes of the declared communes and EPCI, with the number of
shared communes, most shared first. **One SQL query** on indexed columns (commune code, commune
EPCI, the two M2M tables' ``commune_id``/``epci_id``): a 300-commune territory among 10 000 PTCE
stays well under 50 ms (``bench/bench_overlap.py``).

``overlaps_of_application(application)`` does the same from a file's own territory tables, in
one query too, with the size of the declared territory.

Shown by ``templates/laureates/_overlap.html`` on the candidate's territory step and, for
staff, on the file page (``reviews.views.file_detail``, which only staff who may see the file
reach: région scoping and conflicts of interest apply before this is read).
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


def _tables():
    return {
        "commune": Commune._meta.db_table,
        "ptce": Ptce._meta.db_table,
        "ptce_communes": Ptce.communes.through._meta.db_table,
        "ptce_epcis": Ptce.epcis.through._meta.db_table,
    }


def _overlap_sql(territory: str, *, exclude: str = "") -> str:
    """``WITH territory(id) AS (<territory>)``, the PTCE sharing its communes (directly, or
    through one of their EPCI) as ``found``. Internal table names only; values are parameters
    (the territory's, then those of ``exclude``, then the limit)."""
    t = _tables()
    return (
        f"WITH territory(id) AS ({territory}), "  # noqa: S608
        "shared(ptce_id, commune_id) AS ("
        f'  SELECT pc.ptce_id, pc.commune_id FROM "{t["ptce_communes"]}" pc '
        "  WHERE pc.commune_id IN (SELECT id FROM territory) "
        f'  UNION SELECT pe.ptce_id, c.id FROM "{t["ptce_epcis"]}" pe '
        f'  JOIN "{t["commune"]}" c ON c.epci_id = pe.epci_id '
        "  WHERE c.id IN (SELECT id FROM territory)), "
        "found(id, name, slug, status, shared_communes) AS ("
        f'  SELECT p.id, p.name, p.slug, p.status, COUNT(*) FROM shared s JOIN "{t["ptce"]}" p '
        "  ON p.id = s.ptce_id "
        + (f"  WHERE {exclude} " if exclude else "")
        + "  GROUP BY p.id, p.name, p.slug, p.status "
        "  ORDER BY COUNT(*) DESC, p.name, p.id LIMIT %s) "
    )


def overlapping_ptces(commune_codes=(), epci_codes=(), *, exclude_pk=None, limit=20):
    commune_codes = [str(code) for code in list(commune_codes)[:MAX_CODES]]
    epci_codes = [str(code) for code in list(epci_codes)[:MAX_CODES]]
    if not commune_codes and not epci_codes:
        return []
    commune = _tables()["commune"]
    marks = lambda values: ", ".join(["%s"] * len(values)) or "NULL"  # noqa: E731
    # Declared territory: current communes by code, and those of the declared EPCI.
    territory = (
        f'SELECT id FROM "{commune}" WHERE type = %s AND retired = %s AND code IN '  # noqa: S608
        f"({marks(commune_codes)}) "
        f'UNION SELECT id FROM "{commune}" WHERE type = %s AND retired = %s AND epci_id IN '
        f"({marks(epci_codes)})"
    )
    params = [CommuneType.CURRENT, False, *commune_codes, CommuneType.CURRENT, False, *epci_codes]
    sql = _overlap_sql(territory, exclude="p.id <> %s" if exclude_pk else "")
    sql += "SELECT id, name, slug, status, shared_communes FROM found "
    sql += "ORDER BY shared_communes DESC, name, id"
    if exclude_pk:
        params.append(exclude_pk)
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Overlap(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class TerritoryOverlaps:
    """The overlaps of a file's declared territory, and the size of that territory (current
    communes, those of its EPCI included): 0 when the file declares no territory."""

    territory_communes: int
    overlaps: list[Overlap]


def overlaps_of_application(application, *, limit=20) -> TerritoryOverlaps:
    """Overlaps of a file's declared territory (its communes and EPCI, read from its own
    tables), in **one query**; the pole that this very file produced (its award) is left out."""
    from applications.models import Application
    from laureates.models import Award

    commune = _tables()["commune"]
    communes = Application.communes.through
    epcis = Application.epcis.through
    territory = (
        f'SELECT c.id FROM "{commune}" c WHERE c.type = %s AND c.retired = %s '  # noqa: S608
        f'AND c.code IN (SELECT d.code FROM "{communes._meta.db_table}" ac '
        f'JOIN "{commune}" d ON d.id = ac.commune_id WHERE ac.application_id = %s) '
        f'UNION SELECT c.id FROM "{commune}" c WHERE c.type = %s AND c.retired = %s '
        f'AND c.epci_id IN (SELECT ae.epci_id FROM "{epcis._meta.db_table}" ae '
        "WHERE ae.application_id = %s)"
    )
    exclude = (
        f'p.id NOT IN (SELECT a.ptce_id FROM "{Award._meta.db_table}" a '  # noqa: S608
        "WHERE a.application_id = %s AND a.ptce_id IS NOT NULL)"
    )
    # Internal table names only; every value is a parameter.
    sql = _overlap_sql(territory, exclude=exclude) + (  # noqa: S608
        "SELECT (SELECT COUNT(*) FROM territory), f.id, f.name, f.slug, f.status, "
        "f.shared_communes FROM (SELECT 1 AS one) o LEFT JOIN found f ON 1 = 1 "
        "ORDER BY f.shared_communes DESC, f.name, f.id"
    )
    pk = application.pk
    params = [CommuneType.CURRENT, False, pk, CommuneType.CURRENT, False, pk, pk, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    size = rows[0][0] if rows else 0
    return TerritoryOverlaps(size, [Overlap(*row[1:]) for row in rows if row[1] is not None])
