"""The candidate's whole journey: sign-up confirmed from the outbox, a file through the seven
steps (lead organisation with its SIRET, members, territory by type-ahead, project, budget,
attachments, summary), eligibility explanations, a fix, submission, receipt, then a
correction request from the regional cell answered by editing the requested section and a
second submission.

Elements are found by their label, role or heading (not by CSS classes), so the pages can be
restyled without breaking the journey."""

import datetime
import re

from django.utils import timezone

from accounts.factories import UserFactory
from applications.choices import ApplicationStatus
from applications.factories import valid_siret
from applications.models import Application
from calls.choices import Phase
from calls.models import AttachmentKind, RequiredAttachment
from reviews import services as review_services
from reviews.factories import call_with_grid
from tests.browser.helpers import outbox_link

EMAIL = "nadia.durand@exemple.fr"
PASSWORD = "un mot de passe solide"
CALL_TITLE = "AMI PTCE 2026 — parcours"
# A minimal PDF: the upload check reads the magic bytes, not the extension alone.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def open_call():
    """An open permanent call (phases 1 and 2, 30 000 € to 80 000 €, 24 months) with its
    evaluation grid and the statutes as a required attachment."""
    call = call_with_grid(title=CALL_TITLE, slug="ami-ptce-2026-parcours")
    RequiredAttachment.objects.create(
        call=call, kind=AttachmentKind.STATUTES, label="Statuts à jour"
    )
    return call


def tick(box) -> None:
    """Check a DSFR radio button or checkbox: the input is drawn by its <label>, which
    receives the click, as for a person."""
    box.check(force=True)


def radio(page, label: str):
    return page.get_by_role("main").get_by_role("radio", name=label, exact=True)


def select(page, label: str, option: str) -> None:
    page.get_by_role("main").get_by_role(
        "combobox", name=re.compile("^" + re.escape(label))
    ).select_option(label=option)


def sign_up_and_confirm(journey) -> None:
    page = journey.page
    journey.goto("/compte/inscription/")
    journey.fill(
        {
            "Adresse électronique": EMAIL,
            "Prénom": "Nadia",
            "Nom": "Durand",
            "Structure que vous représentez": "Association Les Communs du Val",
            "Mot de passe": PASSWORD,
            "Confirmation du mot de passe": PASSWORD,
        }
    )
    journey.submit("Créer mon compte")
    journey.expect_path("/compte/inscription/envoyee/")
    page.goto(outbox_link(EMAIL, "/compte/confirmer/"))
    journey.expect_path("/compte/connexion/")
    journey.fill({"Adresse électronique": EMAIL, "Mot de passe": PASSWORD})
    journey.submit("Se connecter")
    journey.expect_path("/compte/")


def start_file(journey) -> str:
    """From the call page to a new draft asking for phases 1 and 2; returns its address."""
    page = journey.page
    journey.goto("/appels/")
    page.get_by_role("main").get_by_role("link", name=CALL_TITLE).first.click()
    page.get_by_role("main").get_by_role("link", name="Déposer un dossier").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Déposer un dossier sur « {CALL_TITLE} »"
    )
    journey.check("Dépôt — choix des phases")
    tick(radio(page, "Phases 1 et 2 déposées ensemble"))
    journey.submit("Créer mon brouillon")
    assert re.fullmatch(r"/dossiers/[0-9a-f-]{36}/structure/", journey.path.split("#")[0])
    return journey.path.split("#")[0].removesuffix("structure/")


def step_heading(page) -> str:
    return " ".join(page.get_by_role("heading", level=1).inner_text().split())


