"""French full-text search on both engines: one layer for every searchable model.

The same words find the same records on SQLite (the default engine) and PostgreSQL
(production): « mutualiser » finds « Mutualisation », « ecole » finds « École »,
« ressour » finds « Ressourcerie ». Text is *folded* (lower case, accents and punctuation
removed) and each word is reduced to its French stem (Snowball, ``snowballstemmer``) at index
time and at query time; the last letters typed match as a prefix. French stop words (« de »,
« la »…) are ignored on both sides, as PostgreSQL's ``french`` configuration does.

Text helpers (pure Python, no database)::

    from core import search
    search.fold("Saint-Étienne Cœur")        # "saint etienne coeur"
    search.stem("mutualisation")             # "mutualis"
    search.query_terms("L’école de demain")  # ["ecole", "demain"]  (folded, stop words out)
    search.index_text("Écoles et cafés")     # "ecol caf"  (folded, stemmed, stop words out)

An index per model, declared once (``laureates.search.PTCE_INDEX`` is the example)::

    INDEX = search.FullTextIndex(
        "laureates.Ptce",             # the model (app_label.ModelName)
        name_field="name",            # the title: weight A, and the "matches the name" rank
        text_field="search_text",     # the whole searchable text, kept up to date by the app
        vector_field="search_vector", # PostgreSQL only: a SearchVectorField with a GIN index
    )
    search.register(INDEX)           # in the app's ``AppConfig.ready``

    queryset, ranked = INDEX.filter(Ptce.objects.all(), search.query_terms(q))
    queryset.order_by("-rank", "name")   # when ``ranked``: 1 (name matches) or more first
    INDEX.refresh(Ptce.objects.filter(pk=pk))   # after changing name_field / text_field

How each engine does it:

- **PostgreSQL**: ``vector_field`` holds ``to_tsvector('french', unaccent(…))`` of the name
  (weight A) and of the text (weight B); ``refresh`` recomputes it (one ``UPDATE``), ``filter``
  matches a prefix ``tsquery`` against it (GIN index) and ranks with ``ts_rank`` plus one when
  every word is in the name.
- **SQLite**: a FTS5 table ``<db_table>_fts`` (columns ``name``, ``body``; ``rowid`` = primary
  key) holds the folded, stemmed words. Triggers on the model's table keep it in step on every
  ``INSERT``, ``UPDATE`` of the two fields and ``DELETE`` — ``save()``, ``bulk_create``,
  ``QuerySet.update``/``delete`` and cascades included — through the SQL function
  ``search_index_text`` that this module adds to each SQLite connection. ``refresh`` is thus a
  no-op there; ``filter`` is ``pk IN (SELECT rowid … MATCH …)`` and ranks 1 when every word is
  in the name. The table and triggers are (re)created after every ``migrate`` (a table rebuilt by
  a SQLite migration loses its triggers: they are put back and the index rebuilt), and
  ``manage.py rebuild_search_index`` rebuilds them by hand.

A model without a title passes ``name_field=None``: only ``text_field`` is indexed (PostgreSQL:
weight B alone; SQLite: the FTS ``name`` column stays empty), so nothing ranks as a name match.
``reviews.search.FILE_INDEX`` (staff search over application files: reference, pôle, lead,
members, SIRET and SIREN in ``ReviewSummary.search_text``) is the example: digits are kept, a
SIREN finds its SIRET as a prefix.

A new searchable model needs: a text column with everything to search, a ``SearchVectorField``
with a GIN index for PostgreSQL (migration as in ``laureates/migrations/0002_postgresql_search.py``
or ``reviews/migrations/0009_file_search_vector.py``), a ``FullTextIndex`` registered in its
``AppConfig.ready``, and a call to ``refresh`` where the text column is written.
See docs/adr/0007-french-search-layer.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.apps import apps
from django.db import connection as default_connection
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.expressions import RawSQL

from territories.text import normalise as fold

__all__ = [
    "FullTextIndex",
    "fold",
    "index_text",
    "query_terms",
    "register",
    "registered",
    "stem",
]

MAX_TERMS = 8
SQL_FUNCTION = "search_index_text"
# PostgreSQL's french stop words (snowball list), folded: both engines ignore them.
STOP_WORDS = frozenset(  # noqa: SIM905 - reads as the list it is
    [
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "a",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etee",
        "etees",
        "etes",
        "etant",
        "suis",
        "es",
        "est",
        "sommes",
        "sont",
        "serai",
        "sera",
        "serons",
        "seront",
        "serais",
        "serait",
        "etais",
        "etait",
        "etions",
        "etaient",
        "fus",
        "fut",
        "furent",
        "sois",
        "soit",
        "soyons",
        "soient",
        "ai",
        "as",
        "avons",
        "avez",
        "ont",
        "aurai",
        "aura",
        "aurons",
        "auront",
        "aurais",
        "aurait",
        "avais",
        "avait",
        "avions",
        "avaient",
        "eu",
        "eue",
        "eus",
        "eut",
        "eurent",
        "aie",
        "aies",
        "ait",
        "ayons",
        "ayez",
        "aient",
    ]
)
_STEMMER = snowballstemmer.stemmer("french")
_SAFE_TERM = re.compile(r"^[a-z0-9]+$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The French Snowball stem of one folded word (« mutualisation » → « mutualis »)."""
    return _STEMMER.stemWord(word)


