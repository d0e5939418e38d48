"""Benchmark of the application file (issue 3): saving each step of a file with 50 members and
200 communes, and submitting, through the Django test client (server time, in process).

    .venv/bin/python bench/bench_applications.py            # temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ptce_x .venv/bin/python bench/...
        (a throw-away database ``test_<name>_bench`` is created then dropped)

Targets: saving any step < 200 ms; submitting < 500 ms (the PDF receipt is a background task
and is not run here: the task is only queued). Prints the median of several runs.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
os.environ.setdefault("AXES_ENABLED", "0")
os.environ.setdefault("SIRENE_SOURCE", "local")  # never call the online register from here

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
STEP_TARGET_MS = 200
SUBMIT_TARGET_MS = 500


def main() -> int:
    import django
    from django.conf import settings

    tmp = tempfile.TemporaryDirectory(prefix="ptce-bench-")
    django.setup()
    settings.STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": Path(tmp.name) / "media"},
    }
    settings.DEBUG = False
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    else:  # never the test suite's own test database
        database["TEST"]["NAME"] = f"test_{database['NAME']}_bench"
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return run(connection.vendor, test_name)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)
        tmp.cleanup()


def timed(function, runs=RUNS):
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        response = function()
        durations.append((time.perf_counter() - start) * 1000)
        if response is not None and response.status_code >= 400:
            raise SystemExit(f"Réponse {response.status_code} inattendue")
    return statistics.median(durations), max(durations)


def run(vendor: str, database_name: str) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from accounts.factories import UserFactory
    from applications import services
    from applications.factories import (
        CallFactory,
        add_members,
        complete_application,
        fill_budget,
    )
    from applications.models import Application
    from territories.importer import import_snapshot
    from territories.models import Commune

    print(f"Base : {vendor} ({database_name}) — import du COG…", flush=True)
    import_snapshot()
    codes = list(
        Commune.objects.current()
        .filter(department_id="69")
        .order_by("code")[:200]
        .values_list("code", flat=True)
    )
    owner = UserFactory(email="bench@exemple.fr")
    call = CallFactory(max_award=None)
    application = complete_application(
        owner=owner, call=call, requested_phases="both", members=0, communes=codes
    )
    add_members(application, 50)
    client = Client()
    client.force_login(owner)

    def url(name, *args):
        return reverse(f"applications:{name}", args=[application.uuid, *args])

    lead_data = {
        "lead_siret": application.lead_siret,
        "lead_name": "Association banc d’essai",
        "lead_legal_form": "association",
        "lead_is_ess": "oui",
        "lead_category": "ess_enterprise",
        "lead_address": "1 place de la Mairie",
        "lead_postal_code": "69590",
        "lead_city": "Saint-Symphorien-sur-Coise",
        "representative_name": "Camille Martin",
        "contact_name": "Camille Martin",
        "contact_email": "bench@exemple.fr",
        "action": "save",
    }
    project_data = {
        "pole_name": "Pôle banc d’essai",
        "diagnosis": "Diagnostic " * 400,
        "strategy": "Stratégie " * 400,
        "projects": "Projets " * 400,
        "innovation": "Innovation " * 400,
        "sustainable_development": "Durable " * 400,
        "governance": "Gouvernance " * 400,
        "jobs_existing_fte": "4,5",
        "jobs_planned_fte": "8",
        "themes": ["food", "mobility"],
        "maturity": "emerging",
        "previous_state_support": "non",
        "action": "save",
    }
    budget_data = {
        "d_staff_1": "50 000",
        "d_operating_2": "50 000",
        "r_state_1": "30 000",
        "r_state_2": "30 000",
        "r_own_resources_1": "40 000",
        "action": "save",
    }
    member_counter = iter(range(10_000, 20_000))

    def add_member():
        from applications.factories import valid_siret

        response = client.post(
            url("members"),
            {
                "kind": "organisation",
                "siret": valid_siret(next(member_counter)),
                "name": f"Membre ajouté {time.perf_counter_ns()}",
                "category": "other_enterprise",
                "role": "Partenaire",
            },
        )
        return response

    pdf = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n"

    def upload():
        return client.post(
            url("attachments"),
            {"kind": "other", "file": SimpleUploadedFile("piece.pdf", pdf)},
        )

    results = []
    client.get(url("summary"))  # warm-up: middleware loading, static files index

    def measure(label, function, target=STEP_TARGET_MS, after=None):
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = function()
            samples.append((time.perf_counter() - start) * 1000)
            if response.status_code >= 400 or (
                response.status_code == 200 and "fr-error-text" in response.content.decode()
            ):
                raise SystemExit(f"{label} : réponse {response.status_code} inattendue")
            if after:
                after()
        median = statistics.median(samples)
        results.append((label, median, max(samples), target))

    def drop_extra_members():
        application.members.filter(name__startswith="Membre ajouté").delete()

    def drop_uploads():
        for attachment in application.attachments.filter(kind="other"):
            services.delete_attachment(attachment)

    measure("1. Structure porteuse (enregistrer)", lambda: client.post(url("lead"), lead_data))
    measure("2. Membres (ajout d’un 51e membre)", add_member, after=drop_extra_members)
    measure(
        "3. Territoire (200 communes)",
        lambda: client.post(url("territory"), {"communes": codes, "action": "save"}),
    )
    measure("4. Projet (textes longs)", lambda: client.post(url("project"), project_data))
    measure(
        "4b. Enregistrement automatique",
        lambda: client.post(url("autosave"), {"innovation": "Texte " * 500}),
    )
    measure("5. Budget (grille complète)", lambda: client.post(url("budget"), budget_data))
    measure("6. Pièces (ajout d’un PDF de 200 ko)", upload, after=drop_uploads)
    measure("7. Récapitulatif (affichage)", lambda: client.get(url("summary")))
    measure(
        "   Tableau de bord « Mes dossiers »", lambda: client.get(reverse("applications:dashboard"))
    )

    # Submission: a fresh complete copy of the big file for each run (phases 1 + 2 together:
    # two references, two snapshots).
    drafts = []
    for _ in range(RUNS):
        copy = services.clone_application(application)
        copy.budget_lines.all().delete()
        fill_budget(copy)
        drafts.append(copy)
    queue = iter(drafts)

    def submit_one():
        draft = next(queue)
        return client.post(reverse("applications:submit", args=[draft.uuid]), {"certify": "on"})

    measure("Dépôt (phases 1 et 2, 50 membres, 200 communes)", submit_one, SUBMIT_TARGET_MS)
    submitted = Application.objects.filter(status="submitted").count()
    if submitted != 2 * RUNS:
        raise SystemExit(f"{submitted} dossiers déposés au lieu de {2 * RUNS}")

    concurrency = concurrent_submissions(owner, call)

    print(f"\nMédiane de {RUNS} exécutions, temps serveur (client de test Django) :")
    failed = False
    for label, median, worst, target in results:
        ok = median < target
        failed |= not ok
        print(
            f"  {label:52} {median:7.1f} ms (max {worst:6.1f})  cible < {target} ms "
            f"{'OK' if ok else 'DÉPASSÉ'}"
        )
    print(concurrency)
    return 1 if failed else 0


def concurrent_submissions(owner, call, count=12):
    """``count`` candidates submit at the same moment from as many threads: every file gets a
    reference, with no duplicate and no gap."""
    import threading

    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from accounts.factories import UserFactory
    from applications.factories import complete_application
    from applications.models import Application, ReferenceCounter

    year_counter = ReferenceCounter.objects.order_by("-year").first()
    before = year_counter.last_number if year_counter else 0
    drafts = [complete_application(owner=UserFactory(), call=call) for _ in range(count)]
    barrier = threading.Barrier(count)
    errors = []

    def worker(draft):
        try:
            client = Client()
            client.force_login(draft.owner)
            barrier.wait()
            response = client.post(
                reverse("applications:submit", args=[draft.uuid]), {"certify": "on"}
            )
            if response.status_code != 302:
                errors.append(response.status_code)
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    references = sorted(
        Application.objects.filter(pk__in=[d.pk for d in drafts]).values_list(
            "reference", flat=True
        )
    )
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references if reference)
    expected = list(range(before + 1, before + count + 1))
    if errors or numbers != expected:
        raise SystemExit(f"Dépôts simultanés : erreurs {errors}, numéros {numbers}")
    return (
        f"  Dépôts simultanés : {count} fils d’exécution, références {references[0]} à "
        f"{references[-1]}, sans doublon ni trou — OK"
    )


if __name__ == "__main__":
    sys.exit(main())
