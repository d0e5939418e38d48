import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import PASSWORD, UserFactory
from applications.choices import ApplicationStatus, BudgetKind, Funder, PhaseRequest
from applications.factories import (
    ApplicationFactory,
    CallFactory,
    complete_application,
    dated_call,
    valid_siret,
)
from applications.models import Application, Attachment, Member
from registry.validators import siret_with_valid_checksum

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def url(name, application, *args):
    return reverse(f"applications:{name}", args=[application.uuid, *args])


@pytest.fixture
def owner_client(client):
    def make(application):
        client.force_login(application.owner)
        return client

    return make


def test_start_creates_a_draft_for_an_open_call(client):
    call = CallFactory()
    candidate = UserFactory(organisation="Coopérative test")
    client.force_login(candidate)
    page = client.get(reverse("applications:start", args=[call.slug]))
    assert page.status_code == 200
    assert "Phases 1 et 2 déposées ensemble" in page.content.decode()
    response = client.post(
        reverse("applications:start", args=[call.slug]), {"requested_phases": "both"}
    )
    application = Application.objects.get(owner=candidate)
    assert response.url == url("lead", application)
    assert application.status == ApplicationStatus.DRAFT
    assert application.requested_phases == PhaseRequest.BOTH
    assert application.lead_name == "Coopérative test"
    assert str(application.uuid) in response.url  # never a sequential id


def test_start_refused_with_a_clear_message_when_call_closed(client):
    call = dated_call(closes_in=-__import__("datetime").timedelta(hours=1))
    client.force_login(UserFactory())
    response = client.post(
        reverse("applications:start", args=[call.slug]), {"requested_phases": "emergence"}
    )
    assert response.status_code == 409
    assert "n’accepte pas de dossier" in response.content.decode()
    assert not Application.objects.exists()