def query_terms(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The words of a query: folded, stop words dropped, at most ``limit``."""
    return [word for word in fold(text or "").split() if word not in STOP_WORDS][:limit]


def index_text(text: str | None) -> str:
    """What the SQLite index stores for ``text``: folded, stemmed words, stop words dropped."""
    return " ".join(stem(word) for word in fold(text or "").split() if word not in STOP_WORDS)


_REGISTRY: dict[str, FullTextIndex] = {}


def register(index: FullTextIndex) -> FullTextIndex:
    _REGISTRY[index.model_label] = index
    return index


def registered() -> list[FullTextIndex]:
    return list(_REGISTRY.values())


@dataclass(frozen=True)
class FullTextIndex:
    model_label: str
    name_field: str | None = "name"  # None: no title, only text_field is indexed
    text_field: str = "search_text"
    vector_field: str = "search_vector"

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def table(self) -> str:
        return f"{self.model._meta.db_table}_fts"

    # ---------------------------------------------------------------- querying

    def filter(self, queryset, terms: list[str], *, ranked: bool = True):
        """``queryset`` narrowed to records containing every term (stemmed, last one as a
        prefix: every one, as PostgreSQL's ``term:*``). Returns ``(queryset, ranked)``; when
        ranked, a ``rank`` annotation orders the best first (name matches ahead)."""
        terms = [term for term in terms if _SAFE_TERM.match(term)]
        if not terms:
            return queryset, False
        if connections[queryset.db].vendor == "postgresql":
            return self._filter_postgresql(queryset, terms, ranked=ranked)
        return self._filter_sqlite(queryset, terms, ranked=ranked)

    def _filter_postgresql(self, queryset, terms, *, ranked):
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # Terms are folded [a-z0-9] words, so a raw tsquery is safe: each is stemmed by the
        # french configuration and matched as a prefix (« ressour » finds « ressourcerie »).
        query = SearchQuery(
            " & ".join(f"{term}:*" for term in terms), config="french", search_type="raw"
        )
        queryset = queryset.filter(**{self.vector_field: query})
        if not ranked:
            return queryset, False
        if not self.name_field:
            return queryset.annotate(rank=SearchRank(F(self.vector_field), query)), True
        # Every word in the name: the same lexemes restricted to weight A.
        in_name = SearchQuery(
            " & ".join(f"{term}:*A" for term in terms), config="french", search_type="raw"
        )
        queryset = queryset.annotate(
            rank=SearchRank(F(self.vector_field), query)
            + Case(When(**{self.vector_field: in_name}, then=Value(1.0)), default=Value(0.0))
        )
        return queryset, True

    def _match(self, terms, column: str = "") -> str:
        prefix = f"{column} : " if column else ""
        return " AND ".join(f'{prefix}"{stem(term)}"*' for term in terms)

    def _filter_sqlite(self, queryset, terms, *, ranked):
        # Internal table name; the MATCH expression is a parameter.
        sql = f'SELECT rowid FROM "{self.table}" WHERE "{self.table}" MATCH %s'  # noqa: S608
        queryset = queryset.filter(pk__in=RawSQL(sql, [self._match(terms)]))  # noqa: S611
        if not ranked:
            return queryset, False
        if not self.name_field:
            return queryset.annotate(rank=Value(0, output_field=IntegerField())), True
        queryset = queryset.annotate(
            rank=Case(
                When(pk__in=RawSQL(sql, [self._match(terms, "name")]), then=Value(1)),  # noqa: S611
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        return queryset, True

    # ---------------------------------------------------------------- keeping in step

    def refresh(self, queryset) -> int:
        """Recompute the index of ``queryset``'s records after their name or text changed.
        PostgreSQL: one ``UPDATE`` of the vector. SQLite: nothing to do (triggers)."""
        if connections[queryset.db].vendor != "postgresql":
            return 0
        from django.contrib.postgres.search import SearchVector
        from django.db.models import Func

        def unaccented(expression):
            return Func(expression, function="unaccent")

        vector = SearchVector(unaccented(F(self.text_field)), config="french", weight="B")
        if self.name_field:
            vector = (
                SearchVector(unaccented(F(self.name_field)), config="french", weight="A") + vector
            )
        return queryset.update(**{self.vector_field: vector})

    def _columns(self) -> tuple[str, str, str | None, str]:
        meta = self.model._meta
        return (
            meta.db_table,
            meta.pk.column,
            meta.get_field(self.name_field).column if self.name_field else None,
            meta.get_field(self.text_field).column,
        )

    def install(self, connection=None, *, force_rebuild: bool = False) -> bool:
        """SQLite: create the FTS table and triggers if missing; rebuild the index when they
        were missing, when it does not hold one row per record, or when asked. Returns True
        when it rebuilt. PostgreSQL: recompute every vector when asked."""
        connection = connection or default_connection
        if connection.vendor == "postgresql":
            if force_rebuild:
                self.refresh(self.model.objects.using(connection.alias).all())
            return force_rebuild
        if connection.vendor != "sqlite":
            return False
        table, pk, name, text = self._columns()
        fts = self.table
        trigger_names = [f"{fts}_ai", f"{fts}_au", f"{fts}_ad"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                "AND name IN (%s, %s, %s, %s)",
                [fts, *trigger_names],
            )
            existing = {row[0] for row in cursor.fetchall()}
            missing = existing != {fts, *trigger_names}
            cursor.execute(
                f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5(name, body, '
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            # Internal table and column names (model metadata), never user input. Without a
            # name field the FTS name column holds an empty string.
            new_name = f'{SQL_FUNCTION}(new."{name}")' if name else "''"
            insert = (
                f'INSERT INTO "{fts}"(rowid, name, body) VALUES (new."{pk}", '  # noqa: S608
                f'{new_name}, {SQL_FUNCTION}(new."{text}"));'
            )
            delete = f'DELETE FROM "{fts}" WHERE rowid = old."{pk}";'  # noqa: S608
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" '
                f"BEGIN {insert} END"
            )
            watched = f'"{name}", "{text}"' if name else f'"{text}"'
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF {watched} '
                f'ON "{table}" BEGIN {delete} {insert} END'
            )
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" '
                f"BEGIN {delete} END"
            )
            if not (missing or force_rebuild):
                cursor.execute(
                    f'SELECT (SELECT count(*) FROM "{fts}") = (SELECT count(*) FROM "{table}")'  # noqa: S608
                )
                if cursor.fetchone()[0]:
                    return False
            cursor.execute(f'DELETE FROM "{fts}"')  # noqa: S608
            all_names = f'{SQL_FUNCTION}("{name}")' if name else "''"
            cursor.execute(
                f'INSERT INTO "{fts}"(rowid, name, body) SELECT "{pk}", '  # noqa: S608
                f'{all_names}, {SQL_FUNCTION}("{text}") FROM "{table}"'
            )
        return True


def _add_sql_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 1, index_text, deterministic=True)


def install_all(sender=None, using: str = "default", **kwargs) -> None:
    """``post_migrate``: every registered index present and in step on ``using``."""
    for index in registered():
        index.install(connections[using])


connection_created.connect(_add_sql_function, dispatch_uid="core.search.sql_function")
