"""Stored e-mail templates: validation, rendering, versions, conflicts, fallback."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.factories import UserFactory
from calls.factories import CallFactory
from core.models import AuditLog, OutboundEmail
from core.outbox import queue_templated_email
from mailing import services
from mailing.catalogue import KINDS, default_text
from mailing.models import EmailTemplate, EmailTemplateVersion
from mailing.rendering import TemplateError, markdown_to_html

pytestmark = pytest.mark.django_db


def _receipt_context(call=None):
    call = call or CallFactory(title="Appel 2027")
    return {
        "application": {
            "reference": "PTCE-2027-0007",
            "display_name": "Pôle d’Aurillac",
            "call": {"title": call.title},
            "uuid": "abc",
        },
        "call": call,
        "submission": {"reference": "PTCE-2027-0007", "sha256": "f" * 64},
        "submitted_at": "5 décembre 2026 à 14 h 03",
    }


def test_every_email_has_a_shipped_default_that_validates():
    for kind in KINDS:
        subject, body = default_text(kind.key)
        services.validate(kind.key, subject, body)
    assert len(KINDS) == 32


def test_data_migration_loaded_every_default_as_version_one():
    assert EmailTemplate.objects.filter(call__isnull=True).count() == len(KINDS)
    template = EmailTemplate.objects.get(key="application_receipt", call=None)
    assert (template.subject, template.body) == default_text("application_receipt")
    assert list(template.versions.values_list("number", "note")) == [(1, "texte d’origine")]


def test_unknown_placeholder_refused_with_french_message():
    with pytest.raises(TemplateError) as error:
        services.validate_body("application_receipt", "Bonjour {{ application.owner.password }}")
    assert error.value.message == (
        "L’emplacement « {{ application.owner.password }} » n’existe pas pour ce courriel. "
        "Choisissez-en un dans la liste des emplacements disponibles."
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{% if application.reference %}sans fin",
            "Une balise {% if %} n’est pas refermée par {% endif %}.",
        ),
        (
            "{% url 'accounts:login' %}",
            "Seules les balises {% if %}, {% elif %}, {% else %} et {% endif %} sont autorisées.",
        ),
        (
            "{% include 'base.html' %}",
            "Seules les balises {% if %}, {% elif %}, {% else %} et {% endif %} sont autorisées.",
        ),
        ("{{ application.reference|safe }}", "Le filtre « safe » n’est pas autorisé."),
        ("{{ }}", "Un emplacement {{ … }} est mal écrit (accolades, espaces ou caractères)."),
        (
            "{% debug %}",
            "Seules les balises {% if %}, {% elif %}, {% else %} et {% endif %} sont autorisées.",
        ),
    ],
)
def test_syntax_errors_and_forbidden_tags_refused(body, message):
    with pytest.raises(TemplateError) as error:
        services.validate_body("application_receipt", body)
    assert error.value.message == message


def test_one_megabyte_body_refused():
    with pytest.raises(TemplateError) as error:
        services.validate_body("application_receipt", "a" * 1_048_576)
    assert error.value.message == (
        "Le texte est trop long (1\u202f048\u202f576 caractères) : 20\u202f000 caractères au plus."
    )


def test_html_and_script_in_text_and_values_never_reach_the_html_part():
    html = markdown_to_html('**Gras** <script>alert(1)</script> <img src=x onerror="alert(2)">')
    assert html == (
        "<p><strong>Gras</strong> &lt;script&gt;alert(1)&lt;/script&gt; "
        '&lt;img src=x onerror="alert(2)"&gt;</p>\n'
    )


def test_markdown_link_with_javascript_url_is_removed():
    assert markdown_to_html("[clic](javascript:alert(1))") == "<p>[clic](javascript:alert(1))</p>\n"


def test_save_creates_a_version_and_an_audit_entry_and_the_next_email_uses_it(
    django_capture_on_commit_callbacks,
):
    national = UserFactory(national=True)
    template = EmailTemplate.objects.get(key="application_receipt", call=None)
    services.save_template(
        "application_receipt",
        subject="Dossier bien reçu : {{ submission.reference }}",
        body="Bonjour,\n\nNous avons **bien reçu** le dossier {{ application.reference }}.\n",
        expected_version=template.version,
        actor=national,
    )
    template.refresh_from_db()
    assert template.version == 2
    assert template.updated_by == national
    assert list(template.versions.values_list("number", flat=True)) == [2, 1]
    entry = AuditLog.objects.filter(action="mailing.template_saved").get()
    assert entry.actor_label == national.email
    assert entry.before["version"] == 1 and entry.after["version"] == 2
    with django_capture_on_commit_callbacks():
        email = queue_templated_email(
            ["porteur@exemple.fr"], "application_receipt", _receipt_context()
        )
    assert email.subject == "Dossier bien reçu : PTCE-2027-0007"
    assert email.body == "Bonjour,\n\nNous avons **bien reçu** le dossier PTCE-2027-0007.\n"
    assert "<strong>bien reçu</strong> le dossier PTCE-2027-0007" in email.html_body


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten():
    first, second = UserFactory(national=True), UserFactory(admin=True)
    template = EmailTemplate.objects.get(key="review_assigned", call=None)
    opened = template.version
    services.save_template(
        "review_assigned",
        subject="Premier",
        body="Texte du premier",
        expected_version=opened,
        actor=first,
    )
    with pytest.raises(services.EditConflict) as error:
        services.save_template(
            "review_assigned",
            subject="Second",
            body="Texte du second",
            expected_version=opened,
            actor=second,
        )
    assert error.value.current.subject == "Premier"
    template.refresh_from_db()
    assert (template.subject, template.body, template.version) == ("Premier", "Texte du premier", 2)
    assert template.versions.count() == 2


def test_only_national_staff_may_save():
    reviewer = UserFactory(reviewer=True)
    with pytest.raises(PermissionDenied):
        services.save_template(
            "review_assigned", subject="x", body="y", expected_version=1, actor=reviewer
        )


def test_call_override_used_for_that_call_only_and_deleting_it_falls_back(
    django_capture_on_commit_callbacks,
):
    national = UserFactory(national=True)
    special, other = CallFactory(title="Appel spécial"), CallFactory(title="Autre appel")
    override = services.save_template(
        "application_receipt",
        call=special,
        subject="Reçu (appel spécial) {{ submission.reference }}",
        body="Texte propre.",
        expected_version=None,
        actor=national,
    )
    with django_capture_on_commit_callbacks():
        for_special = queue_templated_email(
            "a@exemple.fr", "application_receipt", _receipt_context(special)
        )
        for_other = queue_templated_email(
            "b@exemple.fr", "application_receipt", _receipt_context(other)
        )
    assert for_special.subject == "Reçu (appel spécial) PTCE-2027-0007"
    assert for_other.subject == "Dossier déposé : PTCE-2027-0007"
    services.delete_override(override, actor=national)
    assert services.render_email("application_receipt", _receipt_context(special)).subject == (
        "Dossier déposé : PTCE-2027-0007"
    )
    assert AuditLog.objects.filter(action="mailing.template_deleted").count() == 1


def test_deleted_template_in_use_falls_back_to_the_shipped_default():
    EmailTemplate.objects.filter(key="application_receipt").delete()
    rendered = services.render_email("application_receipt", _receipt_context())
    assert rendered.subject == "Dossier déposé : PTCE-2027-0007"
    assert "Empreinte SHA-256 du contenu déposé : " + "f" * 64 in rendered.text


def test_restore_brings_back_an_old_text_as_a_new_version():
    national = UserFactory(national=True)
    services.save_template(
        "review_assigned",
        subject="Nouveau",
        body="Nouveau texte",
        expected_version=1,
        actor=national,
    )
    version_one = EmailTemplateVersion.objects.get(template__key="review_assigned", number=1)
    template = services.restore_version(version_one, expected_version=2, actor=national)
    assert (template.subject, template.version) == (
        "Dossier à instruire : {{ application.reference }}",
        3,
    )
    assert template.versions.get(number=3).note == "restauration de la version 1"


def test_send_test_goes_through_the_outbox_to_the_editor(django_capture_on_commit_callbacks):
    national = UserFactory(national=True, email="cellule@exemple.gouv.fr")
    subject, body = default_text("application_receipt")
    with django_capture_on_commit_callbacks():
        email = services.send_test("application_receipt", subject, body, actor=national)
    assert email.to == ["cellule@exemple.gouv.fr"]
    assert email.subject == "[Essai] Dossier déposé : PTCE-2026-0042"
    assert "Pôle coopératif du Cantal" in email.body
    assert email.status == OutboundEmail.Status.PENDING


def test_load_email_templates_recreates_only_missing_ones_and_dry_runs_by_default():
    from io import StringIO

    from django.core.management import call_command

    EmailTemplate.objects.filter(key="review_assigned").delete()
    edited = EmailTemplate.objects.get(key="application_receipt", call=None)
    edited.subject = "Modifié"
    edited.save()
    out = StringIO()
    call_command("load_email_templates", stdout=out)
    assert not EmailTemplate.objects.filter(key="review_assigned").exists()
    assert out.getvalue().endswith(
        "1 modèle(s) à créer (simulation, ajoutez --wet-run) ; 31 déjà présent(s), inchangé(s).\n"
    )
    call_command("load_email_templates", "--wet-run", stdout=StringIO())
    assert EmailTemplate.objects.get(key="review_assigned").versions.count() == 1
    assert EmailTemplate.objects.get(key="application_receipt", call=None).subject == "Modifié"


def test_a_foreign_address_typed_in_a_name_never_becomes_a_link(settings):
    from mailing.rendering import markdown_to_html

    settings.SITE_URL = "https://ptce.example.gouv.fr"
    html = markdown_to_html(
        "Inscription de http://phish.example/login et de [ici](https://phish.example/x).\\n"
        "Votre accès : https://ptce.example.gouv.fr/evenements/a/ ; "
        "texte de loi : https://www.legifrance.gouv.fr/loda/id/JORFTEXT000029313296"
    )
    assert 'href="http://phish.example' not in html
    assert 'href="https://phish.example' not in html
    assert '<a href="https://ptce.example.gouv.fr/evenements/a/"' in html
    assert 'href="https://www.legifrance.gouv.fr/loda/id/JORFTEXT000029313296"' in html
