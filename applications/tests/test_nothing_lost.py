"""Issue 18, point 1: nothing typed is ever lost. A step saved with invalid fields keeps every
valid value in the draft, shows the invalid input again as typed (also after a reload), with
an error summary linking to each field, and the side menu says « à corriger »."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import PASSWORD
from applications import forms
from applications.choices import PhaseRequest
from applications.factories import complete_application, valid_siret
from applications.models import Member

pytestmark = pytest.mark.django_db

MENU_TO_CORRECT = 'fr-badge--error fr-badge--sm fr-ml-1w">à corriger</span>'


def url(name, application, *args):
    return reverse(f"applications:{name}", args=[application.uuid, *args])


def as_posted(form):
    """What the browser sends for an unchanged form (every field, stored values)."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None:
            value = ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
            continue
        else:
            value = bound.field.prepare_value(value)
        data[bound.html_name] = str(value)
    return data


@pytest.fixture
def logged(client):
    def make(application):
        client.force_login(application.owner)
        return client

    return make


def assert_kept(client, page_url, typed, anchor):
    """On the page (and after a reload): the typed text, the summary linking to the field,
    the menu saying « à corriger »."""
    for content in (None, client.get(page_url).content.decode()):
        if content is None:
            continue
        assert f'value="{typed}"' in content or f">{typed}</textarea>" in content
        assert 'id="erreurs-saisie"' in content
        assert f'href="#{anchor}"' in content
        assert MENU_TO_CORRECT in content


