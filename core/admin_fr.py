"""The Django admin in correct French, and only for technical administration.

Django's French catalogue builds titles as « Ajout de %s » / « Modification de %s »
(« Ajout de appel »); each registered admin gets titles with the right article and elision
instead (« Ajout d’un appel », « Modification de la convention »). Technical internals that
nobody should edit by hand (two-factor devices, background task results) are unregistered:
staff use their own screens (/gestion/) and developers the shell and management commands.
"""

from functools import wraps

HIDDEN = {
    "otp_totp.TOTPDevice",
    "otp_static.StaticDevice",
    "django_tasks_database.DBTaskResult",
}

# Registered models whose verbose name is feminine (the others are masculine).
FEMININE = {
    "dsfr.DsfrConfig",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "territories.Region",
    "territories.Commune",
    "calls.Grid",
    "laureates.SupportOffer",
    "laureates.Enrolment",
    "laureates.Agreement",
    "events.Series",
    "events.Registration",
    "events.Invitation",
}

VOWELS = tuple("aàâeéèêiîoôuûyhAÀÂEÉÈÊIÎOÔUÛYH")


def _name(model) -> str:
    return str(model._meta.verbose_name)


def _elides(name: str) -> bool:
    # « l’appel », « l’EPCI », « l’import SIRENE »; no « h » aspiré among our names.
    return name.startswith(VOWELS)


def indefinite(model) -> str:
    """« d’un appel », « d’une convention »."""
    article = "une" if model._meta.label in FEMININE else "un"
    return f"d’{article} {_name(model)}"


def definite(model, *, de: bool = False) -> str:
    """« l’appel », « la convention », « le bilan »; with ``de``: « de l’appel », « du bilan »."""
    name = _name(model)
    if _elides(name):
        return f"de l’{name}" if de else f"l’{name}"
    if model._meta.label in FEMININE:
        return f"de la {name}" if de else f"la {name}"
    return f"du {name}" if de else f"le {name}"


def titles(model) -> dict:
    return {
        "add": f"Ajout {indefinite(model)}",
        "change": f"Modification {definite(model, de=True)}",
        "changelist": f"Sélectionnez {definite(model)} à modifier",
    }


def _titled_changeform(view, names):
    @wraps(view)
    def wrapper(request, object_id=None, form_url="", extra_context=None):
        extra = {"title": names["add"] if object_id is None else names["change"]}
        extra.update(extra_context or {})
        return view(request, object_id, form_url, extra)

    return wrapper


def _titled_changelist(view, names):
    @wraps(view)
    def wrapper(request, extra_context=None):
        return view(request, {"title": names["changelist"], **(extra_context or {})})

    return wrapper


def frenchify(site) -> None:
    """Unregister the hidden internals and give every other admin its French titles."""
    for model in list(site._registry):
        if model._meta.label in HIDDEN:
            site.unregister(model)
    for model, model_admin in site._registry.items():
        names = titles(model)
        model_admin.changeform_view = _titled_changeform(model_admin.changeform_view, names)
        model_admin.changelist_view = _titled_changelist(model_admin.changelist_view, names)
