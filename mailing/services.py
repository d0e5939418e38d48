"""Stored e-mail templates: render for sending, save with optimistic locking, history, restore.

Who may change them is checked here (national cell and programme administrators).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.permissions import is_national
from core import audit
from mailing import rendering
from mailing.catalogue import default_text, demo_context, get_kind
from mailing.models import EmailTemplate, EmailTemplateVersion
from mailing.rendering import MAX_BODY_LENGTH, RenderedEmail, TemplateError


class EditConflict(Exception):
    """Someone saved the template since the form was opened."""

    def __init__(self, current: EmailTemplate):
        super().__init__("conflit de version")
        self.current = current


def allowed_placeholders(key: str) -> set[str]:
    return set(get_kind(key).all_placeholders)


def validate_subject(key: str, subject: str) -> None:
    """Raise :class:`TemplateError` (French message) if the subject cannot be used."""
    if not subject.strip():
        raise TemplateError("L’objet du courriel est obligatoire.")
    if "\n" in subject.strip():
        raise TemplateError("L’objet tient sur une seule ligne.")
    if len(subject) > rendering.MAX_SUBJECT_LENGTH:
        raise TemplateError(
            f"L’objet est trop long ({len(subject)} caractères) : 255 caractères au plus."
        )
    rendering.compile_template(subject, allowed_placeholders(key))


def validate_body(key: str, body: str) -> None:
    """Raise :class:`TemplateError` (French message) if the body cannot be used."""
    if not body.strip():
        raise TemplateError("Le texte du courriel est obligatoire.")
    if len(body) > MAX_BODY_LENGTH:
        raise TemplateError(
            f"Le texte est trop long ({_number(len(body))} caractères) : "
            f"{_number(MAX_BODY_LENGTH)} caractères au plus."
        )
    rendering.compile_template(body, allowed_placeholders(key))


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def validate(key: str, subject: str, body: str) -> None:
    validate_subject(key, subject)
    validate_body(key, body)


def current_template(key: str, call_id=None) -> EmailTemplate | None:
    """The call's override if any, else the template for every call (``None`` if deleted)."""
    candidates = EmailTemplate.objects.filter(key=key)
    if call_id:
        override = candidates.filter(call_id=call_id).first()
        if override:
            return override
    return candidates.filter(call__isnull=True).first()


def texts_for(key: str, call_id=None) -> tuple[str, str]:
    template = current_template(key, call_id)
    if template is not None:
        return template.subject, template.body
    return default_text(key)


def _call_id_of(context: dict):
    call = context.get("call")
    if call is not None:
        return getattr(call, "pk", None)
    application = context.get("application")
    return getattr(application, "call_id", None)


def render_email(key: str, context: dict, *, call_id=None) -> RenderedEmail:
    """Render the stored template of ``key`` (the call's override first, then the template
    for every call, then the shipped default). A stored text that no longer validates (e.g. a
    placeholder removed in code) falls back to the shipped default rather than failing."""
    context = {"site_url": settings.SITE_URL, "platform_name": settings.PLATFORM_NAME, **context}
    allowed = allowed_placeholders(key)
    subject, body = texts_for(key, call_id if call_id is not None else _call_id_of(context))
    try:
        return rendering.render(subject, body, allowed, context)
    except TemplateError:
        subject, body = default_text(key)
        return rendering.render(subject, body, allowed, context)


def preview(key: str, subject: str, body: str) -> RenderedEmail:
    validate(key, subject, body)
    return rendering.render(subject, body, allowed_placeholders(key), demo_context(key))


def _check_actor(actor):
    if not is_national(actor):
        raise PermissionDenied


def save_template(
    key: str, *, call=None, subject: str, body: str, expected_version: int | None, actor, note=""
) -> EmailTemplate:
    """Save new texts for ``key`` (for ``call`` or every call), as a new version.

    ``expected_version`` is the version the editor started from (``None`` when creating a call
    override): if someone saved in between, :class:`EditConflict` is raised and nothing changes.
    """
    _check_actor(actor)
    get_kind(key)
    body = body.replace("\r\n", "\n")
    subject = subject.strip()
    validate(key, subject, body)
    with transaction.atomic():
        template = (
            EmailTemplate.objects.select_for_update()
            .filter(key=key, call=call if call is not None else None)
            .first()
        )
        if template is None:
            if expected_version not in (None, 0):
                raise EditConflict(current_template(key, getattr(call, "pk", None)))
            template = EmailTemplate.objects.create(
                key=key, call=call, subject=subject, body=body, version=1, updated_by=actor
            )
            before = None
        else:
            if expected_version != template.version:
                raise EditConflict(template)
            before = {
                "subject": template.subject,
                "body": template.body,
                "version": template.version,
            }
            template.subject, template.body = subject, body
            template.version += 1
            template.updated_by = actor
            template.save()
        EmailTemplateVersion.objects.create(
            template=template,
            number=template.version,
            subject=subject,
            body=body,
            created_by=actor,
            note=note,
        )
        audit.record(
            "mailing.template_saved",
            actor=actor,
            obj=template,
            before=before,
            after={"subject": subject, "body": body, "version": template.version},
        )
    return template


def restore_version(version: EmailTemplateVersion, *, expected_version: int, actor):
    """Bring back an earlier text as a new version (the history is never rewritten)."""
    return save_template(
        version.template.key,
        call=version.template.call,
        subject=version.subject,
        body=version.body,
        expected_version=expected_version,
        actor=actor,
        note=f"restauration de la version {version.number}",
    )


def restore_default(key: str, *, call=None, expected_version: int | None, actor):
    subject, body = default_text(key)
    return save_template(
        key,
        call=call,
        subject=subject,
        body=body,
        expected_version=expected_version,
        actor=actor,
        note="texte d’origine rétabli",
    )


def delete_override(template: EmailTemplate, *, actor) -> None:
    """Remove a call's override: that call's e-mails use the text for every call again."""
    _check_actor(actor)
    if template.call_id is None:
        raise PermissionDenied("Le modèle commun à tous les appels ne se supprime pas.")
    with transaction.atomic():
        audit.record(
            "mailing.template_deleted",
            actor=actor,
            obj=template,
            before={
                "subject": template.subject,
                "body": template.body,
                "version": template.version,
            },
        )
        template.delete()


def send_test(key: str, subject: str, body: str, *, actor):
    """Queue the text, filled with demo data, to the person editing it (through the outbox)."""
    from core.outbox import queue_email

    _check_actor(actor)
    rendered = preview(key, subject, body)
    email = queue_email(
        actor.email,
        f"[Essai] {rendered.subject}"[:255],
        rendered.text,
        html_body=rendered.html,
        template=f"test:{key}",
    )
    audit.record("mailing.test_sent", actor=actor, obj=email, after={"key": key, "to": actor.email})
    return email
