import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus
from applications.models import Application
from calls.factories import CallFactory
from core.models import AuditLog, OutboundEmail
from dynamics import services
from dynamics.factories import LocalDynamicFactory
from dynamics.models import LocalDynamic, ModerationStatus
from events import audiences

pytestmark = pytest.mark.django_db

DECLARE = reverse("dynamics:declare")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def declaration(**overrides):
    data = {
        "name": "Coopérative des acteurs du Bocage",
        "description": "Une recyclerie, deux chantiers d’insertion et la commune coopèrent.",
        "themes": ["circular_economy", "employment"],
        "stage": "gathering",
        "communes": ["01001"],
        "epcis": ["200000172"],
        "contact_name": "Camille Durand",
        "contact_email": "Camille.Durand@Bocage.example",
        "contact_phone": "06 12 34 56 78",
        "consent_directory": "on",
        "consent_invitations": "on",
        "consent_processing": "on",
        "site_internet": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# ------------------------------------------------------------------ declaration


def test_declaration_is_stored_pending_with_territory_and_acknowledged(client):
    response = client.post(DECLARE, declaration())
    assert response.status_code == 302
    assert response.url == reverse("dynamics:declared")
    dynamic = LocalDynamic.objects.get()
    assert dynamic.status == ModerationStatus.PENDING
    assert dynamic.contact_email == "camille.durand@bocage.example"
    assert dynamic.themes == ["circular_economy", "employment"]
    assert list(dynamic.communes.values_list("code", flat=True)) == ["01001"]
    assert list(dynamic.epcis.values_list("code", flat=True)) == ["200000172"]
    assert dynamic.main_region_id == "84"
    assert dynamic.consent_directory and dynamic.consent_invitations
    assert not dynamic.consent_public_contact
    email = OutboundEmail.objects.get(template="dynamic_declared")
    assert email.to == ["camille.durand@bocage.example"]
    assert "Coopérative des acteurs du Bocage" in email.body
    assert AuditLog.objects.filter(action="dynamics.declared", object_id=str(dynamic.pk)).exists()
    # Not public before moderation.
    assert client.get(reverse("dynamics:detail", args=[dynamic.slug])).status_code == 404


def test_declaration_page_renders_for_everyone(client):
    page = client.get(DECLARE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Déclarer une dynamique territoriale" in html
    assert 'name="site_internet"' in html and 'aria-hidden="true"' in html
    assert 'data-search-url="/territoires/recherche/"' in html


def test_honeypot_answers_like_success_but_stores_nothing(client):
    response = client.post(DECLARE, declaration(site_internet="http://spam.example"))
    assert response.status_code == 302
    assert not LocalDynamic.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_declarations_are_limited_per_address_and_hour(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "dynamics_declaration": "2/h"}
    for _ in range(3):  # forms sent back for correction do not count
        assert client.post(DECLARE, declaration(consent_processing=None)).status_code == 200
    for number in range(2):
        assert client.post(DECLARE, declaration(name=f"Dynamique {number}")).status_code == 302
    refused = client.post(DECLARE, declaration(name="Dynamique 3"))
    assert refused.status_code == 429
    assert "Trop de déclarations" in refused.content.decode()
    assert LocalDynamic.objects.count() == 2
    other = client.post(DECLARE, declaration(name="Dynamique 4"), REMOTE_ADDR="127.0.0.9")
    assert other.status_code == 302


def test_search_without_javascript_keeps_choices_and_creates_nothing(client):
    page = client.post(
        DECLARE, declaration(action="search", q="Abergement", type="commune", communes=["01001"])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="01002"' in html  # L'Abergement-de-Varey proposed
    assert 'id="commune-01001" checked' in html  # the commune already chosen stays ticked
    assert 'value="Coopérative des acteurs du Bocage"' in html
    assert "fr-message--error" not in html
    assert not LocalDynamic.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "<script>alert(1)</script>"}, "name", "balises HTML"),
        ({"description": "<b>gras</b> et <a href=x>lien</a>"}, "description", "balises HTML"),
        ({"description": "x" * 10000}, "description", "2000"),
        ({"name": "n" * 201}, "name", "200"),
        ({"contact_name": "c" * 5000}, "contact_name", "150"),
        (
            {"description": "http://a.example http://b.example http://c.example"},
            "description",
            "liens",
        ),
        ({"consent_processing": None}, "consent_processing", "Cochez cette case"),
        ({"communes": ["99999", "abc"], "epcis": []}, "communes", "99999, abc"),
        ({"communes": ["01001\x00"], "epcis": ["123"]}, "epcis", "EPCI inconnu(s) : 123"),
        ({"communes": [], "epcis": []}, "communes", "Le territoire est vide"),
        ({"contact_email": "pas-une-adresse"}, "contact_email", "adresse"),
        ({"contact_phone": "appelez-moi"}, "contact_phone", "téléphone"),
        ({"themes": ["piraterie"]}, "themes", "piraterie"),
        ({"stage": "'; DROP TABLE dynamics;--"}, "stage", "valide"),
        (
            {"consent_directory": None, "consent_public_contact": "on"},
            "consent_public_contact",
            "annuaire",
        ),
    ],
)
def test_bad_declarations_are_refused_with_a_message_on_the_field(
    client, overrides, field, message
):
    page = client.post(DECLARE, declaration(**overrides))
    assert page.status_code == 200
    form = page.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert not LocalDynamic.objects.exists()
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_emoji_and_accents_are_kept(client):
    client.post(DECLARE, declaration(name="Énergies partagées 🌞 du Léman"))
    assert LocalDynamic.objects.get().name == "Énergies partagées 🌞 du Léman"


