"""PDF documents from HTML templates and print CSS, rendered with WeasyPrint (ADR 0012-l).

Every document (receipts, decision letters, committee minutes, agreements, file snapshots)
is a Django template under ``templates/pdf/`` extending ``pdf/base.html``: the DSFR identity
block (« RÉPUBLIQUE FRANÇAISE »), the Marianne font bundled by django-dsfr, a footer with the
document title and page number. User text goes through Django's autoescaping, so HTML typed in
a field prints as text. Fonts and images are read from local files only: the URL fetcher
refuses every other scheme, a document never reaches the network.

WeasyPrint needs Pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``); when it is missing,
``PdfUnavailable`` says so in French instead of an obscure ``OSError``.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

CSS_PATH = Path(__file__).resolve().parent / "pdf" / "print.css"
FONTS = {
    "MARIANNE_REGULAR": "dsfr/dist/fonts/Marianne-Regular.woff",
    "MARIANNE_BOLD": "dsfr/dist/fonts/Marianne-Bold.woff",
    "MARIANNE_ITALIC": "dsfr/dist/fonts/Marianne-Regular_Italic.woff",
}


# fontTools logs every subsetting step at INFO level; WeasyPrint's own progress likewise.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load its system libraries (Pango)."""


@cache
def _weasyprint():
    try:
        import weasyprint
    except OSError as error:  # cffi could not dlopen libpango / libpangoft2
        raise PdfUnavailable(
            "Impossible de produire les PDF : les bibliothèques Pango manquent sur ce serveur. "
            "Sous Debian ou Ubuntu : apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            f"(détail : {error})."
        ) from error
    return weasyprint


def _font_url(static_path: str) -> str:
    found = finders.find(static_path)
    if not found:
        raise PdfUnavailable(f"Police introuvable dans les fichiers statiques : {static_path}.")
    return Path(found).as_uri()


@cache
def _stylesheet_text() -> str:
    css = CSS_PATH.read_text(encoding="utf-8")
    for key, static_path in FONTS.items():
        css = css.replace(f"{{{{{key}}}}}", _font_url(static_path))
    return css


def html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    # Local files only (fonts, images): a document never fetches anything from the network.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file"}, fail_on_errors=True)
    fonts = FontConfiguration()
    stylesheet = weasyprint.CSS(string=_stylesheet_text(), url_fetcher=fetcher, font_config=fonts)
    document = weasyprint.HTML(string=html, base_url=str(CSS_PATH.parent), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_identifier=b"plateforme-ptce"
    )


def render_pdf(template_name: str, context: dict, *, title: str) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes."""
    html = render_to_string(template_name, {**context, "document_title": title})
    return html_to_pdf(html)