def fill_lead(journey) -> None:
    page = journey.page
    assert step_heading(page) == "Structure porteuse Étape 1 sur 7"
    journey.check("Dossier — 1. structure porteuse")
    # A wrong SIRET checksum, an unknown postal code: errors under the fields; the valid
    # field typed with them (the legal representative) is saved all the same.
    journey.fill({"Numéro SIRET de la structure porteuse": "123 456 789 00012"})
    journey.fill({"Code postal": "00000", "Représentant légal": "Nadia Durand"})
    journey.submit("Enregistrer")
    errors = journey.error_messages()
    assert any("SIRET" in error for error in errors), errors
    assert "Ce code postal est inconnu." in errors
    assert journey.focused()["id"] == "id_lead_siret"
    journey.check_state("Dossier — 1. structure porteuse, erreurs")
    # A reload loses nothing: the invalid input as typed, its errors, the summary linking to
    # each field, the side menu saying « à corriger », the valid field saved.
    page.reload()
    page.wait_for_load_state()
    summary = page.get_by_role("alert").filter(has_text="saisies à corriger")
    assert summary.count() == 1
    assert summary.get_by_role("link", name=re.compile("^Numéro SIRET")).count() == 1
    assert summary.get_by_role("link", name=re.compile("^Code postal")).count() == 1
    assert journey.field("Numéro SIRET de la structure porteuse").input_value() == (
        "123 456 789 00012"
    )
    assert journey.field("Code postal").input_value() == "00000"
    assert journey.field("Représentant légal").input_value() == "Nadia Durand"
    menu = page.get_by_role("navigation", name="Étapes du dossier")
    assert "À CORRIGER" in menu.get_by_role("link", name=re.compile("^1\\.")).inner_text()
    journey.check("Dossier — 1. structure porteuse, rechargée après erreurs")
    journey.fill(
        {
            "Numéro SIRET de la structure porteuse": valid_siret(1),
            "Raison sociale": "Association Les Communs du Val",
            "Code postal": "69590",
            "Commune du siège": "Saint-Symphorien-sur-Coise",
            "Représentant légal": "Nadia Durand",
            "Qualité du représentant": "Présidente",
            "Personne à contacter": "Nadia Durand",
            "Adresse électronique du contact": EMAIL,
            "Téléphone du contact": "04 77 00 00 00",
        }
    )
    # « Adresse » alone: « Adresse électronique du contact » starts with the same word. Needed
    # to submit, so not « (Optionnel) » although the draft saves without it.
    page.get_by_role(
        "textbox", name="Adresse Obligatoire pour déposer le dossier.", exact=True
    ).fill("1 place de la Mairie")
    assert journey.field("Téléphone du contact (Optionnel)").count() == 1
    select(page, "Forme juridique", "Association loi 1901")
    select(
        page,
        "Catégorie de la structure porteuse",
        "Entreprise de l’économie sociale et solidaire",
    )
    tick(radio(page, "Oui"))
    journey.submit("Enregistrer et continuer")


def add_member(journey, *, name: str, siret: str, category: str) -> None:
    page = journey.page
    tick(radio(page, "Personne morale (organisation)"))
    journey.fill({"SIRET": siret, "Nom ou raison sociale": name})
    select(page, "Catégorie (article 9)", category)
    journey.submit("Ajouter ce membre")
    assert page.get_by_role("status").inner_text() == f"Membre « {name} » ajouté."


def fill_members(journey) -> None:
    page = journey.page
    assert step_heading(page) == "Membres du pôle Étape 2 sur 7"
    journey.check("Dossier — 2. membres")
    # An organisation without its SIRET is refused.
    tick(radio(page, "Personne morale (organisation)"))
    journey.fill({"Nom ou raison sociale": "SCIC Les Jardins du Val"})
    journey.submit("Ajouter ce membre")
    assert "Indiquez le SIRET de cette organisation." in journey.error_messages()
    assert journey.focused()["id"] == "id_siret"
    journey.check_state("Dossier — 2. membres, erreurs")
    add_member(
        journey,
        name="SCIC Les Jardins du Val",
        siret=valid_siret(2),
        category="Entreprise de l’économie sociale et solidaire",
    )
    add_member(
        journey, name="SARL Transports du Val", siret=valid_siret(3), category="Autre entreprise"
    )
    table = page.get_by_role("table", name=re.compile("^Membres déclarés"))
    assert table.get_by_role("row").count() == 3  # header + 2 members
    journey.check_state("Dossier — 2. membres, liste")
    page.get_by_role("main").get_by_role("link", name="Continuer vers le territoire").click()
    page.wait_for_load_state()