# ------------------------------------------------------------------ moderation


def test_moderation_pages_are_for_the_national_cell_only(client):
    dynamic = LocalDynamicFactory()
    urls = [
        reverse("dynamics:moderation_list"),
        reverse("dynamics:moderation_detail", args=[dynamic.uuid]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in (UserFactory(), UserFactory(reviewer=True), UserFactory(committee=True)):
        client.logout()
        if user.is_staff_role:
            login_staff(client, user)
        else:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
    for user in (UserFactory(national=True), UserFactory(admin=True)):
        client.logout()
        login_staff(client, user)
        for url in urls:
            assert client.get(url).status_code == 200


def test_moderation_list_filters_and_keeps_query_count(client):
    login_staff(client, UserFactory(national=True))
    LocalDynamicFactory(name="Atelier vélo solidaire")
    LocalDynamicFactory(accepted=True, name="Tiers-lieu accepté")
    url = reverse("dynamics:moderation_list")
    page = client.get(url)
    html = page.content.decode()
    assert "Atelier vélo solidaire" in html and "Tiers-lieu accepté" not in html
    assert "Tiers-lieu accepté" in client.get(url, {"statut": "accepted"}).content.decode()
    assert "Atelier vélo" in client.get(url, {"statut": "tous", "q": "VELO"}).content.decode()
    assert client.get(url, {"statut": "nimportequoi", "region": "zz"}).status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"statut": "tous"})
    LocalDynamicFactory.create_batch(15)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"statut": "tous"})
    assert len(many) == len(few)


def test_accepting_tells_the_declarant_with_a_conversion_link_and_is_audited(client):
    national = UserFactory(national=True)
    login_staff(client, national)
    dynamic = LocalDynamicFactory()
    url = reverse("dynamics:moderation_detail", args=[dynamic.uuid])
    response = client.post(url, {"decision": "accepted"})
    assert response.status_code == 302
    dynamic.refresh_from_db()
    assert dynamic.status == ModerationStatus.ACCEPTED
    assert dynamic.moderated_by == national
    email = OutboundEmail.objects.get(template="dynamic_accepted")
    assert email.to == [dynamic.contact_email]
    assert f"/dynamiques-territoriales/{dynamic.uuid}/candidater/?jeton=" in email.body
    assert f"/dynamiques-territoriales/{dynamic.slug}/" in email.body
    entry = AuditLog.objects.get(action="dynamics.moderated")
    assert entry.before == {"status": "pending"} and entry.after["status"] == "accepted"


def test_refusal_needs_a_reason_sent_to_the_declarant(client):
    login_staff(client, UserFactory(national=True))
    dynamic = LocalDynamicFactory()
    url = reverse("dynamics:moderation_detail", args=[dynamic.uuid])
    page = client.post(url, {"decision": "refused", "reason": "  "})
    assert page.status_code == 200
    assert "motif du refus" in page.content.decode()
    dynamic.refresh_from_db()
    assert dynamic.status == ModerationStatus.PENDING
    client.post(url, {"decision": "refused", "reason": "Projet sans dimension économique."})
    dynamic.refresh_from_db()
    assert dynamic.status == ModerationStatus.REFUSED
    email = OutboundEmail.objects.get(template="dynamic_refused")
    assert "Projet sans dimension économique." in email.body


