"""Instructor tools of the reviewer list (SPEC §5.6): saved views per person and bulk actions.

A saved view is a name and the cleaned query string of the list's filters, stored server side
for its owner only. Bulk status changes go file by file through
``applications.states.change_status``: a refused transition is reported for its file and never
stops the others.
"""

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import QueryDict

from applications import states
from applications.choices import ApplicationStatus as S
from core import audit
from reviews import columns
from reviews.forms import FileFilterForm
from reviews.models import SavedView
from reviews.services import ReviewError

MAX_SAVED_VIEWS = 30
FILTER_KEYS = tuple(FileFilterForm.base_fields)

# Bulk actions offered on the list besides the assignment: (label, target status).
BULK_STATUS_ACTIONS = {
    "start_review": ("Passer « En instruction »", S.UNDER_REVIEW),
    "mark_reviewed": ("Marquer « Instruit »", S.REVIEWED),
}


def clean_query(data) -> str:
    """The filters of ``data`` (a QueryDict, a dict or a query string) that the list knows,
    validated, as a stable query string; raises ``ReviewError`` on invalid filters."""
    if isinstance(data, str):
        data = QueryDict(data)
    # NUL characters are dropped (PostgreSQL refuses them in text and in lookups).
    kept = {
        key: data.get(key).replace("\x00", "")
        for key in FILTER_KEYS
        if (data.get(key) or "").replace("\x00", "").strip()
    }
    form = FileFilterForm(kept)
    shown = columns.query_value(
        columns.parse(
            data.getlist("cols") if hasattr(data, "getlist") else [data.get("cols") or ""]
        )
    )
    if shown:
        kept["cols"] = shown
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else 'filtres'} : {errors[0]}"
            for name, errors in form.errors.items()
        )
        raise ReviewError(f"Filtres invalides ({problems}).")
    return urlencode(sorted(kept.items()))


def saved_views(user):
    return SavedView.objects.filter(user=user).order_by("name")


def save_view(user, name: str, data) -> SavedView:
    """Create or replace ``user``'s view called ``name`` with the filters of ``data``."""
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise ReviewError("Donnez un nom à la vue.")
    if len(name) > 80:
        raise ReviewError("Le nom de la vue ne doit pas dépasser 80 caractères.")
    query = clean_query(data)
    existing = SavedView.objects.filter(user=user, name=name).first()
    if existing is None and SavedView.objects.filter(user=user).count() >= MAX_SAVED_VIEWS:
        raise ReviewError(
            f"Vous avez déjà {MAX_SAVED_VIEWS} vues enregistrées : supprimez-en une d’abord."
        )
    try:
        with transaction.atomic():
            view, created = SavedView.objects.update_or_create(
                user=user, name=name, defaults={"query": query}
            )
    except IntegrityError as error:  # the same name saved at the same moment elsewhere
        raise ReviewError("Une vue de ce nom vient d’être enregistrée : réessayez.") from error
    audit.record(
        "review.saved_view_saved",
        actor=user,
        obj=view,
        after={"name": name, "query": query, "created": created},
    )
    return view


def delete_view(user, pk) -> str:
    """Delete ``user``'s view ``pk`` (another person's view is « not found »)."""
    view = SavedView.objects.filter(user=user, pk=pk).first()
    if view is None:
        raise ReviewError("Vue introuvable.")
    name = view.name
    audit.record("review.saved_view_deleted", actor=user, obj=view, before={"name": name})
    view.delete()
    return name


def bulk_change_status(applications, target: str, *, actor, reason: str = "") -> dict:
    """Move each file to ``target`` through the state service. Returns ``{"changed":
    [reference], "refused": {reference: French reason}}``; one refusal never stops the rest."""
    changed: list[str] = []
    refused: dict[str, str] = {}
    for application in applications:
        try:
            states.change_status(application, target, actor=actor, reason=reason)
        except states.TransitionNotAllowed as error:
            refused[application.reference] = str(error)
        else:
            changed.append(application.reference)
    audit.record(
        "review.bulk_status",
        actor=actor,
        after={"target": target, "changed": changed, "refused": sorted(refused)},
    )
    return {"changed": changed, "refused": refused}
