"""Business rules of local dynamics: declaration, moderation, public listing, invitations and
conversion into a draft application. Views only parse input and call these functions."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.permissions import is_candidate, is_national
from core import audit
from core.outbox import queue_templated_email
from dynamics.models import LocalDynamic, ModerationStatus
from laureates.models import Theme
from territories.models import Commune
from territories.text import normalise

CONVERSION_SALT = "dynamics.convert"
CONVERSION_MAX_AGE = 365 * 24 * 3600  # the link in the acceptance e-mail works for a year


# ------------------------------------------------------------------ declaration


RESERVED_SLUGS = {"declarer"}  # paths of dynamics/urls.py


def unique_slug(name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:100] or "dynamique"
    if base in RESERVED_SLUGS:
        base = f"{base}-dynamique"
    slug, counter = base, 2
    while LocalDynamic.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def set_territory(dynamic: LocalDynamic, *, commune_codes=(), epci_codes=()) -> None:
    """Store communes and EPCI, then the main région and département (most inhabitants
    covered) and the population covered; refresh the search text."""
    from territories.services import summarise_territory

    dynamic.communes.set(list(Commune.objects.current().filter(code__in=list(commune_codes))))
    dynamic.epcis.set(list(epci_codes))
    summary = summarise_territory(commune_codes, epci_codes)
    if summary.communes:
        by_region: Counter = Counter()
        by_department: Counter = Counter()
        for commune in summary.communes:
            weight = (commune.population or 0) + 1
            by_region[commune.region_id] += weight
            by_department[commune.department_id] += weight
        dynamic.main_region_id = max(sorted(by_region), key=lambda code: by_region[code])
        dynamic.main_department_id = max(
            sorted(by_department), key=lambda code: by_department[code]
        )
        dynamic.population_covered = summary.population if summary.population_known else None
    else:
        dynamic.main_region_id = dynamic.main_department_id = dynamic.population_covered = None
    dynamic.search_text = build_search_text(dynamic)
    dynamic.save(
        update_fields=[
            "main_region",
            "main_department",
            "population_covered",
            "search_text",
            "updated_at",
        ]
    )


def build_search_text(dynamic: LocalDynamic) -> str:
    parts = [
        dynamic.name,
        dynamic.description,
        " ".join(dynamic.theme_labels),
        dynamic.main_region.name if dynamic.main_region_id else "",
        dynamic.main_department.name if dynamic.main_department_id else "",
        " ".join(dynamic.communes.values_list("name", flat=True)[:200]),
        " ".join(dynamic.epcis.values_list("name", flat=True)[:50]),
    ]
    return normalise(" ".join(part for part in parts if part))


def declare(data: dict) -> LocalDynamic:
    """Record a declaration sent through the public form (``data`` = the form's cleaned data)
    and queue the acknowledgement e-mail. Everything starts pending moderation."""
    with transaction.atomic():
        dynamic = LocalDynamic.objects.create(
            slug=unique_slug(data["name"]),
            name=data["name"],
            description=data["description"],
            themes=[theme for theme in Theme.values if theme in data.get("themes", [])],
            stage=data["stage"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"].lower(),
            contact_phone=data.get("contact_phone", ""),
            consent_directory=bool(data.get("consent_directory")),
            consent_public_contact=bool(data.get("consent_public_contact")),
            consent_invitations=bool(data.get("consent_invitations")),
        )
        set_territory(
            dynamic, commune_codes=data.get("communes", []), epci_codes=data.get("epcis", [])
        )
        audit.record(
            "dynamics.declared",
            actor=None,
            obj=dynamic,
            after={"name": dynamic.name, "stage": dynamic.stage, "themes": dynamic.themes},
        )
        queue_templated_email(
            dynamic.contact_email,
            "dynamic_declared",
            {"dynamic": dynamic},
            dedup_key=f"dynamic-declared-{dynamic.uuid}",
        )
    return dynamic


# ------------------------------------------------------------------ moderation

MODERATION_TRANSITIONS = {
    # (from, to): reason required
    (ModerationStatus.PENDING, ModerationStatus.ACCEPTED): False,
    (ModerationStatus.PENDING, ModerationStatus.REFUSED): True,
    (ModerationStatus.REFUSED, ModerationStatus.ACCEPTED): False,  # reconsidered
    (ModerationStatus.ACCEPTED, ModerationStatus.REFUSED): True,  # withdrawn afterwards
}


def allowed_decisions(dynamic: LocalDynamic) -> list[str]:
    return [to for (source, to) in MODERATION_TRANSITIONS if source == dynamic.status]


def moderate(dynamic: LocalDynamic, to: str, *, actor, reason: str = "") -> LocalDynamic:
    """Accept or refuse a declaration (national cell only), audit it and tell the declarant."""
    if not is_national(actor):
        raise PermissionDenied("Seule la cellule nationale modère les dynamiques territoriales.")
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = LocalDynamic.objects.select_for_update().get(pk=dynamic.pk)
        if (locked.status, to) not in MODERATION_TRANSITIONS:
            raise ValidationError("Cette décision n’est pas possible dans l’état actuel.")
        if MODERATION_TRANSITIONS[(locked.status, to)] and not reason:
            raise ValidationError("Indiquez le motif du refus : il est transmis au déclarant.")
        before = {"status": locked.status}
        locked.status = to
        locked.refusal_reason = reason if to == ModerationStatus.REFUSED else ""
        locked.moderated_at = timezone.now()
        locked.moderated_by = actor
        locked.save(
            update_fields=[
                "status",
                "refusal_reason",
                "moderated_at",
                "moderated_by",
                "updated_at",
            ]
        )
        audit.record(
            "dynamics.moderated",
            actor=actor,
            obj=locked,
            before=before,
            after={"status": to, "reason": locked.refusal_reason},
        )
        context = {"dynamic": locked, "reason": locked.refusal_reason}
        if to == ModerationStatus.ACCEPTED:
            context["convert_url"] = settings.SITE_URL + conversion_url(locked)
            context["public_url"] = (
                settings.SITE_URL + locked.get_absolute_url() if locked.is_public else ""
            )
        queue_templated_email(
            locked.contact_email,
            "dynamic_accepted" if to == ModerationStatus.ACCEPTED else "dynamic_refused",
            context,
        )
    return locked


def delete_dynamic(dynamic: LocalDynamic, *, actor) -> None:
    """Erase a declaration (e.g. at the declarant's request, RGPD); the audit keeps its name
    and status, never the contact details."""
    if not is_national(actor):
        raise PermissionDenied("Seule la cellule nationale supprime une déclaration.")
    with transaction.atomic():
        audit.record(
            "dynamics.deleted",
            actor=actor,
            obj=dynamic,
            before={"name": dynamic.name, "status": dynamic.status},
        )
        dynamic.delete()


# ------------------------------------------------------------------ listing


@dataclass
class PublicFilters:
    q: str = ""
    region: str = ""
    theme: str = ""


def search_public(filters: PublicFilters):
    """Public dynamics matching every word of ``q`` (accent- and case-insensitive)."""
    queryset = LocalDynamic.objects.public().select_related("main_region", "main_department")
    for term in normalise(filters.q).split()[:10]:
        queryset = queryset.filter(search_text__contains=term)
    if filters.region:
        queryset = queryset.filter(main_region_id=filters.region)
    if filters.theme:
        queryset = queryset.filter(themes_key__contains=f"|{filters.theme}|")
    return queryset.order_by("name", "pk")


def invitation_addresses() -> list[str]:
    """Contacts of accepted dynamics that agreed to receive the network's invitations."""
    return list(
        LocalDynamic.objects.filter(status=ModerationStatus.ACCEPTED, consent_invitations=True)
        .order_by("contact_email")
        .values_list("contact_email", flat=True)
    )


# ------------------------------------------------------------------ conversion


def conversion_token(dynamic: LocalDynamic) -> str:
    return signing.dumps(str(dynamic.uuid), salt=CONVERSION_SALT)


def conversion_url(dynamic: LocalDynamic) -> str:
    return reverse("dynamics:convert", args=[dynamic.uuid]) + f"?jeton={conversion_token(dynamic)}"


def token_matches(dynamic: LocalDynamic, token: str) -> bool:
    if not token:
        return False
    try:
        value = signing.loads(token, salt=CONVERSION_SALT, max_age=CONVERSION_MAX_AGE)
    except signing.BadSignature:
        return False
    return value == str(dynamic.uuid)


def can_convert(user, dynamic: LocalDynamic, token: str = "") -> bool:
    """A candidate whose confirmed account e-mail is the declaration's contact, or who holds
    the link sent by e-mail on acceptance, may turn an accepted declaration into a draft."""
    if not is_candidate(user) or dynamic.status != ModerationStatus.ACCEPTED:
        return False
    same_email = (
        user.email_confirmed_at is not None and user.email.lower() == dynamic.contact_email.lower()
    )
    return same_email or token_matches(dynamic, token)


def convert_to_application(dynamic: LocalDynamic, call, *, actor, token: str = ""):
    """Create a draft application on an open ``call``, prefilled from the declaration (name,
    territory, themes, description, contact), through the applications services."""
    from applications import services as application_services
    from applications.choices import Theme as ApplicationTheme

    if not can_convert(actor, dynamic, token):
        raise PermissionDenied("Vous ne pouvez pas reprendre cette déclaration.")
    if not call.is_open():
        raise ValidationError("Cet appel n’accepte pas de dossier en ce moment.")
    with transaction.atomic():
        application = application_services.create_draft(call, owner=actor)
        application.pole_name = dynamic.name[:255]
        application.strategy = dynamic.description
        application.themes = [t for t in dynamic.themes if t in ApplicationTheme.values]
        application.contact_name = dynamic.contact_name
        application.contact_email = dynamic.contact_email
        application.contact_phone = dynamic.contact_phone
        application.save(
            update_fields=[
                "pole_name",
                "strategy",
                "themes",
                "contact_name",
                "contact_email",
                "contact_phone",
                "updated_at",
            ]
        )
        application_services.save_territory(
            application,
            list(dynamic.communes.values_list("pk", flat=True)),
            list(dynamic.epcis.values_list("pk", flat=True)),
        )
        audit.record(
            "dynamics.converted",
            actor=actor,
            obj=dynamic,
            after={"application": str(application.uuid), "call": call.slug},
        )
    return application