def test_moderation_service_refuses_other_roles():
    dynamic = LocalDynamicFactory()
    with pytest.raises(PermissionDenied):
        services.moderate(dynamic, ModerationStatus.ACCEPTED, actor=UserFactory(reviewer=True))
    dynamic.refresh_from_db()
    assert dynamic.status == ModerationStatus.PENDING


# ------------------------------------------------------------------ public listing


def test_only_accepted_and_consenting_dynamics_are_listed(client):
    shown = LocalDynamicFactory(accepted=True, name="Pôle alimentaire du Diois")
    LocalDynamicFactory(name="En attente de modération")
    LocalDynamicFactory(accepted=True, consent_directory=False, name="Discrète")
    LocalDynamicFactory(refused=True, name="Refusée")
    html = client.get(reverse("dynamics:list")).content.decode()
    assert "Pôle alimentaire du Diois" in html
    for hidden in ("En attente de modération", "Discrète", "Refusée"):
        assert hidden not in html
    assert "Dynamique territoriale" in html
    assert client.get(reverse("dynamics:detail", args=[shown.slug])).status_code == 200
    for other in LocalDynamic.objects.exclude(pk=shown.pk):
        assert client.get(reverse("dynamics:detail", args=[other.slug])).status_code == 404


def test_public_page_shows_contact_email_only_with_consent(client):
    private = LocalDynamicFactory(accepted=True, contact_email="privee@exemple.fr")
    public = LocalDynamicFactory(
        accepted=True, consent_public_contact=True, contact_email="publique@exemple.fr"
    )
    html = client.get(reverse("dynamics:detail", args=[private.slug])).content.decode()
    assert "privee@exemple.fr" not in html
    assert "Dominique Martin" not in html and "06 12 34 56 78" not in html
    html = client.get(reverse("dynamics:detail", args=[public.slug])).content.decode()
    assert "publique@exemple.fr" in html
    assert "Dominique Martin" not in html and "06 12 34 56 78" not in html


def test_public_list_search_filters_and_bad_values(client):
    LocalDynamicFactory(accepted=True, name="Énergie citoyenne", themes=["energy"])
    LocalDynamicFactory(accepted=True, name="Recyclerie", themes=["circular_economy"])
    url = reverse("dynamics:list")
    assert "Recyclerie" not in client.get(url, {"q": "ENERGIE"}).content.decode()
    html = client.get(url, {"theme": "energy"}).content.decode()
    assert "Énergie citoyenne" in html and "Recyclerie" not in html
    for params in (
        {"theme": "inconnu", "region": "999"},
        {"q": "' OR 1=1 --<script>" + "x" * 10000},
        {"page": "-1"},
        {"page": "999999999999"},
        {"q": "🌞"},
    ):
        page = client.get(url, params)
        assert page.status_code == 200
    assert "Valeur de filtre inconnue ignorée" in client.get(url, {"theme": "x"}).content.decode()


def test_directory_links_to_the_dynamics(client):
    html = client.get(reverse("directory:list")).content.decode()
    assert reverse("dynamics:list") in html and reverse("dynamics:declare") in html


def test_navigation_offers_the_declaration(client):
    html = client.get(reverse("core:home")).content.decode()
    assert "Déclarer une dynamique" in html


# ------------------------------------------------------------------ invitations


def test_invitation_audience_lists_accepted_dynamics_that_agreed():
    LocalDynamicFactory(accepted=True, contact_email="oui@exemple.fr")
    LocalDynamicFactory(accepted=True, consent_invitations=False, contact_email="non@exemple.fr")
    LocalDynamicFactory(contact_email="attente@exemple.fr")
    LocalDynamicFactory(refused=True, contact_email="refus@exemple.fr")
    audience = audiences.get("local_dynamics")
    assert audience.resolve({}) == ["oui@exemple.fr"]
    assert ("local_dynamics", audience.label) in audiences.choices()


# ------------------------------------------------------------------ conversion


