"""The national cell creates an event and edits it in staff screens, without the Django
administration: the list, the form with its error state, the public page, then a change of
date that sends the calendar update to the registered person."""

from accounts.factories import UserFactory, totp_device
from core.models import OutboundEmail
from events.factories import EventFactory, RegistrationFactory
from events.models import Event
from tests.browser.test_reviewer import sign_in_with_code


def test_national_cell_creates_then_edits_an_event(journey):
    EventFactory(title="Webinaire « Candidater à l’AMI »", capacity=50)
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    device = totp_device(cell)
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, cell, device)
    journey.goto("/evenements/gestion/")
    assert page.get_by_role("heading", level=1).inner_text() == "Gestion des événements"
    journey.check("Gestion des événements — liste")

    main.get_by_role("link", name="Créer un événement").click()
    journey.expect_path("/evenements/gestion/nouveau/")
    journey.check("Créer un événement — formulaire")

    journey.fill(
        {
            "Intitulé": "Rencontre régionale des PTCE de Nouvelle-Aquitaine",
            "Ou nouvelle saison": "PTCE Saison 4",
            "Début (heure de Paris)": "2027-03-16T09:30",
            "Fin (heure de Paris)": "2027-03-16T08:00",
            "Nom du lieu": "Maison de l’ESS",
            "Adresse du lieu": "12 rue de la République",
            "Commune du lieu": "Saint-Denis",
            "Organisateur": "Cellule nationale PTCE",
            "Adresse de l’organisateur": "ptce@example.gouv.fr",
        }
    )
    page.get_by_label("Type", exact=True).select_option(label="Atelier")
    page.get_by_label("Format", exact=True).select_option(label="Sur place")
    page.locator("#id_intervenants-0-name").fill("Claire Martin")
    journey.expect_status(400)  # the form with its errors
    journey.submit("Publier l’événement")
    summary = main.get_by_role("alert")
    assert "rien n’est enregistré" in summary.inner_text()
    assert "Plusieurs communes correspondent" in summary.inner_text()
    journey.check_state("Créer un événement — erreurs")

    journey.fill({"Commune du lieu": "Bordeaux", "Fin (heure de Paris)": "2027-03-16T12:30"})
    journey.submit("Publier l’événement")
    journey.expect_path("/evenements/rencontre-regionale-des-ptce-de-nouvelle-aquitaine/gestion/")
    assert "est publié" in page.get_by_role("status").inner_text()
    journey.check("Gestion d’un événement — après création")

    journey.goto("/evenements/rencontre-regionale-des-ptce-de-nouvelle-aquitaine/")
    public = main.inner_text()
    assert "Claire Martin" in public
    assert "Bordeaux" in public

    event = Event.objects.get(slug="rencontre-regionale-des-ptce-de-nouvelle-aquitaine")
    RegistrationFactory(event=event, email="bob@exemple.fr")
    journey.goto(f"/evenements/{event.slug}/gestion/modifier/")
    journey.check("Modifier un événement — formulaire")
    journey.fill(
        {"Début (heure de Paris)": "2027-03-17T09:30", "Fin (heure de Paris)": "2027-03-17T12:30"}
    )
    journey.submit("Enregistrer les modifications")
    assert "La mise à jour du calendrier est envoyée à 1 personne(s)." in (
        page.get_by_role("status").inner_text()
    )
    journey.check_state("Gestion d’un événement — après modification")
    assert OutboundEmail.objects.filter(template="event_update", to=["bob@exemple.fr"]).exists()
