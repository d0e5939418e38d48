"""The staff's full-text index of the files (core/search.py): ``ReviewSummary.search_text``,
the folded reference, pôle, lead, members, SIRET and SIREN written by
``reviews.identity.refresh_identity``. No title (``name_field=None``): the text alone."""

from core.search import FullTextIndex

FILE_INDEX = FullTextIndex(
    "reviews.ReviewSummary", name_field=None, text_field="search_text", vector_field="search_vector"
)
