from django.conf import settings
from django.urls import NoReverseMatch, reverse

# Main navigation: an entry appears only once its page exists (its URL name resolves).
MAIN_NAVIGATION = [
    ("Accueil", "core:home"),
    ("Appels à candidatures", "calls:list"),
    ("Annuaire des PTCE", "directory:list"),
    ("Carte", "directory:map"),
    ("Événements", "events:list"),
    ("Accompagnement", "laureates:support_list"),
    ("Statistiques", "directory:statistics"),
    ("Données ouvertes", "directory:open_data"),
    ("Déclarer une dynamique", "dynamics:declare"),
]


def _resolvable(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def navigation_items(request) -> list[dict]:
    items = []
    for label, url_name in MAIN_NAVIGATION:
        url = _resolvable(url_name)
        if url is not None:
            items.append({"label": label, "url": url, "current": False})
    # Only the most specific entry is current (« Carte » under « Annuaire », not both).
    matching = [
        item
        for item in items
        if (request.path == "/" if item["url"] == "/" else request.path.startswith(item["url"]))
    ]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return items


def platform(request):
    return {
        "platform_name": settings.PLATFORM_NAME,
        "platform_tagline": settings.PLATFORM_TAGLINE,
        "main_navigation": navigation_items(request),
        "debug_mode": settings.DEBUG,
    }