def test_lead_step_saves_and_continues(owner_client):
    application = ApplicationFactory()
    client = owner_client(application)
    siret = valid_siret(5)
    response = client.post(
        url("lead", application),
        {
            "lead_siret": f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}",
            "lead_name": "Association Test",
            "lead_legal_form": "association",
            "lead_is_ess": "oui",
            "lead_category": "ess_enterprise",
            "lead_address": "1 rue du Lac",
            "lead_postal_code": "69590",
            "lead_city": "saint symphorien sur coise",
            "representative_name": "Ana Lopez",
            "contact_name": "Ana Lopez",
            "contact_email": "ana@exemple.fr",
            "action": "continue",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == url("members", application)
    application.refresh_from_db()
    assert application.lead_siret == siret
    assert application.lead_is_ess is True
    assert application.lead_commune.code == "69238"
    assert application.lead_city == "Saint-Symphorien-sur-Coise"
    page = client.get(url("lead", application))
    assert page.status_code == 200
    assert "complet" in page.content.decode()


def test_invalid_siret_is_refused_with_french_message(owner_client):
    application = ApplicationFactory()
    client = owner_client(application)
    response = client.post(url("lead", application), {"lead_siret": "12345678901234"})
    assert response.status_code == 200
    assert "clé de contrôle est fausse" in response.content.decode()
    application.refresh_from_db()
    assert application.lead_siret == ""
    response = client.post(url("lead", application), {"lead_siret": "1234"})
    assert "comporte 14 chiffres" in response.content.decode()


def test_natural_person_cannot_be_lead(owner_client):
    application = ApplicationFactory()
    client = owner_client(application)
    response = client.post(url("lead", application), {"lead_legal_category": "1000"})
    assert "personne physique" in response.content.decode()
    application.refresh_from_db()
    assert application.lead_legal_category == ""


def test_members_added_natural_person_allowed_duplicates_refused(owner_client):
    application = complete_application(members=0)
    client = owner_client(application)
    siret = valid_siret(42)
    ok = client.post(
        url("members", application),
        {
            "kind": "organisation",
            "siret": siret,
            "name": "Mairie de Coise",
            "category": "local_authority",
            "role": "Met à disposition des locaux",
        },
    )
    assert ok.status_code == 302
    duplicate = client.post(
        url("members", application),
        {"kind": "organisation", "siret": siret, "name": "Autre nom", "category": "other"},
    )
    assert duplicate.status_code == 200
    assert "membre en double" in duplicate.content.decode()
    lead = client.post(
        url("members", application),
        {
            "kind": "organisation",
            "siret": application.lead_siret,
            "name": "La porteuse",
            "category": "ess_enterprise",
        },
    )
    assert "structure porteuse" in lead.content.decode()
    person = client.post(
        url("members", application),
        {
            "kind": "natural_person",
            "siret": "",
            "name": "Jeanne Dupont",
            "category": "other",
            "role": "Experte bénévole",
        },
    )
    assert person.status_code == 302
    invalid = client.post(
        url("members", application),
        {"kind": "organisation", "siret": "11111111111112", "name": "X", "category": "other"},
    )
    assert "clé de contrôle est fausse" in invalid.content.decode()
    assert list(application.members.values_list("name", "kind")) == [
        ("Mairie de Coise", "organisation"),
        ("Jeanne Dupont", "natural_person"),
    ]


def test_member_commitment_letter_is_checked_and_stored(owner_client):
    application = complete_application(members=0)
    client = owner_client(application)
    response = client.post(
        url("members", application),
        {
            "kind": "organisation",
            "siret": valid_siret(77),
            "name": "SCOP Bois",
            "category": "ess_enterprise",
            "commitment_letter_file": SimpleUploadedFile("lettre.pdf", PDF),
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(name="SCOP Bois")
    assert member.commitment_letter.kind == "commitment_letter"
    assert member.commitment_letter.original_name == "lettre.pdf"


def test_territory_no_js_search_then_save_with_derived_facts(owner_client):
    application = ApplicationFactory()
    client = owner_client(application)
    search = client.post(
        url("territory", application), {"action": "search", "q": "Coise", "type": "commune"}
    )
    assert search.status_code == 302
    assert "q=Coise" in search.url
    page = client.get(search.url)
    content = page.content.decode()
    assert 'name="communes" value="69062"' in content  # Coise, offered as a checkbox
    saved = client.post(
        url("territory", application), {"communes": ["69062", "69238", "42059"], "action": "save"}
    )
    assert saved.status_code == 302
    assert sorted(application.communes.values_list("code", flat=True)) == [
        "42059",
        "69062",
        "69238",
    ]
    page = client.get(url("territory", application)).content.decode()
    assert "Loire (42)" in page and "Rhône (69)" in page
    assert "Auvergne-Rhône-Alpes" in page
    assert "10\u00a0128 habitants" in page
    assert page.count("non renseigné") >= 2


def test_empty_territory_and_unknown_codes_are_refused(owner_client):
    application = ApplicationFactory()
    application.communes.set([])
    client = owner_client(application)
    response = client.post(url("territory", application), {"action": "save"})
    assert response.status_code == 200
    assert "Le territoire est vide" in response.content.decode()
    response = client.post(url("territory", application), {"communes": ["99999"]})
    assert "inconnu" in response.content.decode()
    assert not application.communes.exists()


def test_budget_grid_french_amounts_totals_and_balance(owner_client):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    application.budget_lines.all().delete()
    client = owner_client(application)
    response = client.post(
        url("budget", application),
        {
            "d_staff_1": "40 000",
            "d_operating_2": "20 000,50 €",
            "r_state_1": "30 000",
            "r_state_2": "20\u00a0000",
            "r_own_resources_1": "10 000,50",
            "action": "continue",
        },
    )
    assert response.status_code == 302
    assert response.url == url("attachments", application)
    cells = {
        (line.kind, line.category, line.year): str(line.amount)
        for line in application.budget_lines.all()
    }
    assert cells[(BudgetKind.RESOURCE, Funder.STATE, 2)] == "20000.00"
    assert cells[(BudgetKind.EXPENSE, "operating", 2)] == "20000.50"
    page = client.get(url("budget", application)).content.decode()
    assert "60\u00a0000,50\u00a0€" in page
    assert "équilibré" in page
    assert "16,7 %" in page  # self-financing share


def test_unbalanced_budget_is_saved_as_draft_but_flagged(owner_client):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    application.budget_lines.all().delete()
    client = owner_client(application)
    response = client.post(
        url("budget", application), {"d_staff_1": "100 000", "r_state_1": "60 000"}, follow=True
    )
    content = response.content.decode()
    assert "pas équilibré" in content
    assert application.budget_lines.count() == 2
    summary = client.get(url("summary", application)).content.decode()
    assert "il manque 40" in summary


@pytest.mark.parametrize("typed", ["-5 000", "999 999 999", "douze"])
def test_negative_absurd_and_unreadable_amounts_refused_the_cell_keeps_its_amount(
    owner_client, typed
):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    lines = application.budget_lines.all()
    before = {f"{'d' if b.kind == 'expense' else 'r'}_{b.category}_{b.year}": b for b in lines}
    posted = {name: str(line.amount) for name, line in before.items()}
    client = owner_client(application)
    response = client.post(url("budget", application), {**posted, "d_staff_1": typed})
    assert response.status_code == 200
    content = response.content.decode()
    assert "fr-error-text" in content
    assert f'value="{typed}"' in content
    after = {
        f"{'d' if b.kind == 'expense' else 'r'}_{b.category}_{b.year}": b.amount
        for b in application.budget_lines.all()
    }
    assert after == {name: line.amount for name, line in before.items()}


def test_attachments_checked_stored_and_served_only_with_permission(owner_client, client):
    application = ApplicationFactory()
    owner = owner_client(application)
    refused = owner.post(
        url("attachments", application),
        {"kind": "statutes", "file": SimpleUploadedFile("statuts.pdf", EXE)},
    )
    assert refused.status_code == 200
    assert "type de fichier n’est pas accepté" in refused.content.decode()
    traversal = owner.post(
        url("attachments", application),
        {"kind": "statutes", "file": SimpleUploadedFile("../../../etc/statuts.pdf", PDF)},
    )
    assert traversal.status_code == 302
    attachment = Attachment.objects.get(application=application)
    assert attachment.original_name == "statuts.pdf"
    assert attachment.file.name.startswith(f"candidatures/{application.uuid}/")
    assert ".." not in attachment.file.name
    download = owner.get(url("attachment_download", application, attachment.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="statuts.pdf"'
    assert b"".join(download.streaming_content) == PDF
    owner.logout()
    client.force_login(UserFactory())
    assert client.get(url("attachment_download", application, attachment.pk)).status_code == 404


def test_oversize_attachment_refused(owner_client, settings):
    settings.PTCE_ATTACHMENT_MAX_BYTES = 100
    application = ApplicationFactory()
    client = owner_client(application)
    response = client.post(
        url("attachments", application),
        {"kind": "statutes", "file": SimpleUploadedFile("statuts.pdf", PDF + b"x" * 200)},
    )
    assert "taille maximale" in response.content.decode()
    assert not Attachment.objects.exists()


def test_html_in_text_fields_is_escaped_on_pages(owner_client):
    application = complete_application()
    application.pole_name = "<script>alert('x')</script>"
    application.innovation = "<b>gras</b> & <img src=x onerror=alert(1)>"
    application.save()
    client = owner_client(application)
    for name in ("summary", "project", "lead"):
        content = client.get(url(name, application)).content.decode()
        assert "<script>alert('x')</script>" not in content
        assert "<img src=x" not in content
    summary = client.get(url("summary", application)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in summary


def test_post_to_another_candidates_file_is_404_and_changes_nothing(client):
    application = complete_application()
    name = application.lead_name
    client.force_login(UserFactory())
    for step in ("lead", "project", "territory", "budget", "members", "attachments"):
        response = client.post(url(step, application), {"lead_name": "Piraté", "communes": []})
        assert response.status_code == 404, step
    assert client.post(url("submit", application), {"certify": "on"}).status_code == 404
    assert client.post(url("withdraw", application)).status_code == 404
    assert client.post(url("autosave", application), {"innovation": "x"}).status_code == 404
    application.refresh_from_db()
    assert application.lead_name == name
    assert application.status == ApplicationStatus.DRAFT


def test_autosave_saves_only_sent_fields(owner_client):
    application = complete_application()
    client = owner_client(application)
    response = client.post(url("autosave", application), {"innovation": "Nouveau texte"})
    assert response.status_code == 200
    assert response.json()["fields"] == ["innovation"]
    application.refresh_from_db()
    assert application.innovation == "Nouveau texte"
    assert application.diagnosis == "Un territoire rural où les services reculent."
    ignored = client.post(url("autosave", application), {"lead_name": "Ignoré"})
    assert ignored.json()["fields"] == []
    application.refresh_from_db()
    assert application.lead_name != "Ignoré"


def test_autosave_after_session_expiry_answers_401(client):
    application = complete_application()
    response = client.post(url("autosave", application), {"innovation": "x"})
    assert response.status_code == 401


def test_post_after_session_expiry_is_restored_after_login(client):
    application = complete_application()
    owner = application.owner
    # The session has expired: the POST arrives from an anonymous visitor.
    response = client.post(
        url("project", application),
        {"innovation": "Texte long tapé pendant une heure", "pole_name": "Pôle X"},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    application.refresh_from_db()
    assert application.innovation != "Texte long tapé pendant une heure"
    login = client.post(
        reverse("accounts:login"),
        {"username": owner.email, "password": PASSWORD, "next": url("project", application)},
    )
    assert login.status_code == 302
    page = client.get(url("project", application))
    content = page.content.decode()
    assert "Texte long tapé pendant une heure" in content
    assert "ont été restaurées" in content
    # Consumed once: a second visit shows what is stored.
    again = client.get(url("project", application)).content.decode()
    assert "Texte long tapé pendant une heure" not in again


def test_edit_after_submission_is_refused(owner_client, django_capture_on_commit_callbacks):
    application = complete_application()
    client = owner_client(application)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("submit", application), {"certify": "on"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    response = client.post(url("lead", application), {"lead_name": "Modifié après dépôt"})
    assert response.status_code == 302
    assert response.url == url("summary", application)
    application.refresh_from_db()
    assert application.lead_name != "Modifié après dépôt"
    follow = client.get(response.url)
    assert follow.status_code == 200
    autosave = client.post(url("autosave", application), {"innovation": "x"})
    assert autosave.status_code == 403


def test_summary_shows_every_section_links_and_verdicts(owner_client):
    application = complete_application(members=1)
    client = owner_client(application)
    content = client.get(url("summary", application)).content.decode()
    for step in ("lead", "members", "territory", "project", "budget", "attachments"):
        assert url(step, application) in content
    assert "Au moins trois personnes morales dans le groupement" in content
    assert "il en faut au moins trois" in content
    assert "Le dépôt sera possible quand le dossier sera complet et éligible" in content


def test_siret_helper_matches_registry():
    assert siret_with_valid_checksum("356000000", 1).startswith("356000000")


def test_every_page_renders_for_the_owner(owner_client):
    application = complete_application()
    member = application.members.first()
    client = owner_client(application)
    for name, args in [
        ("summary", []),
        ("lead", []),
        ("members", []),
        ("member_edit", [member.pk]),
        ("territory", []),
        ("project", []),
        ("budget", []),
        ("attachments", []),
        ("withdraw", []),
        ("duplicate", []),
        ("invite", []),
    ]:
        response = client.get(url(name, application, *args))
        assert response.status_code == 200, name
    budget = client.get(url("budget", application)).content.decode()
    assert "phase 1 seule" in budget


def test_anonymous_post_to_an_action_goes_to_login_then_back_to_the_page(client):
    application = complete_application()
    response = client.post(url("submit", application), {"certify": "on"})
    assert response.status_code == 302
    assert response.url == (reverse("accounts:login") + "?next=" + url("summary", application))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_siret_of_a_closed_establishment_is_refused_when_the_register_knows_it(owner_client):
    pytest.importorskip("registry.services", reason="register interface not installed yet")
    from registry.factories import EstablishmentFactory

    closed = EstablishmentFactory(closed=True)
    application = complete_application(members=0)
    client = owner_client(application)
    lead = client.post(url("lead", application), {"lead_siret": closed.siret})
    assert "est fermé" in lead.content.decode()
    member = client.post(
        url("members", application),
        {"kind": "organisation", "siret": closed.siret, "name": "X", "category": "other"},
    )
    assert "est fermé" in member.content.decode()
    assert not application.members.exists()


# ------------------------------------------------- fields needed to submit, not « optional »

# The form fields whose value step_problems checks through another attribute.
CHECKED_AS = {"lead_postal_code": "lead_commune", "lead_city": "lead_commune"}


@pytest.mark.parametrize("form_class", ["LeadForm", "ProjectForm"])
def test_required_to_submit_is_exactly_what_the_submission_needs(form_class):
    """A field is labelled « Obligatoire pour déposer le dossier » if and only if leaving it
    empty is reported as missing on the summary (applications.services.step_problems)."""
    from applications import forms as step_forms
    from applications.services import step_problems

    form = getattr(step_forms, form_class)
    needed = set()
    for name in form._meta.fields:
        application = complete_application()
        attr = CHECKED_AS.get(name, name)
        field = Application._meta.get_field(attr)
        blank = None if field.null or field.is_relation else ""
        if field.get_internal_type() == "JSONField":
            blank = []
        setattr(application, attr, blank)
        if any(step_problems(application).values()):
            needed.add(name)
    assert needed == set(form.required_to_submit)


def test_lead_step_labels_say_which_fields_the_submission_needs(owner_client):
    application = ApplicationFactory()
    client = owner_client(application)
    page = " ".join(client.get(url("lead", application)).content.decode().split())
    assert "Adresse (Optionnel)" not in page
    assert 'Adresse <span class="fr-hint-text" id="id_lead_address_helptext">' in page
    assert "Obligatoire pour déposer le dossier." in page
    assert "Téléphone du contact (Optionnel)" in page  # really optional
    assert 'required id="id_lead_address"' not in page and " required " not in page


def test_empty_draft_still_saves_with_the_fields_the_submission_needs(owner_client):
    application = ApplicationFactory(lead_address="1 rue du Lac")
    client = owner_client(application)
    response = client.post(url("lead", application), {"lead_address": "", "action": "save"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.lead_address == ""
    response = client.post(url("project", application), {"pole_name": "", "action": "save"})
    assert response.status_code == 302


def test_territory_step_shows_existing_ptce_on_the_territory(owner_client):
    from laureates.factories import PtceFactory
    from laureates.services import set_ptce_territory

    existing = PtceFactory(name="Pôle des Monts du Lyonnais")
    set_ptce_territory(existing, commune_codes=["69062", "69238"])
    application = ApplicationFactory()
    client = owner_client(application)
    client.post(url("territory", application), {"communes": ["69062", "42059"], "action": "save"})
    page = client.get(url("territory", application)).content.decode()
    assert "PTCE existants sur ce territoire" in page
    assert (
        f'<a href="/annuaire/{existing.slug}/">Pôle des Monts du Lyonnais</a> — 1 commune en commun'
        in page
    )


@pytest.mark.parametrize(
    ("name", "length", "limit"),
    [("pole_name", 5_000, 255), ("diagnosis", 20_001, 20_000), ("strategy", 25_000, 20_000)],
)
def test_autosave_applies_the_step_form_lengths(owner_client, name, length, limit):
    """Issue 22: autosave stored a 5 000-character pole name that the form limits to 255."""
    application = complete_application()
    client = owner_client(application)
    before = getattr(application, name)
    response = client.post(url("autosave", application), {name: "x" * length})
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert response.json()["field"] == name
    assert response.json()["message"] == (
        f"Assurez-vous que cette valeur comporte au plus {limit} caractères "
        f"(actuellement {length})."
    )
    application.refresh_from_db()
    assert getattr(application, name) == before
    # The step form says the same.
    from applications.forms import ProjectForm

    form = ProjectForm({name: "x" * length}, instance=application)
    assert not form.is_valid() and name in form.errors
    assert client.post(url("autosave", application), {name: "x" * limit}).status_code == 200
