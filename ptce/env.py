"""Small helpers to read settings from the environment."""

import os
import re
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


def env_keys(name: str) -> dict[str, str]:
    """``"v1:secret,v2:other"`` → ``{"v1": "secret", "v2": "other"}`` (named keys).

    Raises ValueError with a French explanation when an item has no name or no key."""
    keys = {}
    for item in (os.environ.get(name) or "").split(","):
        if not item.strip():
            continue
        key_id, _, key = item.strip().partition(":")
        if not KEY_ID_PATTERN.match(key_id) or not key:
            raise ValueError(
                f"{name} : chaque clé s'écrit « identifiant:clé », séparées par des virgules "
                "(ex. v1:…,v2:…) ; identifiant en lettres, chiffres, « . », « _ » ou « - »."
            )
        keys[key_id] = key
    return keys


SUPPORTED_ENGINES = {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}


def database_from_url(url: str, base_dir: Path) -> dict:
    """Return Django's DATABASES entry for ``url`` (SQLite file in ``var/`` when empty).

    Raises ValueError with a one-line French explanation when the URL is unusable.
    """
    if not url:
        (base_dir / "var").mkdir(exist_ok=True)
        url = f"sqlite:///{base_dir / 'var' / 'ptce.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj-database-url raises several kinds of errors
        raise ValueError(
            f"DATABASE_URL invalide ({error}). Exemples : "
            "sqlite:///var/ptce.sqlite3 ou postgres://utilisateur@127.0.0.1:5432/ptce"
        ) from None
    if config.get("ENGINE") not in SUPPORTED_ENGINES:
        raise ValueError(
            f"DATABASE_URL désigne un moteur non pris en charge ({config.get('ENGINE')}) : "
            "utilisez sqlite:// ou postgres://."
        )
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].setdefault("connect_timeout", 5)
        if not config.get("NAME"):
            raise ValueError("DATABASE_URL PostgreSQL sans nom de base (…/nom_de_la_base).")
    return config


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "8000"
# A server listening on every interface is reached by a browser at these addresses.
WILDCARD_HOSTS = {"0.0.0.0": DEFAULT_HOST, "::": "localhost", "[::]": "localhost"}  # noqa: S104


def site_url(environ) -> str:
    """The public address used in links (e-mails, .ics, exports, webhooks).

    ``PTCE_SITE_URL`` when set; otherwise the address `make run` serves, from ``HOST`` and
    ``PORT`` (defaults 127.0.0.1 and 8000; a wildcard host such as 0.0.0.0 becomes an address
    a browser can open).
    """
    explicit = (environ.get("PTCE_SITE_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = (environ.get("HOST") or "").strip() or DEFAULT_HOST
    port = (environ.get("PORT") or "").strip() or DEFAULT_PORT
    host = WILDCARD_HOSTS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}" if port == "80" else f"http://{host}:{port}"
