"""The directory's full-text index of PTCE (core/search.py): name (weight A) and the
denormalised ``search_text`` built by ``laureates.services.build_search_text``."""

from core.search import FullTextIndex

PTCE_INDEX = FullTextIndex(
    "laureates.Ptce", name_field="name", text_field="search_text", vector_field="search_vector"
)
