"""Demo reference data: small labelled samples of the density grid and of the QPV list
(``territories/data/samples``), so that the demo shows real rural and QPV counts. Never
replaces an official file an operator has loaded."""

from pathlib import Path

from territories.models import ReferenceFile, ReferenceKind
from territories.reference import import_density, import_qpv

SAMPLES = Path(__file__).resolve().parent / "data" / "samples"
DENSITY_SAMPLE = SAMPLES / "grille_densite_7_niveaux_echantillon_demo.csv"
QPV_SAMPLE = SAMPLES / "liste_qpv_2024_echantillon_demo.csv"


def load(stdout):
    for kind, path, load_file in (
        (ReferenceKind.DENSITY, DENSITY_SAMPLE, import_density),
        (ReferenceKind.QPV, QPV_SAMPLE, import_qpv),
    ):
        current = ReferenceFile.objects.filter(kind=kind).first()
        if current is not None and current.file_name != path.name:
            stdout.write(f"{current.get_kind_display()} : « {current.file_name} » déjà chargé.")
            continue
        report = load_file(path)
        stdout.write(
            f"{ReferenceKind(kind).label} : échantillon de démonstration chargé "
            f"({report.applied} {'communes' if kind == ReferenceKind.DENSITY else 'QPV'})."
        )