def test_lead_invalid_siret_keeps_the_other_changes_and_the_typed_number(logged):
    application = complete_application()
    client = logged(application)
    stored_siret = application.lead_siret
    data = as_posted(forms.LeadForm(instance=application))
    data.update(lead_siret="123 456 789 00000", representative_name="Nadia Benali")
    response = client.post(url("lead", application), {**data, "action": "continue"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "1\u00a0saisie à corriger" in content
    assert 'href="#id_lead_siret"' in content
    application.refresh_from_db()
    assert application.representative_name == "Nadia Benali"
    assert application.lead_siret == stored_siret
    assert_kept(client, url("lead", application), "123 456 789 00000", "id_lead_siret")
    # The summary says it and the file cannot be submitted meanwhile.
    summary = client.get(url("summary", application)).content.decode()
    assert "ne sont pas valides" in summary
    assert "Déposer le dossier</button>" not in summary
    # Corrected: saved, nothing kept, the menu is truthful again.
    data["lead_siret"] = valid_siret(901)
    assert client.post(url("lead", application), data).status_code == 302
    application.refresh_from_db()
    assert application.lead_siret == valid_siret(901)
    assert application.pending_input == {}
    page = client.get(url("lead", application)).content.decode()
    assert "à corriger" not in page
    assert "Nadia Benali" in page


def test_discarding_the_kept_input_shows_the_stored_draft(logged):
    application = complete_application()
    client = logged(application)
    data = as_posted(forms.LeadForm(instance=application))
    client.post(url("lead", application), {**data, "lead_siret": "999"})
    response = client.post(url("lead", application), {"action": "discard"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.pending_input == {}
    assert 'value="999"' not in client.get(url("lead", application)).content.decode()


def test_new_member_with_invalid_siret_is_kept_as_typed(logged):
    application = complete_application()
    client = logged(application)
    count = application.members.count()
    response = client.post(
        url("members", application),
        {
            "kind": "organisation",
            "siret": "4242",
            "name": "Recyclerie des Monts",
            "category": "ess_enterprise",
            "role": "Atelier de réemploi",
            "action": "save",
        },
    )
    assert response.status_code == 200
    assert application.members.count() == count
    assert_kept(client, url("members", application), "Recyclerie des Monts", "id_siret")
    assert 'value="4242"' in client.get(url("members", application)).content.decode()


def test_member_edit_saves_valid_fields_and_keeps_the_invalid_siret(logged):
    application = complete_application()
    client = logged(application)
    member = application.members.filter(kind="organisation").first()
    data = as_posted(forms.MemberForm(instance=member, application=application))
    data.update(name="Nouveau nom", siret="000")
    response = client.post(url("member_edit", application, member.pk), data)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.name == "Nouveau nom"
    assert member.siret != "000"
    page = url("member_edit", application, member.pk)
    assert_kept(client, page, "000", "id_siret")
    # Another page of the step tells it too.
    assert MENU_TO_CORRECT in client.get(url("members", application)).content.decode()
    client.post(url("member_delete", application, member.pk))
    application.refresh_from_db()
    assert application.pending_input == {}


def test_territory_refused_codes_are_kept(logged):
    application = complete_application()
    client = logged(application)
    response = client.post(url("territory", application), {"communes": ["69238", "99999"]})
    assert response.status_code == 200
    assert "99999" in response.content.decode()
    reloaded = client.get(url("territory", application)).content.decode()
    assert "inconnu" in reloaded
    assert 'id="erreurs-saisie"' in reloaded
    assert MENU_TO_CORRECT in reloaded
    assert set(application.communes.values_list("code", flat=True)) == {"69238", "69062"}


def test_project_invalid_fte_keeps_the_texts_saved_and_the_typed_number(logged):
    application = complete_application()
    client = logged(application)
    data = as_posted(forms.ProjectForm(instance=application))
    data.update(jobs_planned_fte="beaucoup", innovation="Une monnaie locale numérique.")
    response = client.post(url("project", application), data)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.innovation == "Une monnaie locale numérique."
    assert_kept(client, url("project", application), "beaucoup", "id_jobs_planned_fte")


def test_budget_valid_cells_saved_invalid_cell_kept_as_typed(logged):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    client = logged(application)
    lines = {(b.kind, b.category, b.year): b.amount for b in application.budget_lines.all()}
    posted = {forms.budget_field_name(k, c, y): str(amount) for (k, c, y), amount in lines.items()}
    posted["d_operating_1"] = "12 345"
    posted["r_eu_funds_1"] = "45 000x"
    response = client.post(url("budget", application), posted)
    assert response.status_code == 200
    stored = {(b.category, b.year): b.amount for b in application.budget_lines.all()}
    assert str(stored[("operating", 1)]) == "12345.00"
    assert stored.get(("eu_funds", 1)) == lines.get(("resource", "eu_funds", 1))
    assert_kept(client, url("budget", application), "45 000x", "id_r_eu_funds_1")


def test_refused_attachment_has_an_error_summary_and_keeps_the_other_pieces(logged):
    application = complete_application()
    client = logged(application)
    before = application.attachments.count()
    response = client.post(
        url("attachments", application),
        {"kind": "statutes", "file": SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 64)},
    )
    content = response.content.decode()
    assert 'id="erreurs-saisie"' in content
    assert 'href="#id_file"' in content
    assert application.attachments.count() == before


@pytest.mark.parametrize(
    ("step", "posted", "shown"),
    [
        ("lead", {"representative_name": "Rose Tapée"}, 'value="Rose Tapée"'),
        ("members", {"kind": "natural_person", "name": "Jo Tapé"}, 'value="Jo Tapé"'),
        ("territory", {"communes": ["69062"]}, 'value="69062"'),
        ("project", {"innovation": "Texte tapé longtemps"}, "Texte tapé longtemps</textarea>"),
        ("budget", {"d_staff_1": "77 777"}, 'value="77 777"'),
    ],
)
def test_every_step_restores_what_was_typed_when_the_session_expired(client, step, posted, shown):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    response = client.post(url(step, application), posted)  # anonymous: session expired
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    client.post(
        reverse("accounts:login"),
        {"username": application.owner.email, "password": PASSWORD, "next": url(step, application)},
    )
    content = client.get(url(step, application)).content.decode()
    assert shown in content
    assert "ont été restaurées" in content
    assert Member.objects.filter(name="Jo Tapé").count() == 0


def test_budget_page_has_the_live_totals_script_with_the_csp_nonce(logged):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    client = logged(application)
    response = client.get(url("budget", application))
    content = response.content.decode()
    nonce = response.wsgi_request.csp_nonce
    assert f'budget.js" nonce="{nonce}" defer></script>' in content
    assert 'id="budget-live"' in content and "hidden>" in content  # shown by the script only
    assert 'data-row-total="d_staff"' in content
    assert 'data-cell data-kind="r" data-category="own_resources"' in content
    assert 'data-label="Année 2"' in content
