"""Rural and QPV figures from the official files, everywhere they are shown (issue 17, item 3):
the territory step, the file summary, the staff file page and the allocation bonus."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from applications import services as application_services
from applications.factories import complete_application
from applications.models import BudgetLine
from reviews import national, services
from reviews.allocation import AllocationParameters
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import ReviewSummary
from territories.models import Commune
from territories.priority import PriorityFigures
from territories.reference import import_density, import_qpv
from territories.services import summarise_territory

pytestmark = pytest.mark.django_db

LYONNAIS = ["69238", "69062", "69014", "80021"]  # three rural communes and Amiens


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.fixture
def loaded(tmp_path, django_capture_on_commit_callbacks):
    def load(density=True, qpv=True):
        with django_capture_on_commit_callbacks(execute=True):
            if density:
                path = tmp_path / "grille.csv"
                path.write_text(
                    "CODGEO;LIBGEO;DENS7;LIBDENS7\n"
                    "69238;Saint-Symphorien-sur-Coise;5;Bourgs ruraux\n"
                    "69062;Coise;6;Rural à habitat dispersé\n"
                    "69014;Aveize;6;Rural à habitat dispersé\n"
                    "80021;Amiens;1;Grands centres urbains\n",
                    encoding="utf-8",
                )
                import_density(path)
            if qpv:
                path = tmp_path / "qpv.csv"
                path.write_text(
                    "code_qp;lib_qp;insee_com\nQN08001M;Amiens Nord;80021\n"
                    "QN08002M;Étouvie;80021\n",
                    encoding="utf-8",
                )
                import_qpv(path)

    return load


@pytest.mark.parametrize(
    ("figures", "text"),
    [
        (PriorityFigures(32, 12, 1), "12 communes rurales sur 32 ; 1 commune avec un QPV"),
        (PriorityFigures(3, 0, 0), "0 commune rurale sur 3 ; 0 commune avec un QPV"),
        (PriorityFigures(1, 1, 2), "1 commune rurale sur 1 ; 2 communes avec un QPV"),
        (PriorityFigures(1200, 1100, None), "1 100 communes rurales sur 1 200 ; QPV non renseigné"),
        (PriorityFigures(5, None, 0), "rural non renseigné ; 0 commune avec un QPV"),
        (
            PriorityFigures(4, 2, 0, density_unknown=1),
            "2 communes rurales sur 4 (densité inconnue pour 1 commune) ; 0 commune avec un QPV",
        ),
    ],
)
def test_the_wording_follows_french_plural_rules(figures, text):
    assert plain(figures.text) == text


def test_bonus_rule_half_of_the_communes_rural_and_any_qpv():
    assert PriorityFigures(4, 2, 0).is_rural and not PriorityFigures(5, 2, 0).is_rural
    assert PriorityFigures(5, None, 1).has_qpv and not PriorityFigures(5, None, 0).has_qpv
    assert not PriorityFigures(0, 0, None).is_rural


def test_not_loaded_then_counted_from_the_loaded_files(loaded):
    summary = summarise_territory(LYONNAIS)
    assert summary.priority.text == "rural non renseigné\u00a0; QPV non renseigné"
    loaded(qpv=False)
    summary = summarise_territory(LYONNAIS)
    assert plain(summary.priority.text) == "3 communes rurales sur 4 ; QPV non renseigné"
    loaded(density=False)
    summary = summarise_territory(LYONNAIS)
    assert plain(summary.priority.text) == "3 communes rurales sur 4 ; 1 commune avec un QPV"
    assert summary.priority.qpv_names == ("Amiens Nord", "Étouvie")


def test_candidate_territory_step_and_summary(client, loaded):
    application = complete_application(communes=LYONNAIS)
    client.force_login(application.owner)
    step = reverse("applications:territory", args=[application.uuid])
    recap = reverse("applications:summary", args=[application.uuid])
    page = plain(client.get(step).content.decode())
    assert page.count("non renseigné") == 2
    assert "le fichier officiel" in page
    assert "non renseigné" in plain(client.get(recap).content.decode())
    loaded()
    page = plain(client.get(step).content.decode())
    assert "<dd>3 communes rurales sur 4</dd>" in page
    assert "<dd>1 commune avec un QPV (Amiens Nord, Étouvie)</dd>" in page
    assert "non renseigné" not in page
    page = plain(client.get(recap).content.decode())
    assert "Territoires prioritaires : 3 communes rurales sur 4 ; 1 commune avec un QPV." in page


def test_staff_page_flags_and_allocation_bonus_follow_an_import(client, loaded):
    application = submitted_file(communes=LYONNAIS)
    row = ReviewSummary.objects.get(application=application)
    assert (row.is_rural, row.is_qpv, row.rural_count, row.qpv_count) == (False, False, None, None)
    loaded()  # the import refreshes the files under review
    row.refresh_from_db()
    assert (row.commune_count, row.rural_count, row.qpv_count) == (4, 3, 1)
    assert row.is_rural and row.is_qpv and row.is_priority
    login_staff(client, UserFactory(national=True))
    page = plain(client.get(reverse("reviews:file", args=[application.uuid])).content.decode())
    assert "3 communes rurales sur 4 ; 1 commune avec un QPV (QPV : Amiens Nord, Étouvie)." in page
    url = f"{reverse('reviews:national')}?call={application.call.pk}"
    page = plain(client.get(url).content.decode())
    priority = "3 communes rurales sur 4 ; 1 commune avec un QPV"
    assert f'<span class="fr-text--xs">{priority}</span>' in page
    BudgetLine.objects.create(
        application=application, kind="resource", category="state", year=2026, amount=60000
    )
    [reviewer] = reviewers(count=1, region_id=application.region_id)
    submit_evaluation(application, reviewer)
    result = national.simulate(
        application.call,
        AllocationParameters(envelope="100000", priority_bonus="0.5"),
    )
    [decision] = result.decisions
    assert "bonus territoire prioritaire +0,5" in decision.reason


def test_a_corrected_territory_refreshes_the_flags(loaded, django_capture_on_commit_callbacks):
    loaded()
    application = submitted_file(communes=["80021", "69238"])
    row = ReviewSummary.objects.get(application=application)
    assert (row.rural_count, row.qpv_count, row.is_rural) == (1, 1, True)
    [reviewer] = reviewers(count=1, region_id=application.region_id, cell_lead=True)
    services.request_correction(
        application,
        actor=reviewer,
        sections=["territoire"],
        message="Territoire à préciser.",
        deadline=timezone.localdate() + timedelta(days=5),
    )
    application.communes.set(Commune.objects.current().filter(code__in=["80021", "80001"]))
    with django_capture_on_commit_callbacks(execute=True):
        application_services.submit(application, actor=application.owner)
    row.refresh_from_db()
    assert (row.commune_count, row.rural_count, row.qpv_count, row.is_rural) == (2, 0, 1, False)
    assert plain(row.priority.text) == (
        "0 commune rurale sur 2 (densité inconnue pour 1 commune) ; 1 commune avec un QPV"
    )


SAMPLE_NOTE = "calculés à partir d’un échantillon illustratif, non officiel"


def test_figures_from_the_demo_samples_say_so_wherever_they_show(
    client, loaded, django_capture_on_commit_callbacks
):
    from io import StringIO

    from territories import demo

    application = submitted_file(communes=LYONNAIS)
    loaded()  # files in the official layouts: no note
    login_staff(client, UserFactory(national=True))
    staff_page = reverse("reviews:file", args=[application.uuid])
    assert SAMPLE_NOTE not in client.get(staff_page).content.decode()
    from territories.models import ReferenceFile

    ReferenceFile.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(StringIO())
    assert summarise_territory(LYONNAIS).priority.samples
    assert SAMPLE_NOTE in client.get(staff_page).content.decode()
    draft = complete_application(communes=LYONNAIS)
    client.force_login(draft.owner)
    for name in ("applications:territory", "applications:summary"):
        page = client.get(reverse(name, args=[draft.uuid])).content.decode()
        assert SAMPLE_NOTE in page, name
