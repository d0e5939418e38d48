"""Priority-territory figures of a territory: how many of its communes are rural (INSEE density
grid) and how many have a QPV — the one place that counts them and words them, used by the
territory step, the file summary, the staff file page and the allocation bonus.

« non renseigné » only when the reference file is not loaded (``ReferenceFile``); once it is,
a territory without rural commune reads « 0 commune rurale sur 32 ».

A file counts as rural for the priority bonus when at least half of its communes are rural,
and as QPV when at least one of its communes has a QPV (docs/priority-territories.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.formatting import NBSP, format_integer, quantity

NOT_LOADED = "non renseigné"


@dataclass(frozen=True)
class PriorityFigures:
    communes: int
    rural: int | None  # None: the density grid is not loaded
    qpv: int | None  # None: the QPV list is not loaded
    density_unknown: int = 0  # communes absent from the loaded grid
    qpv_names: tuple[str, ...] = ()
    samples: bool = False  # computed from the demo's illustrative samples (territories.demo)

    @property
    def is_rural(self) -> bool:
        return bool(self.rural is not None and self.communes and self.rural * 2 >= self.communes)

    @property
    def has_qpv(self) -> bool:
        return bool(self.qpv)

    @property
    def rural_text(self) -> str:
        """ "12 communes rurales sur 32", "0 commune rurale sur 3", "non renseigné"."""
        if self.rural is None:
            return NOT_LOADED
        text = (
            f"{quantity(self.rural, 'commune rurale', 'communes rurales')} sur "
            f"{format_integer(self.communes)}"
        )
        if self.density_unknown:
            text += f" (densité inconnue pour {quantity(self.density_unknown, 'commune')})"
        return text

    @property
    def qpv_text(self) -> str:
        """ "1 commune avec un QPV", "3 communes avec un QPV", "non renseigné"."""
        if self.qpv is None:
            return NOT_LOADED
        return quantity(self.qpv, "commune avec un QPV", "communes avec un QPV")

    @property
    def text(self) -> str:
        """ "12 communes rurales sur 32 ; 1 commune avec un QPV" (« rural non renseigné »,
        « QPV non renseigné » for a file not loaded)."""
        rural = self.rural_text if self.rural is not None else f"rural {NOT_LOADED}"
        qpv = self.qpv_text if self.qpv is not None else f"QPV {NOT_LOADED}"
        return f"{rural}{NBSP}; {qpv}"


def loaded_files() -> dict[str, str]:
    """Kind → name of the reference file loaded (density grid, QPV list)."""
    from territories.models import ReferenceFile

    return dict(ReferenceFile.objects.values_list("kind", "file_name"))


def loaded_kinds() -> set[str]:
    return set(loaded_files())


def priority_figures(communes) -> PriorityFigures:
    """``communes``: the current communes of a territory (``summarise_territory().communes``,
    each counted once). Two small queries whatever the size of the territory."""
    from territories.demo import is_sample
    from territories.models import Qpv, ReferenceKind

    communes = list(communes)
    loaded = loaded_files()
    kinds = set(loaded)
    rural = unknown = None
    if ReferenceKind.DENSITY in kinds:
        rural = sum(1 for c in communes if c.is_rural)
        unknown = sum(1 for c in communes if c.is_rural is None)
    qpv = None
    names: tuple[str, ...] = ()
    if ReferenceKind.QPV in kinds:
        pks = [c.pk for c in communes]
        links = list(
            Qpv.communes.through.objects.filter(commune_id__in=pks)
            .values_list("commune_id", "qpv__name")
            .order_by("qpv__name")
        )
        qpv = len({commune for commune, _ in links})
        names = tuple(dict.fromkeys(name for _, name in links))
    return PriorityFigures(
        communes=len(communes),
        rural=rural,
        qpv=qpv,
        density_unknown=unknown or 0,
        qpv_names=names,
        samples=any(is_sample(name) for name in loaded.values()),
    )
