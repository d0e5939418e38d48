"""Reading and editing letter texts and public page blocks: validation, optimistic locking
(a save based on an old revision is a conflict, nothing is overwritten), versions, restore,
audit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.permissions import is_national
from core import audit
from editorial import markup
from editorial.defaults import (
    LETTER_FIELDS,
    LETTERS,
    PAGE_PLACEHOLDERS,
    PAGES,
    PLACEHOLDERS,
)
from editorial.models import LetterText, LetterTextVersion, PageBlock, PageBlockVersion

MARKUP_FIELDS = ("body", "appeal", "closing")
SHORT_LIMIT = 200


class EditError(ValueError):
    """Refused edit; ``errors`` maps a field name (or ``None``) to French messages."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


class Conflict(EditError):
    pass


def can_edit(user) -> bool:
    """National cell and programme admin."""
    return is_national(user)


# Letters ---------------------------------------------------------------------------------


def stored_letter(kind: str, call=None) -> LetterText | None:
    return LetterText.objects.filter(kind=kind, call=call).first()


def letter_content(kind: str, call=None) -> dict[str, str]:
    """The texts in force for ``kind``: the call's override, else the text common to every
    call, else the shipped default (also used when a row was deleted)."""
    content = dict(LETTERS[kind])
    rows = LetterText.objects.filter(kind=kind)
    rows = rows.filter(Q(call__isnull=True) | Q(call=call)) if call else rows.filter(call=None)
    # The text common to every call first, then the call's own override on top.
    for row in sorted(rows, key=lambda row: row.call_id is not None):
        content |= {field: getattr(row, field) for field in LETTER_FIELDS}
    return content


def rendered_letter(kind: str, values: dict, content: dict | None = None) -> dict:
    """Texts ready for a PDF template: markup fields as sanitised HTML with the placeholders
    filled, short fields as plain strings. ``content`` defaults to the shipped texts (no
    database access: the PDF functions stay pure)."""
    content = {**LETTERS[kind], **(content or {})}
    rendered = {field: content[field] for field in LETTER_FIELDS}
    for field in MARKUP_FIELDS:
        rendered[field] = markup.render(content[field], values)
    rendered["contact"] = content["contact"]
    return rendered


def letter_problems(kind: str, data: dict) -> dict:
    allowed = PLACEHOLDERS[kind]
    errors = {}
    for field in LETTER_FIELDS:
        value = data.get(field, "")
        if field in MARKUP_FIELDS:
            found = markup.problems(value, allowed)
        elif len(value) > (markup.MAX_LENGTH if field == "contact" else SHORT_LIMIT):
            found = ["Ce champ est trop long."]
        else:
            found = []
        if field == "body" and not value.strip():
            found.append("Le texte principal ne peut pas être vide.")
        if found:
            errors[field] = found
    return errors


def save_letter(kind: str, call, data: dict, *, base_revision: int, actor) -> LetterText:
    """Save the texts of ``kind`` for ``call`` (``None``: every call). ``base_revision`` is
    the revision the editor started from (0 when nothing was stored)."""
    if not can_edit(actor):
        raise EditError({None: ["Seule la cellule nationale modifie les courriers."]})
    errors = letter_problems(kind, data)
    if errors:
        raise EditError(errors)
    content = {field: data.get(field, "") for field in LETTER_FIELDS}
    with transaction.atomic():
        row = LetterText.objects.select_for_update().filter(kind=kind, call=call).first()
        current = row.revision if row else 0
        if current != base_revision:
            raise Conflict(
                {
                    None: [
                        "Ce texte a été modifié par quelqu’un d’autre pendant que vous "
                        "l’éditiez (révision "
                        f"{current}) : vos changements ne sont pas enregistrés. Rechargez la "
                        "page, puis reportez-les."
                    ]
                }
            )
        before = {f: getattr(row, f) for f in LETTER_FIELDS} if row else None
        if row is None:
            row = LetterText(kind=kind, call=call, revision=1)
        else:
            row.revision += 1
        for field, value in content.items():
            setattr(row, field, value)
        row.updated_by = actor
        row.save()
        LetterTextVersion.objects.create(
            letter=row, revision=row.revision, content=content, created_by=actor
        )
        audit.record("editorial.letter_saved", actor=actor, obj=row, before=before, after=content)
    return row


def restore_letter(version: LetterTextVersion, *, actor) -> LetterText:
    letter = version.letter
    return save_letter(
        letter.kind,
        letter.call,
        {field: version.content.get(field, "") for field in LETTER_FIELDS},
        base_revision=letter.revision,
        actor=actor,
    )


# Public pages ----------------------------------------------------------------------------


def page_text(key: str) -> str:
    row = PageBlock.objects.filter(key=key).only("body").first()
    return row.body if row is not None else PAGES[key]


def render_page(key: str, body: str | None = None):
    return markup.render(
        page_text(key) if body is None else body, {"plateforme": settings.PLATFORM_NAME}
    )


def save_page(key: str, body: str, *, base_revision: int, actor) -> PageBlock:
    if not can_edit(actor):
        raise EditError({None: ["Seule la cellule nationale modifie les pages publiques."]})
    found = markup.problems(body, PAGE_PLACEHOLDERS)
    if not body.strip():
        found.append("Le texte ne peut pas être vide.")
    if found:
        raise EditError({"body": found})
    with transaction.atomic():
        row = PageBlock.objects.select_for_update().filter(key=key).first()
        current = row.revision if row else 0
        if current != base_revision:
            raise Conflict(
                {
                    None: [
                        "Ce texte a été modifié par quelqu’un d’autre pendant que vous "
                        f"l’éditiez (révision {current}) : vos changements ne sont pas "
                        "enregistrés. Rechargez la page, puis reportez-les."
                    ]
                }
            )
        before = {"body": row.body} if row else None
        if row is None:
            row = PageBlock(key=key, body=body, revision=1)
        else:
            row.body, row.revision = body, row.revision + 1
        row.updated_by = actor
        row.save()
        PageBlockVersion.objects.create(
            block=row, revision=row.revision, body=body, created_by=actor
        )
        audit.record(
            "editorial.page_saved", actor=actor, obj=row, before=before, after={"body": body}
        )
    return row


def restore_page(version: PageBlockVersion, *, actor) -> PageBlock:
    block = version.block
    return save_page(block.key, version.body, base_revision=block.revision, actor=actor)
