"""Fixtures for the ProConnect tests: a real OpenID Connect provider on loopback."""

import importlib

import pytest
from django.urls import clear_url_caches

from accounts.tests.oidc_provider import Provider, ProviderUser

CLIENT_ID = "plateforme-ptce-test"
CLIENT_SECRET = "secret-du-client-de-test-0123456789"


def reload_urls():
    """ProConnect's routes exist only when it is configured: rebuild the URL tree."""
    import accounts.urls
    import ptce.urls

    importlib.reload(accounts.urls)
    importlib.reload(ptce.urls)
    clear_url_caches()


@pytest.fixture
def provider(settings):
    with Provider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=f"{settings.SITE_URL}/compte/proconnect/retour/",
        logout_uri=f"{settings.SITE_URL}/compte/proconnect/deconnexion/",
    ) as running:
        settings.PROCONNECT_DISCOVERY_URL = running.discovery_url
        settings.PROCONNECT_CLIENT_ID = CLIENT_ID
        settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
        settings.PROCONNECT_TIMEOUT = 5
        reload_urls()
        try:
            yield running
        finally:
            settings.PROCONNECT_DISCOVERY_URL = ""
            reload_urls()


@pytest.fixture
def agent():
    """A person known to the provider, acting for an association (valid SIRET)."""
    return ProviderUser(
        sub="sub-agent-0001",
        email="Claire.Martin@Exemple.fr",
        given_name="Claire",
        usual_name="Martin",
        siret="73282932000074",
    )
