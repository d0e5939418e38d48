"""What identifies a submitted file for the staff: the folded text the lists search, and the
SIREN/SIRET of its lead and members that the pending-duplicates signal joins on.

Both are written when a file is submitted or resubmitted (``reviews.services.on_status_changed``):
a submitted file's content changes only then. The list searches ``ReviewSummary.search_text``
through the shared French full-text layer (``reviews.search.FILE_INDEX``, core/search.py: FTS5
on SQLite, ``tsvector`` with a GIN index on PostgreSQL): accents and letter case never matter,
each word is stemmed (« mutualiser » finds « Mutualisation ») and matched at the start of a word,
French stop words are ignored; the search stays inside the list's one query (a subquery) and
does not read every file's text.
"""

from collections import defaultdict
from dataclasses import dataclass

from applications.choices import ApplicationStatus as S
from core.search import STOP_WORDS
from territories.text import normalise

MAX_SEARCH_TERMS = 8
MAX_SEARCH_LENGTH = 200
# A file withdrawn (or never submitted) is no duplicate of anything.
NOT_PENDING = (S.DRAFT, S.WITHDRAWN)


def search_text(reference, pole_name, lead_name, identifiers, member_names) -> str:
    """`` ptce 2026 0012 tiers lieu … 12345678900012 123456789 `` (spaces at both ends)."""
    parts = [reference, pole_name, lead_name, *member_names]
    for siren, siret in sorted(identifiers):
        parts += [siret, siren]
    return f" {normalise(' '.join(p for p in parts if p))} "


def _digits(value: str) -> str:
    return "".join(char for char in value or "" if char.isascii() and char.isdigit())


def identifiers_of(lead_siret: str, member_sirets) -> set[tuple[str, str]]:
    """{(siren, siret)} of the lead and members (SIRET of 14 digits, or a SIREN of 9)."""
    found = set()
    for raw in (lead_siret, *member_sirets):
        digits = _digits(raw)
        if len(digits) == 14:
            found.add((digits[:9], digits))
        elif len(digits) == 9:
            found.add((digits, ""))
    return found


def refresh_identity(application) -> None:
    """Rewrite the file's search text and identifiers from its content as submitted."""
    from reviews.models import FileIdentifier, ReviewSummary

    members = list(application.members.values_list("name", "siret"))
    identifiers = identifiers_of(application.lead_siret, [siret for _n, siret in members])
    summary, _ = ReviewSummary.objects.get_or_create(application=application)
    summary.search_text = search_text(
        application.reference,
        application.pole_name,
        application.lead_name,
        identifiers,
        [name for name, _s in members],
    )
    summary.save(update_fields=["search_text", "updated_at"])
    from reviews.search import FILE_INDEX

    FILE_INDEX.refresh(ReviewSummary.objects.filter(pk=summary.pk))
    FileIdentifier.objects.filter(application=application).delete()
    FileIdentifier.objects.bulk_create(
        FileIdentifier(application=application, siren=siren, siret=siret)
        for siren, siret in sorted(identifiers)
    )


def search_terms(query: str) -> list[str]:
    """The folded words of a staff search (NUL and punctuation dropped, at most 8 words). Digit
    groups that together make a SIREN or a SIRET (« 123 456 789 », « 123 456 789 00012 »)
    are joined into one word."""
    words = normalise((query or "")[:MAX_SEARCH_LENGTH].replace("\x00", "")).split()
    joined, run = [], []
    for word in [*words, ""]:
        if word.isdigit():
            run.append(word)
            continue
        digits = "".join(run)
        joined += [digits] if len(run) > 1 and len(digits) in (9, 14) else run
        run = []
        if word:
            joined.append(word)
    return joined[:MAX_SEARCH_TERMS]


def filter_search(queryset, query: str, field: str = "pk"):
    """Files of ``queryset`` (``field``: its lookup holding the application id) whose search
    text has, for every word of ``query`` but French stop words, a word starting with it, up to
    French stemming (« mutual » and « mutualiser » find « Mutualisation », « ecoles » finds
    « École », « 0012 » finds PTCE-2026-0012 but not a SIRET that merely contains those digits,
    a SIREN finds its SIRETs). No word left: ``queryset`` unchanged."""
    from reviews.models import ReviewSummary
    from reviews.search import FILE_INDEX

    terms = [term for term in search_terms(query) if term not in STOP_WORDS]
    if not terms:
        return queryset
    matches, _ranked = FILE_INDEX.filter(ReviewSummary.objects.all(), terms, ranked=False)
    return queryset.filter(**{f"{field}__in": matches.values("pk")})


@dataclass(frozen=True)
class Duplicate:
    """Another file sharing a SIREN with this one. ``reference``/``uuid`` are empty when the
    reader may not see that file (another région, a conflict of interest)."""

    reference: str
    uuid: str
    siren: str
    call_title: str

    @property
    def visible(self) -> bool:
        return bool(self.reference)


def pending_duplicates(application_ids, visible) -> dict[int, list[Duplicate]]:
    """For each of ``application_ids``: the other files (any call, not withdrawn) sharing a
    SIREN of their lead or members, except the file filed together with it (phases 1 and 2 of
    one pôle). ``visible``: the files the reader may see (``Application.objects.for_user``);
    the others are counted but not named. Three queries, whatever the number of files."""
    from applications.models import Application
    from reviews.models import FileIdentifier

    ids = list(application_ids)
    if not ids:
        return {}
    mine = defaultdict(set)
    for application_id, siren in FileIdentifier.objects.filter(application_id__in=ids).values_list(
        "application_id", "siren"
    ):
        mine[application_id].add(siren)
    if not mine:
        return {}
    sirens = set().union(*mine.values())
    holders = defaultdict(set)
    files = {}
    for siren, pk, reference, uuid, call_title, linked_id in (
        FileIdentifier.objects.filter(siren__in=sirens)
        .exclude(application__status__in=NOT_PENDING)
        .values_list(
            "siren",
            "application_id",
            "application__reference",
            "application__uuid",
            "application__call__title",
            "application__linked_application_id",
        )
    ):
        holders[siren].add(pk)
        files[pk] = (reference, str(uuid), call_title, linked_id)
    seen_by_reader = set(
        visible.filter(pk__in=list(files)).values_list("pk", flat=True)
        if files
        else Application.objects.none()
    )
    links = {pk: linked for pk, (_r, _u, _c, linked) in files.items()}
    result = {}
    for application_id, own_sirens in mine.items():
        found = {}
        for siren in sorted(own_sirens):
            for other in sorted(holders[siren]):
                if other == application_id or other in found:
                    continue
                if links.get(other) == application_id or links.get(application_id) == other:
                    continue
                reference, uuid, call_title, _linked = files[other]
                if other in seen_by_reader:
                    found[other] = Duplicate(reference, uuid, siren, call_title)
                else:
                    found[other] = Duplicate("", "", siren, call_title)
        if found:
            result[application_id] = list(found.values())
    return result
