"""A small, safe template language for e-mails edited by staff.

Django's template syntax restricted to ``{{ placeholder|filter }}`` and ``{% if %}`` /
``{% elif %}`` / ``{% else %}`` / ``{% endif %}``; every placeholder must be declared for the
e-mail (``mailing.catalogue``). The body is plain text with light Markdown: the text part is
the rendered text as is, the HTML part is that text through markdown-it (raw HTML disabled)
then sanitised by nh3.
"""

import re
from dataclasses import dataclass

import nh3
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, VariableNode
from django.template.defaulttags import IfNode, TemplateLiteral
from markdown_it import MarkdownIt

ALLOWED_FILTERS = {
    "capfirst",
    "date",
    "default",
    "floatformat",
    "join",
    "lower",
    "pluralize",
    "title",
    "upper",
    "yesno",
}
MAX_SUBJECT_LENGTH = 255
MAX_BODY_LENGTH = 20_000

_engine = Engine(
    builtins=["django.template.defaulttags", "django.template.defaultfilters"],
    autoescape=False,
    libraries={},
)
_filter_names = {
    func: name for name, func in _engine.template_builtins[1].filters.items()
}  # defaultfilters
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False})


class TemplateError(ValueError):
    """A template a person typed cannot be used; ``message`` is French, for the form."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _french_syntax_error(error: TemplateSyntaxError) -> str:
    text = str(error)
    if "Invalid block tag" in text:
        tag = text.split("'")[1] if "'" in text else ""
        return (
            f"La balise « {{% {tag} %}} » n’est pas autorisée : seules {{% if %}}, "
            "{% elif %}, {% else %} et {% endif %} le sont."
        )
    if "Unclosed tag" in text:
        return "Une balise {% if %} n’est pas refermée par {% endif %}."
    if "Invalid filter" in text:
        name = text.split("'")[1] if "'" in text else ""
        return f"Le filtre « {name} » n’est pas autorisé."
    if "Could not parse" in text or "Empty variable tag" in text:
        return "Un emplacement {{ … }} est mal écrit (accolades, espaces ou caractères)."
    return "Erreur de syntaxe dans le modèle : vérifiez les balises {% … %} et {{ … }}."


def _check_expression(expression: FilterExpression, allowed: set[str], found: set[str]) -> None:
    var = expression.var
    lookups = getattr(var, "lookups", None)
    if lookups:
        path = ".".join(lookups)
        if path not in allowed:
            raise TemplateError(
                f"L’emplacement « {{{{ {path} }}}} » n’existe pas pour ce courriel. "
                "Choisissez-en un dans la liste des emplacements disponibles."
            )
        found.add(path)
    for func, args in expression.filters:
        name = _filter_names.get(func, getattr(func, "__name__", "?"))
        if name not in ALLOWED_FILTERS:
            raise TemplateError(f"Le filtre « {name} » n’est pas autorisé.")
        for is_lookup, arg in args:
            if is_lookup:
                _check_expression(_Wrap(arg), allowed, found)


class _Wrap:
    """Adapts a filter argument (a Variable) to the FilterExpression shape checked above."""

    def __init__(self, variable):
        self.var = variable
        self.filters = []


def _check_condition(condition, allowed: set[str], found: set[str]) -> None:
    if condition is None:
        return
    if isinstance(condition, TemplateLiteral):
        _check_expression(condition.value, allowed, found)
        return
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        _check_condition(part, allowed, found)


def _check_nodes(nodelist, allowed: set[str], found: set[str]) -> None:
    for node in nodelist:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            _check_expression(node.filter_expression, allowed, found)
        elif isinstance(node, IfNode):
            for condition, children in node.conditions_nodelists:
                _check_condition(condition, allowed, found)
                _check_nodes(children, allowed, found)
        else:
            raise TemplateError(
                "Seules les balises {% if %}, {% elif %}, {% else %} et {% endif %} sont "
                "autorisées."
            )


def compile_template(source: str, allowed: set[str]):
    """Parse ``source`` and check it only uses ``allowed`` placeholders and safe tags.

    Returns the compiled template and the set of placeholders it uses; raises
    :class:`TemplateError` with a French message otherwise.
    """
    try:
        template = _engine.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(_french_syntax_error(error)) from error
    found: set[str] = set()
    _check_nodes(template.nodelist, allowed, found)
    return template, found


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


_BARE_URL = re.compile(r"(?<![<(\[])\bhttps?://[^\s<>()]*[^\s<>().,;:!?»’\"']")


def _trusted_link(url: str) -> bool:
    """Links an e-mail may carry: the platform's own addresses and the State's (``.gouv.fr``).
    Any other address — typed by a visitor in a name, for instance « http://phish… » —
    stays plain text, so a platform e-mail never offers a foreign link (issue 22)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    if url.startswith(settings.SITE_URL.rstrip("/") + "/") or url == settings.SITE_URL:
        return True
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == "gouv.fr" or host.endswith(".gouv.fr"))


def _keep_trusted_href(element: str, attribute: str, value: str):
    if element == "a" and attribute == "href":
        return value if _trusted_link(value) else None
    return value


def markdown_to_html(text: str) -> str:
    """Light Markdown → HTML (bare addresses become links, raw HTML is shown as text), then
    sanitised by nh3, keeping only links to the platform and to the State's sites."""
    html = _markdown.render(_BARE_URL.sub(r"<\g<0>>", text))
    return nh3.clean(html, attribute_filter=_keep_trusted_href)


def render(subject: str, body: str, allowed: set[str], context: dict) -> RenderedEmail:
    subject_template, _ = compile_template(subject, allowed)
    body_template, _ = compile_template(body, allowed)
    ctx = Context(context, autoescape=False)
    # Template.render returns a SafeString: make it plain text again so that every page that
    # shows it escapes it (found by the injection test of the preview).
    rendered_subject = " ".join(str.__str__(subject_template.render(ctx)).split())
    text = str.__str__(body_template.render(ctx))
    return RenderedEmail(rendered_subject[:MAX_SUBJECT_LENGTH], text, markdown_to_html(text))
