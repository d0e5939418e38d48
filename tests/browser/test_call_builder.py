"""The national cell builds next year's call from a duplicate of this year's, fixes what the
publication check lists, publishes it, and a candidate opens its public page."""

from datetime import timedelta

from django.utils import timezone

from accounts.factories import UserFactory, totp_device
from calls.factories import CallFactory, RoundFactory
from calls.models import create_default_grid
from tests.browser.test_reviewer import sign_in_with_code


def test_national_cell_duplicates_completes_and_publishes_a_call(journey):
    source = CallFactory(
        title="AMI PTCE 2026",
        slug="ami-ptce-2026",
        year=2026,
        description="Soutenir les pôles en émergence.",
        payment_schedule_template=[],
    )
    create_default_grid(source)
    RoundFactory(
        call=source, name="Relève de printemps", cut_off_at=timezone.now() - timedelta(days=400)
    )
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    device = totp_device(cell)
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, cell, device)
    journey.goto("/gestion/appels/")
    journey.check("Appels (gestion) — liste")
    main.get_by_role("button", name="Dupliquer : AMI PTCE 2026").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "AMI PTCE 2026 (copie)"
    problems = main.locator(".fr-alert--warning").inner_text()
    assert "Aucune relève à venir" in problems
    assert "L’échéancier des versements de la phase 2 est vide." in problems
    journey.check("Appel (gestion) — copie à compléter")

    main.get_by_role("link", name="Échéancier des versements").click()
    page.wait_for_load_state()
    journey.fill({"Libellé de la tranche": "À la signature de la convention"})
    page.locator("#id_tranches-0-share").fill("60")
    page.get_by_label("Versée").select_option(label="À la signature de la convention")
    journey.expect_status(400)
    journey.submit("Enregistrer")
    assert "Les parts totalisent 60 %" in main.inner_text()
    journey.check("Échéancier — total différent de 100 %")
    page.locator("#id_tranches-0-share").fill("100")
    journey.submit("Enregistrer")
    assert page.get_by_role("status").inner_text() == "Échéancier des versements enregistré."

    main.get_by_role("link", name="Relèves et dates limites").click()
    page.wait_for_load_state()
    journey.check("Relèves — formulaire")
    next_year = timezone.now().year + 1
    page.locator("#id_releves-1-name").fill("Relève d’automne")
    page.locator("#id_releves-1-cut_off_at").fill(f"{next_year}-10-17T12:00")
    journey.submit("Enregistrer")

    main.get_by_role("link", name="Présentation et règles").click()
    page.wait_for_load_state()
    journey.fill({"Intitulé": "AMI PTCE 2027", "Adresse courte": "ami-ptce-2027"})
    journey.submit("Enregistrer")
    journey.submit("Publier l’appel")
    assert "L’appel est publié" in page.get_by_role("status").inner_text()
    journey.check("Appel (gestion) — publié")

    journey.goto("/appels/ami-ptce-2027/")
    assert page.get_by_role("heading", level=1).inner_text() == "AMI PTCE 2027"
    journey.check("Appel publié — page publique")
