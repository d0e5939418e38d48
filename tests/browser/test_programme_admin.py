"""The national cell edits the receipt e-mail in « Administration du programme » (an unknown
placeholder refused, a preview, a test sent to itself, the history), looks at the outbox and
the audit log (chain checked); then a candidate submits a file and receives the new text."""

import re

from accounts.factories import PASSWORD, UserFactory, totp_device
from applications.factories import complete_application
from core.models import OutboundEmail
from tests.browser.helpers import sign_in, sign_out
from tests.browser.test_candidate import tick
from tests.browser.test_reviewer import sign_in_with_code

NEW_BODY = (
    "Bonjour,\n\n"
    "Nous avons **bien reçu** votre dossier « {{ application.display_name }} » "
    "(référence {{ submission.reference }}).\n\n"
    "- Empreinte : {{ submission.sha256 }}\n"
    "- Déposé le : {{ submitted_at }}\n\n"
    "L’équipe de la {{ platform_name }}\n"
)


def test_national_cell_edits_the_receipt_email_and_the_candidate_receives_it(journey):
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    device = totp_device(cell)
    candidate = UserFactory(email="nadia.durand@exemple.fr")
    application = complete_application(owner=candidate)
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, cell, device)
    main.get_by_role("link", name="Administration du programme").click()
    journey.expect_path("/gestion/")
    assert journey.check("Administration du programme") == []
    main.get_by_role("link", name="Courriels").click()
    journey.expect_path("/gestion/courriels/")
    assert journey.check("Courriels — liste") == []
    main.get_by_role("link", name="Accusé de réception du dossier déposé").click()
    journey.expect_path("/gestion/courriels/application_receipt/")
    assert journey.check("Courriels — modification") == []

    # An unknown placeholder is refused with a clear message, nothing saved.
    journey.fill({"Texte": "Bonjour {{ candidat.nom }}"})
    journey.submit("Enregistrer")
    assert journey.error_messages() == [
        "L’emplacement « {{ candidat.nom }} » n’existe pas pour ce courriel. "
        "Choisissez-en un dans la liste des emplacements disponibles."
    ]
    assert journey.check_state("Courriels — emplacement inconnu") == []

    # Preview with demo data, then a test to oneself through the outbox.
    journey.fill({"Texte": NEW_BODY})
    journey.submit("Prévisualiser")
    preview = main.get_by_role("region", name="Aperçu avec des données de démonstration")
    assert "Nous avons bien reçu votre dossier « Pôle coopératif du Cantal »" in (
        preview.inner_text()
    )
    assert preview.locator(".ptce-email-preview strong").inner_text() == "bien reçu"
    assert journey.check("Courriels — aperçu") == []
    journey.submit("M’envoyer un essai")
    assert (
        page.get_by_role("status")
        .first.inner_text()
        .startswith("Un courriel d’essai, rempli avec des données de démonstration")
    )
    test_email = OutboundEmail.objects.get(template="test:application_receipt")
    assert test_email.to == [cell.email]
    assert "Nous avons **bien reçu** votre dossier « Pôle coopératif du Cantal »" in (
        test_email.body
    )
    journey.submit("Enregistrer")
    journey.expect_path("/gestion/courriels/application_receipt/")
    assert page.get_by_role("status").first.inner_text() == (
        "Le courriel « Accusé de réception du dossier déposé » a été enregistré."
    )
    main.get_by_role("link", name="Historique des versions").click()
    assert journey.check("Courriels — historique") == []

    # The outbox holds the test; the audit log names the change and its chain holds.
    journey.goto("/gestion/boite-d-envoi/")
    assert "[Essai] Dossier déposé : PTCE-2026-0042" in main.inner_text()
    assert journey.check("Boîte d’envoi") == []
    main.get_by_role("link", name="[Essai] Dossier déposé : PTCE-2026-0042").click()
    assert journey.check("Boîte d’envoi — courriel") == []
    journey.goto("/gestion/journal/?action=mailing")
    assert "mailing.template_saved" in main.inner_text()
    assert journey.check("Journal d’audit") == []
    journey.submit("Vérifier la chaîne")
    assert re.fullmatch(
        r"Journal intègre : \d+ entrées vérifiées\.",
        main.get_by_role("status").inner_text().strip(),
    )
    assert journey.check_state("Journal d’audit — chaîne vérifiée") == []
    sign_out(journey)

    # The candidate submits and receives the new text.
    sign_in(journey, candidate.email, PASSWORD)
    journey.goto(f"/dossiers/{application.uuid}/")
    tick(main.get_by_role("checkbox", name=re.compile("^Je certifie sur l’honneur")))
    journey.submit("Déposer le dossier")
    journey.expect_path(f"/dossiers/{application.uuid}/depot-confirme/")
    application.refresh_from_db()
    (receipt,) = [
        e
        for e in OutboundEmail.objects.filter(template="application_receipt")
        if candidate.email in e.to
    ]
    assert receipt.subject == f"Dossier déposé : {application.reference}"
    assert receipt.body.startswith(
        f"Bonjour,\n\nNous avons **bien reçu** votre dossier « {application.display_name} » "
        f"(référence {application.reference}).\n"
    )
    assert "<strong>bien reçu</strong>" in receipt.html_body
    assert receipt.attachments.get().filename.startswith("accuse-reception-")
