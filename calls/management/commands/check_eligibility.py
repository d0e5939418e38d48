"""``manage.py check_eligibility FILE.json [--call SLUG] [--json]``.

Prints every eligibility verdict of a file described in JSON (docs/eligibility.md). Exit code 0
if the file is eligible, 1 if not, 2 if the description is unreadable or malformed (or the call
is unknown)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from calls.eligibility import MalformedFile, call_rules, evaluate

SYMBOLS = {True: "✔", False: "✘", None: "–"}


class Command(BaseCommand):
    help = (
        "Vérifie l’éligibilité d’un dossier décrit en JSON (voir docs/eligibility.md). "
        "Code de sortie : 0 éligible, 1 non éligible, 2 description illisible ou mal formée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Fichier JSON décrivant le dossier (« - » : entrée standard)."
        )
        parser.add_argument(
            "--call",
            dest="call_slug",
            help="Adresse courte (slug) de l’appel dont appliquer les règles ; sinon les "
            "règles « rules » incluses dans le fichier, ou celles du seul décret.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Affiche le résultat en JSON plutôt qu’en texte.",
        )

    def handle(self, *args, file, call_slug, as_json, **options):
        data = self._read(file)
        rules = data.get("rules")
        if call_slug:
            from calls.models import Call

            call = (
                Call.objects.filter(slug=call_slug).prefetch_related("required_attachments").first()
            )
            if call is None:
                raise CommandError(f"Appel « {call_slug} » introuvable.", returncode=2)
            rules = call_rules(call)
        try:
            result = evaluate(data, rules)
        except MalformedFile as error:
            raise CommandError(f"Description mal formée. {error.message}", returncode=2) from error
        if as_json:
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            for verdict in result.verdicts:
                self.stdout.write(f"{SYMBOLS[verdict.passed]} {verdict.label} — {verdict.message}")
            if result.eligible:
                self.stdout.write(self.style.SUCCESS("Dossier éligible."))
            else:
                count = len(result.unmet)
                self.stdout.write(
                    self.style.ERROR(f"Dossier non éligible : {count} règle(s) non remplie(s).")
                )
        if not result.eligible:
            sys.exit(1)

    def _read(self, path: str) -> dict:
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"Lecture impossible de « {path} » : {error}", returncode=2
            ) from error
        try:
            data = json.loads(text)
        except ValueError as error:
            raise CommandError(
                f"« {path} » n’est pas un JSON valide (ligne {getattr(error, 'lineno', '?')}) : "
                f"{error}",
                returncode=2,
            ) from error
        if not isinstance(data, dict):
            raise CommandError(
                "Description mal formée. La description du dossier doit être un objet JSON ({…}).",
                returncode=2,
            )
        return data
