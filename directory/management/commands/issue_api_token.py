"""Issue an API token for a staff member: ``manage.py issue_api_token agent@… --name … --days 90``.

The token is printed once; only its SHA-256 is kept (revoke it in the admin, « Jetons d’API »)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from directory.tokens import DEFAULT_DAYS, TokenError, issue_token


class Command(BaseCommand):
    help = "Crée un jeton d’API (ressources réservées aux agents) et l’affiche une seule fois."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="script")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)

    def handle(self, *args, email, name, days, **options):
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            raise CommandError(f"Aucun compte pour {email}.")
        try:
            token, raw = issue_token(owner, name=name, days=days)
        except TokenError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Jeton pour {owner.email}, valable jusqu’au {token.expires_at:%d/%m/%Y} :\n{raw}\n"
            "Conservez-le : il ne sera plus affiché."
        )
