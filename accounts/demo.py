"""Demo accounts, one per role, with known passwords and authenticator keys (demo only)."""

import base64

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User

DEMO_PASSWORD = "Demo-PTCE-2026!"

DEMO_USERS = [
    (
        "porteur@demo.ptce.fr",
        "Camille",
        "Martin",
        Role.CANDIDATE,
        None,
        "Coopérative des Monts du Lyonnais (démo)",
    ),
    (
        "porteuse2@demo.ptce.fr",
        "Inès",
        "Bernard",
        Role.CANDIDATE,
        None,
        "Association Terres de Liens Picardes (démo)",
    ),
    (
        "instructeur.ara@demo.ptce.fr",
        "Lucas",
        "Petit",
        Role.REGIONAL_REVIEWER,
        "84",
        "DREETS Auvergne-Rhône-Alpes (démo)",
    ),
    (
        "instructrice.ara@demo.ptce.fr",
        "Sarah",
        "Roux",
        Role.REGIONAL_REVIEWER,
        "84",
        "CRESS Auvergne-Rhône-Alpes (démo)",
    ),
    (
        "instructeur.hdf@demo.ptce.fr",
        "Hugo",
        "Lefebvre",
        Role.REGIONAL_REVIEWER,
        "32",
        "DREETS Hauts-de-France (démo)",
    ),
    (
        "responsable.ara@demo.ptce.fr",
        "Claire",
        "Fontaine",
        Role.REGIONAL_CELL_LEAD,
        "84",
        "DREETS Auvergne-Rhône-Alpes (démo)",
    ),
    (
        "responsable.hdf@demo.ptce.fr",
        "Nicolas",
        "Morel",
        Role.REGIONAL_CELL_LEAD,
        "32",
        "DREETS Hauts-de-France (démo)",
    ),
    (
        "cellule.nationale@demo.ptce.fr",
        "Julie",
        "Garnier",
        Role.NATIONAL_CELL,
        None,
        "Cellule nationale d’animation (démo)",
    ),
    (
        "comite@demo.ptce.fr",
        "Antoine",
        "Chevalier",
        Role.COMMITTEE,
        None,
        "Comité interministériel (démo)",
    ),
    (
        "admin@demo.ptce.fr",
        "Élise",
        "Moreau",
        Role.PROGRAMME_ADMIN,
        None,
        "Ministère chargé de l’ESS (démo)",
    ),
]


def demo_totp_key(email: str) -> str:
    """A fixed 20-byte key per demo account, so the demo is reproducible (never in production)."""
    return (email.encode().hex() + "0" * 40)[:40]


def load(out):
    created = 0
    for email, first, last, role, region, organisation in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "region_id": region,
                "organisation": organisation,
                "email_confirmed_at": timezone.now(),
                "is_staff": role == Role.PROGRAMME_ADMIN,
                "is_superuser": role == Role.PROGRAMME_ADMIN,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        if user.is_staff_role:
            TOTPDevice.objects.get_or_create(
                user=user,
                name="Démo",
                defaults={"key": demo_totp_key(email), "confirmed": True},
            )
    out.write(f"Comptes de démonstration : {created} créé(s), mot de passe « {DEMO_PASSWORD} »")
    for email, _first, _last, role, region, _org in DEMO_USERS:
        label = Role(role).label + (f" ({region})" if region else "")
        line = f"  {email:34} {label}"
        if role != Role.CANDIDATE:
            secret = base64.b32encode(bytes.fromhex(demo_totp_key(email))).decode()
            line += f" — clé TOTP {secret}"
        out.write(line)
    out.write(
        "  Code de double authentification d’un compte agent : "
        ".venv/bin/python manage.py demo_otp_code ADRESSE"
    )
