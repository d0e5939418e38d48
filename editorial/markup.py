"""The small safe markup of editable texts: Markdown (CommonMark, markdown-it-py) sanitised by
nh3 (Ammonia), with ``{{ placeholder }}`` fields replaced by escaped values.

Order matters: the Markdown is rendered and sanitised first, the placeholders are replaced
afterwards by HTML-escaped values, so neither the author nor a candidate's data can inject
markup. Validation reports unknown placeholders and syntax errors in French.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

MAX_LENGTH = 20_000
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


class MarkupError(ValueError):
    """The text cannot be accepted; ``messages`` lists every reason in French."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def problems(text: str, allowed: Iterable[str]) -> list[str]:
    """Every reason why ``text`` is refused (empty list: accepted)."""
    allowed = set(allowed)
    found = []
    if len(text) > MAX_LENGTH:
        found.append(
            f"Le texte dépasse la longueur maximale ({len(text):,} caractères pour "
            f"{MAX_LENGTH:,} autorisés).".replace(",", "\u00a0")
        )
        return found
    if "{%" in text or "%}" in text:
        found.append("Les balises « {% … %} » ne sont pas permises ; utilisez « {{ champ }} ».")
    stripped = PLACEHOLDER.sub("", text)
    if "{{" in stripped or "}}" in stripped:
        found.append(
            "Accolades mal formées : chaque champ s’écrit « {{ nom_du_champ }} », en "
            "minuscules, ouvert et fermé par deux accolades."
        )
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in allowed})
    if unknown:
        names = ", ".join(f"« {{{{ {name} }}}} »" for name in unknown)
        available = ", ".join(sorted(allowed)) or "aucun"
        found.append(
            f"Champ inconnu : {names}. Champs disponibles : {available}."
            if len(unknown) == 1
            else f"Champs inconnus : {names}. Champs disponibles : {available}."
        )
    return found


def validate(text: str, allowed: Iterable[str]) -> None:
    found = problems(text, allowed)
    if found:
        raise MarkupError(found)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )


def render(text: str, values: Mapping[str, object] | None = None) -> SafeString:
    """Markdown → sanitised HTML, then placeholders replaced by escaped values (an unknown
    placeholder left in a stored text prints as an empty string)."""
    html = sanitise(_markdown.render(text or ""))
    values = values or {}
    html = PLACEHOLDER.sub(lambda match: str(escape(values.get(match.group(1), ""))), html)
    return mark_safe(html)  # noqa: S308 — sanitised by nh3, values escaped