def fill_territory(journey) -> None:
    """Search-as-you-type: suggestions appear while typing, arrows and Enter choose one."""
    page = journey.page
    assert step_heading(page) == "Territoire Étape 3 sur 7"
    journey.check("Dossier — 3. territoire")
    search = page.get_by_role("combobox", name=re.compile("^Nom ou code"))
    search.click()
    search.press_sequentially("Saint-Symph", delay=20)
    suggestions = page.get_by_role("listbox")
    suggestions.get_by_role("option").first.wait_for()
    assert "Saint-Symphorien-sur-Coise" in suggestions.inner_text()
    journey.check("Dossier — 3. territoire, suggestions", screenshot=False)
    option = suggestions.get_by_role("option", name=re.compile("^Saint-Symphorien-sur-Coise"))
    index = suggestions.get_by_role("option").all_inner_texts().index(option.inner_text())
    for _ in range(index + 1):
        search.press("ArrowDown")
    search.press("Enter")
    assert page.get_by_role("checkbox", name=re.compile("^Saint-Symphorien-sur-Coise")).is_checked()
    journey.submit("Enregistrer et continuer")


def fill_project(journey) -> None:
    page = journey.page
    assert step_heading(page) == "Projet Étape 4 sur 7"
    journey.check("Dossier — 4. projet")
    journey.fill(
        {
            "Nom du pôle": "Pôle des Communs du Val",
            "Diagnostic territorial": "Un territoire rural où les services reculent.",
            "Stratégie commune de mutualisation et de coopération": "Une légumerie commune.",
            "Projets économiques et sociaux": "Légumerie, restauration collective.",
            "Innovation sociale ou technologique": "Une coopérative d’usagers.",
            "Développement local durable": "Circuits courts.",
            "Gouvernance": "SCIC à quatre collèges.",
            "Emplois existants (équivalents temps plein)": "4,5",
            "Emplois prévus (équivalents temps plein)": "huit",
        }
    )
    tick(page.get_by_role("main").get_by_role("checkbox", name="Alimentation", exact=True))
    tick(radio(page, "Émergent"))
    tick(
        page.get_by_role("group", name=re.compile("déjà été soutenu")).get_by_role(
            "radio", name="Non", exact=True
        )
    )
    journey.submit("Enregistrer et continuer")
    errors = journey.error_messages()
    assert "Indiquez un nombre d’équivalents temps plein, par exemple « 2,5 »." in errors
    assert any(error.startswith("1\u00a0saisie à corriger") for error in errors), errors
    assert journey.focused()["id"] == "id_jobs_planned_fte"
    journey.check_state("Dossier — 4. projet, erreurs")
    journey.fill({"Emplois prévus (équivalents temps plein)": "8"})
    journey.submit("Enregistrer et continuer")


def amount(page, label: str):
    return page.get_by_role("main").get_by_role("textbox", name=label, exact=True)


