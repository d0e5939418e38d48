import pytest

pytestmark = pytest.mark.django_db

SHELL_PAGES = [
    "/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
    "/compte/connexion/",
    "/compte/inscription/",
    "/compte/mot-de-passe/",
]


@pytest.mark.parametrize("url", SHELL_PAGES)
def test_shell_pages_are_french_dsfr_pages(client, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert "République<br>française" in html
    assert "Plateforme PTCE" in html
    assert 'href="#contenu"' in html  # skip link
    for link in [
        "Accessibilité : non conforme",
        "Mentions légales",
        "Données personnelles",
        "Plan du site",
    ]:
        assert link in html


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_health_endpoint(client):
    assert client.get("/sante/").json() == {"status": "ok"}


def test_navigation_links_only_existing_pages(client):
    from core.context_processors import navigation_items

    for item in navigation_items(client.get("/").wsgi_request):
        assert client.get(item["url"]).status_code == 200


def test_only_the_most_specific_navigation_entry_is_current(client):
    from core.context_processors import navigation_items

    request = client.get("/annuaire/carte/").wsgi_request
    current = [item["label"] for item in navigation_items(request) if item["current"]]
    assert current == ["Carte"]
    request = client.get("/annuaire/").wsgi_request
    current = [item["label"] for item in navigation_items(request) if item["current"]]
    assert current == ["Annuaire des PTCE"]


@pytest.mark.django_db
def test_home_highlights_open_calls_with_their_next_cut_off_and_describes_each_tile(client):
    from datetime import timedelta

    from django.utils import timezone

    from applications.factories import dated_call
    from core.formatting import format_datetime

    call = dated_call(timedelta(days=20), title="AMI PTCE 2027")
    content = client.get("/").content.decode()
    assert '<h2 class="fr-mt-5w">Appel ouvert</h2>' in content
    assert "AMI PTCE 2027" in content
    cut_off = format_datetime(call.closes_at)
    assert f"Prochaine date limite : {cut_off} (heure de Paris)" in content
    assert call.closes_at > timezone.now()
    assert content.count('<p class="fr-tile__detail">') >= 8
    assert "Les appels ouverts, leurs dates limites et comment déposer un dossier." in content
