"""The Django admin speaks French (every model and field it shows) and hides internals."""

import pytest
from django.contrib import admin
from django.utils import translation
from django.utils.text import camel_case_to_spaces

from accounts.factories import UserFactory, login_staff

# Field or model names that are the same word in French (Django's default label is then right).
SAME_IN_FRENCH = {
    "action", "code", "commune", "communes", "description", "format", "instrument", "invitation",
    "label", "organisation", "permissions", "phase", "population", "programme", "question",
    "siren", "type", "zone",
}  # fmt: skip
# Third-party fields we cannot label (django-dsfr's inline link to its one site configuration).
THIRD_PARTY = {"dsfr.DsfrSocialMedia.site_config"}


def _admin_models():
    models = set()
    for model, model_admin in admin.site._registry.items():
        models.add(model)
        models.update(inline.model for inline in model_admin.inlines)
    return sorted(models, key=lambda m: m._meta.label)


def test_every_admin_model_and_field_has_a_french_verbose_name():
    english = []
    with translation.override("fr"):
        for model in _admin_models():
            opts = model._meta
            default = camel_case_to_spaces(opts.object_name)
            if str(opts.verbose_name) == default and default not in SAME_IN_FRENCH:
                english.append(f"{opts.label} (modèle : « {opts.verbose_name} »)")
            for field in opts.get_fields():
                if field.auto_created or not hasattr(field, "verbose_name"):
                    continue
                label = f"{opts.label}.{field.name}"
                if (
                    str(field.verbose_name) == field.name.replace("_", " ")
                    and field.name not in SAME_IN_FRENCH
                    and label not in THIRD_PARTY
                ):
                    english.append(f"{label} (« {field.verbose_name} »)")
    assert english == []


def test_technical_internals_are_not_in_the_admin():
    labels = {model._meta.label for model in admin.site._registry}
    assert not labels & {
        "otp_totp.TOTPDevice",
        "otp_static.StaticDevice",
        "django_tasks_database.DBTaskResult",
    }


@pytest.mark.django_db
def test_admin_titles_use_articles_and_elision(client):
    login_staff(client, UserFactory(admin=True))
    add_call = client.get("/admin/calls/call/add/").content.decode()
    assert "<title>Ajout d’un appel | Plateforme PTCE</title>" in add_call
    agreements = client.get("/admin/laureates/agreement/").content.decode()
    assert "Sélectionnez la convention à modifier" in agreements
    add_series = client.get("/admin/events/series/add/").content.decode()
    assert "Ajout d’une saison (série d’événements)" in add_series
    home = client.get("/admin/").content.decode()
    assert "Static devices" not in home and "Task Results" not in home
    assert "OTP_STATIC" not in home.upper().replace("OTP_STATIC_", "")


def test_article_helpers():
    from calls.models import Call
    from core.admin_fr import definite, indefinite
    from laureates.models_followup import Agreement, Report
    from territories.models import Epci

    assert indefinite(Call) == "d’un appel"
    assert indefinite(Agreement) == "d’une convention"
    assert definite(Report, de=True) == "du bilan"
    assert definite(Agreement, de=True) == "de la convention"
    assert definite(Epci) == "l’EPCI"
