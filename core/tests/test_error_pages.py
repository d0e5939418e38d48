"""The error pages are French and DSFR-styled (checked in a real browser in tests/browser)."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.django_db


def test_not_found_page_is_french_inside_the_shell(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page non trouvée</h1>" in html
    assert "<title>Page non trouvée — Plateforme PTCE</title>" in html
    assert 'id="pied-de-page"' in html


def test_server_error_page_renders_without_request_or_context():
    html = render_to_string("500.html")
    assert "<h1>Erreur inattendue</h1>" in html
    assert "<title>Erreur inattendue — Plateforme PTCE</title>" in html
    assert 'href="/plan-du-site/"' in html


def test_expired_form_page_explains_the_csrf_failure():
    response = Client(enforce_csrf_checks=True).post(
        "/compte/connexion/", {"username": "x@exemple.fr", "password": "x"}
    )
    assert response.status_code == 403
    assert "<h1>Formulaire expiré</h1>" in response.content.decode()