def fill_budget(journey, *, state_year_2: str = "30 000") -> None:
    page = journey.page
    assert step_heading(page) == "Budget Étape 5 sur 7"
    journey.check("Dossier — 5. budget")
    amount(page, "Frais de personnel, année 1").fill("50 000")
    amount(page, "Frais de personnel, année 2").fill("50 000 €")
    amount(page, "Subvention demandée à l’État (présent appel), année 1").fill("30 000")
    amount(page, "Subvention demandée à l’État (présent appel), année 2").fill("trente mille")
    amount(page, "Fonds propres, année 1").fill("40 000")
    # The totals follow the typing (budget.js); the unreadable amount is not counted.
    live = page.locator("#budget-live")
    assert "".join(live.inner_text().split()).startswith(
        "TotauxdevotresaisieTotaldesdépenses100000,00€Totaldesressources70000,00€"
    ), live.inner_text()
    journey.submit("Enregistrer et continuer")
    assert any("saisie à corriger" in error for error in journey.error_messages())
    # static/js/ptce.js: the table is rendered cell by cell, the focus still goes to the error.
    assert journey.focused()["id"] == "id_r_state_2"
    journey.check_state("Dossier — 5. budget, erreurs")
    amount(page, "Subvention demandée à l’État (présent appel), année 2").fill(state_year_2)
    journey.submit("Enregistrer et continuer")


