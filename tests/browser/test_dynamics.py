"""A visitor declares a local dynamic: errors first, then the territory chosen with the
keyboard through the type-ahead, then the thanks page; the directory lists it once accepted."""

from dynamics.models import LocalDynamic, ModerationStatus


def tick(page, text: str) -> None:
    """Click a DSFR checkbox or radio button by its label, as a person does."""
    page.locator("label", has_text=text).first.click()


def test_visitor_declares_a_dynamic_with_the_keyboard_type_ahead(journey):
    page = journey.page
    journey.goto("/annuaire/")
    page.get_by_role("main").get_by_role("link", name="Déclarer une dynamique").click()
    journey.expect_path("/dynamiques-territoriales/declarer/")
    assert page.locator("h1").inner_text() == "Déclarer une dynamique territoriale"
    journey.check("Déclaration — formulaire")

    journey.submit("Envoyer la déclaration")
    errors = " ".join(journey.error_messages())
    assert "Le territoire est vide" in page.content()
    assert "Cochez cette case pour envoyer la déclaration." in errors
    assert journey.focused()["id"] == "id_name"
    journey.check("Déclaration — erreurs")

    journey.fill(
        {
            "Nom de la dynamique": "Atelier partagé du Val de Veyle",
            "Description courte": "Menuiserie solidaire et ressourcerie mutualisent un atelier.",
            "Personne à contacter (prénom et nom)": "Camille Durand",
            "Adresse électronique du contact": "camille@val-de-veyle.example",
        }
    )
    tick(page, "Économie circulaire et réemploi")
    tick(page, "Émergence : partenaires réunis autour d’un projet")
    search = page.get_by_role("combobox", name="Nom ou code")
    search.fill("Abergement-Cl")
    page.locator("#suggestions li").first.wait_for()
    search.press("ArrowDown")
    search.press("Enter")
    assert page.locator("#commune-01001").is_checked()
    tick(page, "J’accepte que la dynamique")
    tick(page, "J’ai lu la page « Données personnelles »")
    journey.submit("Envoyer la déclaration")
    journey.expect_path("/dynamiques-territoriales/declarer/merci/")
    journey.check("Déclaration — envoyée")

    dynamic = LocalDynamic.objects.get()
    assert list(dynamic.communes.values_list("code", flat=True)) == ["01001"]
    assert dynamic.status == ModerationStatus.PENDING
    LocalDynamic.objects.filter(pk=dynamic.pk).update(status=ModerationStatus.ACCEPTED)
    journey.goto("/dynamiques-territoriales/")
    page.get_by_role("link", name="Atelier partagé du Val de Veyle").click()
    assert page.locator("h1").inner_text() == "Atelier partagé du Val de Veyle"
    assert "camille@val-de-veyle.example" not in page.content()
    journey.check("Dynamique territoriale — fiche publique")