def test_contact_with_same_account_email_turns_declaration_into_a_draft(client):
    call = CallFactory(dated=True)
    closed = CallFactory(dated=True, closes_at=call.opens_at)
    candidate = UserFactory(email="porteur@bocage.example")
    dynamic = LocalDynamicFactory(
        accepted=True,
        contact_email="porteur@bocage.example",
        themes=["circular_economy", "textile"],
    )
    services.set_territory(dynamic, commune_codes=["01001"], epci_codes=["200000172"])
    client.force_login(candidate)
    url = reverse("dynamics:convert", args=[dynamic.uuid])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert call.title in html and closed.title not in html
    response = client.post(url, {"call": call.pk})
    application = Application.objects.get(owner=candidate)
    assert response.url == reverse("applications:lead", args=[application.uuid])
    assert application.status == ApplicationStatus.DRAFT
    assert application.call == call
    assert application.pole_name == dynamic.name
    assert application.strategy == dynamic.description
    assert application.themes == ["circular_economy"]  # « textile » has no application theme
    assert application.contact_email == "porteur@bocage.example"
    assert list(application.communes.values_list("code", flat=True)) == ["01001"]
    assert list(application.epcis.values_list("code", flat=True)) == ["200000172"]
    assert AuditLog.objects.filter(action="application.created").exists()
    assert AuditLog.objects.filter(action="dynamics.converted").exists()
    # A closed call is refused even if posted by hand.
    assert client.post(url, {"call": closed.pk}).status_code == 200
    assert Application.objects.count() == 1


def test_link_from_the_email_lets_another_account_convert(client):
    call = CallFactory(dated=True)
    dynamic = LocalDynamicFactory(accepted=True)
    client.force_login(UserFactory())
    url = reverse("dynamics:convert", args=[dynamic.uuid])
    assert client.get(url).status_code == 403
    assert client.get(url, {"jeton": "faux"}).status_code == 403
    other = LocalDynamicFactory(accepted=True)
    assert client.get(url, {"jeton": services.conversion_token(other)}).status_code == 403
    token = services.conversion_token(dynamic)
    assert client.get(url, {"jeton": token}).status_code == 200
    response = client.post(url, {"call": call.pk, "jeton": token})
    assert response.status_code == 302
    assert Application.objects.get().pole_name == dynamic.name


def test_conversion_refused_to_others(client):
    pending = LocalDynamicFactory(contact_email="attente@exemple.fr")
    url = reverse("dynamics:convert", args=[pending.uuid])
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(UserFactory(email="attente@exemple.fr"))
    assert client.get(url).status_code == 403  # not accepted yet
    accepted = LocalDynamicFactory(accepted=True, contact_email="national@exemple.fr")
    client.logout()
    login_staff(client, UserFactory(national=True, email="national@exemple.fr"))
    token = services.conversion_token(accepted)
    url = reverse("dynamics:convert", args=[accepted.uuid])
    assert client.get(url, {"jeton": token}).status_code == 403  # staff do not apply
    third = LocalDynamicFactory(accepted=True, contact_email="inconfirme@exemple.fr")
    client.logout()
    client.force_login(UserFactory(unconfirmed=True, email="inconfirme@exemple.fr"))
    assert client.get(reverse("dynamics:convert", args=[third.uuid])).status_code == 403


def test_staff_space_links_to_moderation_and_webhooks(client):
    login_staff(client, UserFactory(national=True))
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("dynamics:moderation_list") in html
    assert reverse("webhooks:list") in html
    client.logout()
    client.force_login(UserFactory())
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("dynamics:moderation_list") not in html


def test_national_cell_erases_a_declaration_keeping_only_its_name_in_the_audit(client):
    dynamic = LocalDynamicFactory(accepted=True, contact_email="effacer@exemple.fr")
    url = reverse("dynamics:moderation_delete", args=[dynamic.uuid])
    assert client.post(url).status_code == 302  # anonymous → login
    login_staff(client, UserFactory(reviewer=True))
    assert client.post(url).status_code == 403
    login_staff(client, UserFactory(national=True))
    assert client.get(url).status_code == 405
    assert client.post(url).url == reverse("dynamics:moderation_list")
    assert not LocalDynamic.objects.exists()
    entry = AuditLog.objects.get(action="dynamics.deleted")
    assert entry.before == {"name": dynamic.name, "status": "accepted"}
    assert "effacer@exemple.fr" not in str(entry.before) + str(entry.after)


def test_public_list_query_count_does_not_grow_with_the_page(client):
    LocalDynamicFactory(accepted=True)
    url = reverse("dynamics:list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    LocalDynamicFactory.create_batch(15, accepted=True)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.context["page_obj"].paginator.count == 16
    assert len(many) == len(few)


def test_public_pages_are_read_only(client):
    """The public list, a listed dynamic and the thank-you page answer GET, refuse POST (405)."""
    dynamic = LocalDynamicFactory(accepted=True)
    urls = [
        reverse("dynamics:list"),
        reverse("dynamics:detail", args=[dynamic.slug]),
        reverse("dynamics:declared"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert client.post(url).status_code == 405, url
