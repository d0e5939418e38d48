"""Priority-territory flags of the directory's PTCE (issue 17): ``Ptce.is_rural`` and
``Ptce.has_qpv``, stored so that the directory's « Territoires ruraux » and « QPV » filters are
one indexed condition.

The rule is the one of the allocation bonus, ``territories.priority.PriorityFigures`` (not
restated here): a pole is rural when at least half of the current communes of its territory
(its communes and those of its EPCI, each counted once) are rural in INSEE's density grid, and
has a QPV when at least one of them has a quartier prioritaire (docs/priority-territories.md).
A flag is None while its reference file is not loaded, or for a pole without commune.

Recomputed
- for every pole when a density grid or a QPV list is imported (``import_density``,
  ``import_qpv``: receiver of ``territories.reference.reference_changed``, inside the import's
  transaction, so a failed import leaves the flags as they were);
- for one pole when its territory changes (``laureates.services.recompute_geography``, called by
  ``set_ptce_territory`` and the admin), and for the poles written by the historical import
  (``import_ptce``, ``ImportBatch.flush``).

A handful of queries whatever the number of poles: the (pole, commune) pairs, direct and
through the EPCI, the communes with a QPV, the current flags; only changed rows are written.
"""

from __future__ import annotations

from collections import defaultdict

from territories.priority import PriorityFigures

CHUNK = 500
MAX_LISTED = 2000  # communes listed in the QPV query; beyond, all links are read


def _models(apps=None):
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    return (
        apps.get_model("laureates", "Ptce"),
        apps.get_model("territories", "Commune"),
        apps.get_model("territories", "Qpv"),
        apps.get_model("territories", "ReferenceFile"),
    )


def flags_of(figures: PriorityFigures) -> tuple[bool | None, bool | None]:
    """(is_rural, has_qpv) of a territory's figures: the bonus rule, None when unknown."""
    if not figures.communes:
        return None, None
    rural = figures.is_rural if figures.rural is not None else None
    qpv = figures.has_qpv if figures.qpv is not None else None
    return rural, qpv


def refresh_priority_flags(ptce_ids=None, *, apps=None) -> int:
    """Recompute the flags of the poles ``ptce_ids`` (all poles when None); returns the number
    of poles whose flags changed. ``apps``: the registry of a data migration."""
    Ptce, Commune, Qpv, ReferenceFile = _models(apps)
    if ptce_ids is not None:
        ptce_ids = sorted(set(ptce_ids))
        if not ptce_ids:
            return 0
        chunks = [ptce_ids[i : i + CHUNK] for i in range(0, len(ptce_ids), CHUNK)]
    else:
        chunks = [None]
    kinds = set(ReferenceFile.objects.values_list("kind", flat=True))
    density_loaded, qpv_loaded = "density" in kinds, "qpv" in kinds
    current = {"type": "commune-actuelle", "retired": False}  # CommuneType.CURRENT
    changed = []
    for chunk in chunks:
        territory: dict[int, dict[int, bool | None]] = defaultdict(dict)
        direct = Ptce.communes.through.objects.filter(
            **{f"commune__{key}": value for key, value in current.items()}
        )
        through_epci = Commune.objects.filter(**current, epci__isnull=False)
        if chunk is None:
            through_epci = through_epci.filter(epci__ptces__isnull=False)
        else:
            direct = direct.filter(ptce_id__in=chunk)
            through_epci = through_epci.filter(epci__ptces__in=chunk)
        pairs = [
            *direct.values_list("ptce_id", "commune_id", "commune__is_rural"),
            *through_epci.values_list("epci__ptces", "pk", "is_rural"),
        ]
        for ptce_id, commune_id, rural in pairs:
            territory[ptce_id][commune_id] = rural
        with_qpv: set[int] = set()
        if qpv_loaded:
            links = Qpv.communes.through.objects.order_by()
            touched = {commune for communes in territory.values() for commune in communes}
            if len(touched) <= MAX_LISTED:
                links = links.filter(commune_id__in=sorted(touched))
            with_qpv = set(links.values_list("commune_id", flat=True))
        rows = Ptce.objects.order_by()
        if chunk is not None:
            rows = rows.filter(pk__in=chunk)
        for pk, old_rural, old_qpv in rows.values_list("pk", "is_rural", "has_qpv").iterator():
            communes = territory.get(pk, {})
            figures = PriorityFigures(
                communes=len(communes),
                rural=sum(1 for r in communes.values() if r) if density_loaded else None,
                qpv=sum(1 for c in communes if c in with_qpv) if qpv_loaded else None,
            )
            flags = flags_of(figures)
            if flags != (old_rural, old_qpv):
                changed.append(Ptce(pk=pk, is_rural=flags[0], has_qpv=flags[1]))
    Ptce.objects.bulk_update(changed, ["is_rural", "has_qpv"], batch_size=CHUNK)
    return len(changed)


def on_reference_changed(sender, kind, **kwargs):
    """Receiver of ``territories.reference.reference_changed`` (inside the import's
    transaction): a new density grid or QPV list changes the flags of every pole."""
    refresh_priority_flags()
