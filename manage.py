#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line
        from django.db.utils import OperationalError

        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Configuration incorrecte : {error}\n")
        sys.exit(1)
    except OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        sys.stderr.write(
            f"Base de données injoignable : {first_line}\n"
            "Vérifiez DATABASE_URL (serveur démarré, nom de base, utilisateur).\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