def upload(journey) -> None:
    page = journey.page
    assert step_heading(page) == "Pièces justificatives Étape 6 sur 7"
    journey.check("Dossier — 6. pièces")
    journey.submit("Ajouter cette pièce")
    assert journey.error_messages()
    journey.check_state("Dossier — 6. pièces, erreurs")
    select(page, "Type de pièce", "Statuts")
    page.get_by_role("main").locator("input[type=file]").set_input_files(
        {"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    journey.submit("Ajouter cette pièce")
    assert page.get_by_role("status").inner_text() == "Pièce « statuts.pdf » ajoutée."
    page.get_by_role("main").get_by_role("link", name="Continuer vers le récapitulatif").click()
    page.wait_for_load_state()


def verdict(page, label: str) -> str:
    """The verdict of one eligibility rule (its badge says « remplie » or « non remplie »)."""
    item = page.get_by_role("main").get_by_role("listitem").filter(has_text=label)
    return " ".join(item.text_content().split())


def test_candidate_signs_up_builds_submits_then_answers_a_correction_request(journey):
    open_call()
    cell = UserFactory(reviewer=True, region_id="84", email="cellule.ara@exemple.gouv.fr")
    page = journey.page
    main = page.get_by_role("main")
    sign_up_and_confirm(journey)

    base = start_file(journey)
    fill_lead(journey)
    journey.expect_path(base + "membres/")
    fill_members(journey)
    journey.expect_path(base + "territoire/")
    fill_territory(journey)
    journey.expect_path(base + "projet/")
    fill_project(journey)
    journey.expect_path(base + "budget/")
    fill_budget(journey)
    journey.expect_path(base + "pieces/")
    upload(journey)
    journey.expect_path(base)

    # Step 7, the summary: the explanation of the unmet rule, and no submit button yet.
    assert step_heading(page) == "Pôle des Communs du Val"
    assert verdict(page, "autre acteur de l’article 9").startswith("non remplie Au moins")
    assert "Le dépôt sera possible quand le dossier sera complet et éligible." in main.inner_text()
    assert main.get_by_role("button", name="Déposer le dossier").count() == 0
    journey.check("Dossier — 7. récapitulatif, non éligible")

    # The fix: a local authority joins the pole.
    main.get_by_role("link", name="Modifier « Membres du pôle »").click()
    add_member(
        journey,
        name="Communauté de communes des Monts du Val",
        siret=valid_siret(4),
        category="Collectivité territoriale ou groupement",
    )
    page.get_by_role("navigation", name="Étapes du dossier").get_by_role(
        "link", name=re.compile("^7\\.")
    ).click()
    journey.expect_path(base)
    assert verdict(page, "autre acteur de l’article 9").startswith("remplie Au moins")
    assert "Le dossier remplit toutes les conditions d’éligibilité vérifiables." in (
        main.inner_text()
    )
    # Before submitting: two linked files will be created, and why.
    assert main.get_by_role("heading", name="Au dépôt, deux dossiers liés seront créés").count()
    journey.check("Dossier — 7. récapitulatif, prêt au dépôt (deux dossiers liés)")

    # Submitting without the certification is refused with a message.
    journey.submit("Déposer les deux dossiers liés")
    assert journey.error_messages() == ["Cochez la case de certification pour déposer le dossier."]
    # The refusal message has the focus (static/js/ptce.js), then Tab leads back to the form.
    assert journey.focused()["text"] == "Cochez la case de certification pour déposer le dossier."
    journey.check_state("Dossier — dépôt refusé (certification)")
    tick(main.get_by_role("checkbox", name=re.compile("^Je certifie sur l’honneur")))
    journey.submit("Déposer les deux dossiers liés")
    funding = Application.objects.get(phase=Phase.FUNDING)
    emergence = Application.objects.get(phase=Phase.EMERGENCE)
    assert funding.status == emergence.status == ApplicationStatus.SUBMITTED
    # One confirmation page listing both references.
    journey.expect_path(f"/dossiers/{emergence.uuid}/depot-confirme/")
    assert step_heading(page) == "Vos deux dossiers liés sont déposés"
    assert f"Références {emergence.reference} et {funding.reference}" in main.inner_text()
    journey.check("Dépôt confirmé — deux dossiers liés")
    journey.goto("/mes-dossiers/")
    files = main.get_by_role("table", name=re.compile("^2.dossiers"))
    assert files.get_by_role("link", name=emergence.reference).count() == 1
    journey.check("Mes dossiers — dossiers déposés")
    files.get_by_text(re.compile("^Détail")).first.click()
    journey.check_state("Mes dossiers — détail ouvert")
    journey.goto(f"/dossiers/{funding.uuid}/")
    journey.check("Dossier déposé — récapitulatif")
    with page.expect_download() as download:
        main.get_by_role("link", name="accusé de réception (PDF)").click()
    receipt = download.value
    assert receipt.suggested_filename == f"accuse-reception-{funding.reference}-v1.pdf"
    with open(receipt.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # The regional cell asks for corrections of the budget (reviews service).
    review_services.request_correction(
        funding,
        actor=cell,
        sections=["budget"],
        message="Détaillez l’autofinancement de l’année 2.",
        deadline=timezone.localdate() + datetime.timedelta(days=15),
    )
    page.goto(outbox_link(EMAIL, f"/dossiers/{funding.uuid}/"))
    journey.expect_path(f"/dossiers/{funding.uuid}/")
    alert = main.get_by_role("heading", name=re.compile("^Demande de compléments"))
    assert alert.count() == 1
    assert "Détaillez l’autofinancement de l’année 2." in main.inner_text()
    assert main.get_by_role("link", name="Modifier « Structure porteuse »").count() == 0
    journey.check("Dossier — demande de compléments")

    main.get_by_role("link", name="Modifier « Budget »").click()
    journey.expect_path(f"/dossiers/{funding.uuid}/budget/")
    amount(page, "Fonds propres, année 2").fill("10 000")
    amount(page, "Frais de personnel, année 2").fill("60 000")
    journey.submit("Enregistrer")
    assert page.get_by_role("status").inner_text() == "Brouillon enregistré."
    journey.check_state("Dossier — budget en correction")
    # The other sections stay closed, on the server too.
    journey.goto(f"/dossiers/{funding.uuid}/structure/")
    journey.expect_path(f"/dossiers/{funding.uuid}/")
    assert "n’est pas concernée par la demande de compléments" in journey.error_messages()[0]

    tick(main.get_by_role("checkbox", name=re.compile("^Je certifie sur l’honneur")))
    journey.submit("Déposer le dossier")
    journey.expect_path(f"/dossiers/{funding.uuid}/depot-confirme/")
    funding.refresh_from_db()
    assert funding.status == ApplicationStatus.SUBMITTED
    assert funding.submissions.count() == 2
    journey.goto(f"/dossiers/{funding.uuid}/")
    versions = main.get_by_role("link", name="accusé de réception (PDF)")
    assert versions.count() == 2
    journey.check("Dossier redéposé — deux versions")
