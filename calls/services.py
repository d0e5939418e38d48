"""Public-facing rules about calls: which are visible, which are open, what their status says.

The server clock decides (``timezone.now()``); every function takes ``when`` for tests."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from calls.models import Call, PublicationState, Round

# Archived calls stay visible as the programme's history; drafts never are.
PUBLIC_STATES = (PublicationState.PUBLISHED, PublicationState.ARCHIVED)


def public_calls() -> QuerySet[Call]:
    """Calls anyone may see, with their rounds prefetched (ordered by cut-off)."""
    return Call.objects.filter(publication_state__in=PUBLIC_STATES).prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("cut_off_at"))
    )


def paris(when: datetime) -> str:
    """« 17 octobre 2022 à 12h00 » in Europe/Paris."""
    return date_format(timezone.localtime(when, timezone.get_default_timezone()), "j F Y à H\\hi")


@dataclass(frozen=True)
class CallStatus:
    is_open: bool
    state: str  # "open", "upcoming", "closed", "archived"
    next_cut_off: datetime | None
    message: str


def call_status(call: Call, when: datetime | None = None) -> CallStatus:
    when = when or timezone.now()
    if call.publication_state == PublicationState.ARCHIVED:
        return CallStatus(False, "archived", None, "Appel terminé, conservé pour mémoire.")
    if call.opens_at and call.opens_at > when:
        return CallStatus(
            False, "upcoming", None, f"Ouverture des dépôts le {paris(call.opens_at)}."
        )
    cut_off = call.next_cut_off(when)
    if call.is_open(when):
        label = "Prochaine date limite" if call.is_permanent else "Date limite de dépôt"
        return CallStatus(True, "open", cut_off, f"{label} : {paris(cut_off)}.")
    if not call.is_permanent and call.closes_at:
        return CallStatus(False, "closed", None, f"Appel clos depuis le {paris(call.closes_at)}.")
    return CallStatus(
        False,
        "closed",
        None,
        "Aucune relève n’est programmée : les dépôts sont fermés pour le moment.",
    )


def split_by_status(calls, when: datetime | None = None) -> tuple[list, list]:
    """(open calls by nearest cut-off, the others most recent first), each as (call, status)."""
    when = when or timezone.now()
    opened, others = [], []
    for call in calls:
        status = call_status(call, when)
        (opened if status.is_open else others).append((call, status))
    opened.sort(key=lambda item: (item[1].next_cut_off, item[0].title))
    others.sort(key=lambda item: (-item[0].year, item[0].title))
    return opened, others


def application_start_url(call: Call) -> str:
    """Where to file an application for ``call``, or "" while that page does not exist."""
    try:
        return reverse("applications:start", kwargs={"slug": call.slug})
    except NoReverseMatch:
        return ""
