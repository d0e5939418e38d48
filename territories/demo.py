"""Demo reference data: small samples of the density grid and of the QPV list
(``territories/data/samples``), labelled « échantillon illustratif, non officiel » wherever they
show (this command's output, the samples' header lines and README, the public directory's note
under its priority filters, and a « Démonstration » note beside the figures of the territory
step, the file summary and the staff file page: ``PriorityFigures.samples``), so that the demo
shows real rural and QPV counts. Never replaces an official file an operator has loaded."""

from pathlib import Path

from territories.models import ReferenceFile, ReferenceKind
from territories.reference import import_density, import_qpv

SAMPLES = Path(__file__).resolve().parent / "data" / "samples"
DENSITY_SAMPLE = SAMPLES / "grille_densite_7_niveaux_echantillon_demo.csv"
QPV_SAMPLE = SAMPLES / "liste_qpv_2024_echantillon_demo.csv"
SAMPLE_NAMES = frozenset({DENSITY_SAMPLE.name, QPV_SAMPLE.name})
SAMPLE_LABEL = "échantillon illustratif, non officiel"


def is_sample(file_name: str) -> bool:
    """Whether a loaded reference file (``ReferenceFile.file_name``) is a demo sample."""
    return file_name in SAMPLE_NAMES


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
            f"{ReferenceKind(kind).label} : {SAMPLE_LABEL} chargé pour la démonstration "
            f"({report.applied} {'communes' if kind == ReferenceKind.DENSITY else 'QPV'}) — "
            "à remplacer par le fichier officiel en production."
        )
