from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog
from events import services
from events.factories import EventFactory, RegistrationFactory, SeriesFactory, SpeakerFactory
from events.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db


def test_list_shows_upcoming_soonest_first_then_past(client, django_assert_max_num_queries):
    now = timezone.now()
    EventFactory(title="Passé", starts_at=now - timedelta(days=30))
    EventFactory(title="Plus tard", starts_at=now + timedelta(days=60))
    EventFactory(title="Bientôt", starts_at=now + timedelta(days=2))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:list"))
    page = response.content.decode()
    assert page.index("Bientôt") < page.index("Plus tard") < page.index("Événements passés")
    assert page.index("Événements passés") < page.index("Passé</a>")


def test_main_navigation_links_to_events(client):
    page = client.get(reverse("core:home")).content.decode()
    assert 'href="/evenements/"' in page


def test_detail_shows_speakers_time_and_access(client):
    series = SeriesFactory(title="PTCE Saison 3 : la relance")
    event = EventFactory(series=series, episode_number=1, episode_title="Un AMI")
    SpeakerFactory(event=event, name="Jérôme SADDIER", title="Président d'ESS France")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "PTCE Saison 3 : la relance" in page
    assert "Épisode 1 : « Un AMI »" in page
    assert "<strong>Jérôme SADDIER</strong> (Président d&#x27;ESS France)" in page
    assert "(heure de Paris)" in page
    assert 'href="https://visio.exemple.fr/rejoindre/123"' in page
    assert "Code d’accès : <strong>4242</strong>" in page
    assert reverse("events:ics", args=[event.slug]) in page


def test_access_details_hidden_from_visitors_but_shown_on_the_personal_page(client):
    event = EventFactory(access_details_for_registered_only=True)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "visio.exemple.fr" not in page
    assert "4242" not in page
    assert "communiqués aux personnes inscrites" in page
    registration = RegistrationFactory(event=event)
    token = services.registration_token(registration)
    personal = client.get(reverse("events:personal", args=[event.slug, token])).content.decode()
    assert 'href="https://visio.exemple.fr/rejoindre/123"' in personal
    assert "Inscription confirmée" in personal
    public_ics = client.get(reverse("events:ics", args=[event.slug])).content
    assert b"visio.exemple.fr" not in public_ics
    personal_ics = client.get(reverse("events:personal_ics", args=[event.slug, token])).content
    assert b"visio.exemple.fr" in personal_ics


def test_waiting_list_personal_page_keeps_access_hidden(client):
    event = EventFactory(access_details_for_registered_only=True)
    registration = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    token = services.registration_token(registration)
    page = client.get(reverse("events:personal", args=[event.slug, token])).content.decode()
    assert "visio.exemple.fr" not in page
    assert "Liste d’attente" in page


def test_tampered_or_foreign_token_is_refused(client):
    event = EventFactory()
    other = EventFactory()
    token = services.registration_token(RegistrationFactory(event=other))
    assert client.get(reverse("events:personal", args=[event.slug, token])).status_code == 404
    bad = token[:-3] + "abc"
    assert client.get(reverse("events:personal", args=[other.slug, bad])).status_code == 404
    assert client.get(reverse("events:cancel_registration", args=[bad])).status_code == 404


def test_ics_download(client):
    event = EventFactory()
    response = client.get(reverse("events:ics", args=[event.slug]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"METHOD:PUBLISH\r\n" in response.content


def test_replay_link_shown_only_after_the_event(client):
    upcoming = EventFactory(replay_url="https://video.exemple.fr/replay")
    assert "Voir le replay" not in client.get(upcoming.get_absolute_url()).content.decode()
    past = EventFactory(past=True, replay_url="https://video.exemple.fr/replay")
    page = client.get(past.get_absolute_url()).content.decode()
    assert 'href="https://video.exemple.fr/replay"' in page


def test_html_in_titles_is_escaped_in_pages(client):
    event = EventFactory(title="<script>alert('x')</script>", episode_title="<i>ép</i>")
    for url in (reverse("events:list"), event.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_anonymous_registration_from_the_page(client):
    event = EventFactory(capacity=10)
    response = client.post(
        event.get_absolute_url(),
        {"name": "Ana Dupont", "email": "ana@exemple.fr", "organisation": ""},
        follow=True,
    )
    assert "Si cette adresse peut s’inscrire, un message vient de lui être envoyé" in (
        response.content.decode()
    )
    registration = Registration.objects.get()
    assert registration.user is None
    assert registration.status == RegistrationStatus.PENDING  # confirmed by the e-mailed link


def test_signed_in_registration_is_linked_to_the_account(client):
    user = UserFactory(email="ana@exemple.fr")
    client.force_login(user)
    event = EventFactory()
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'value="ana@exemple.fr"' in page
    response = client.post(event.get_absolute_url(), {"name": "Ana", "email": "ana@exemple.fr"})
    registration = Registration.objects.get()
    assert registration.user == user
    # A verified account address needs no confirmation link: the place is taken at once.
    assert registration.status == RegistrationStatus.CONFIRMED
    assert response.url == reverse(
        "events:personal", args=[event.slug, services.registration_token(registration)]
    )


def test_signed_in_account_with_an_unverified_address_confirms_it_like_anyone(client):
    client.force_login(UserFactory(email="ana@exemple.fr", unconfirmed=True))
    event = EventFactory()
    client.post(event.get_absolute_url(), {"name": "Ana", "email": "ana@exemple.fr"})
    assert Registration.objects.get().status == RegistrationStatus.PENDING


def test_signed_in_account_registering_another_address_confirms_it(client):
    client.force_login(UserFactory(email="ana@exemple.fr"))
    event = EventFactory()
    client.post(event.get_absolute_url(), {"name": "Léa", "email": "lea@exemple.fr"})
    registration = Registration.objects.get()
    assert (registration.status, registration.user) == (RegistrationStatus.PENDING, None)


def _answer(response):
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]


def test_duplicate_registration_answers_as_a_new_one_and_says_it_by_e_mail(
    client, django_capture_on_commit_callbacks
):
    """Issue 22: re-registering told whether an address was already registered."""
    from core.models import OutboundEmail

    event = EventFactory()
    RegistrationFactory(event=event, email="ana@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(event.get_absolute_url(), {"name": "Ana", "email": "ANA@exemple.fr"})
        known_answer = _answer(known)
        new = client.post(event.get_absolute_url(), {"name": "Léa", "email": "lea@exemple.fr"})
    assert known.status_code == new.status_code == 302
    answer = {
        "Merci. Si cette adresse peut s’inscrire, un message vient de lui être envoyé : il "
        "contient un lien à ouvrir dans les 30 minutes pour confirmer l’adresse et "
        "l’inscription. Sans confirmation, aucune place n’est prise. Si l’adresse est déjà "
        "inscrite, le message le dit et donne le lien personnel."
    }
    assert set(known_answer) == set(_answer(new)) == answer
    assert Registration.objects.filter(email="ana@exemple.fr").count() == 1
    (exists,) = OutboundEmail.objects.filter(template="event_registration_exists")
    assert exists.to == ["ana@exemple.fr"]
    assert "Elle y est déjà inscrite : aucune nouvelle inscription n'a été créée." in exists.body
    (confirm,) = OutboundEmail.objects.filter(template="event_registration_confirm_address")
    assert confirm.to == ["lea@exemple.fr"]


def test_honeypot_registers_nobody_and_answers_the_same(client):
    event = EventFactory(capacity=10)
    response = client.post(
        event.get_absolute_url(),
        {"name": "Robot", "email": "victim1@example.org", "site_web": "http://spam.example"},
    )
    assert response.status_code == 302
    assert _answer(response) == [services.registration_answer()]
    assert not Registration.objects.exists()


def test_a_url_typed_in_a_name_is_not_a_link_in_the_e_mail(
    client, django_capture_on_commit_callbacks
):
    """Issue 22: a name containing http://phish.example/login became a clickable link."""
    from core.models import OutboundEmail

    event = EventFactory(capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            event.get_absolute_url(),
            {"name": "Ana http://phish.example/login", "email": "ana@exemple.fr"},
        )
    request = OutboundEmail.objects.get()
    assert request.template == "event_registration_confirm_address"
    assert "phish" not in request.body  # the name typed in the form is not in that e-mail
    token = services.confirmation_token(Registration.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:confirm_registration", args=[token]))
    confirmed = OutboundEmail.objects.get(template="event_registration_confirmed")
    assert "Ana http://phish.example/login" in confirmed.body
    for email in (request, confirmed):
        assert 'href="http://phish.example' not in email.html_body
        assert "<a " in email.html_body  # the platform's own links stay links
        assert all(
            href.startswith(settings.SITE_URL)
            for href in __import__("re").findall(r'href="([^"]+)"', email.html_body)
        )


def test_registration_form_errors_are_shown(client):
    event = EventFactory()
    response = client.post(event.get_absolute_url(), {"name": "", "email": "pas-une-adresse"})
    assert response.status_code == 200
    assert not Registration.objects.exists()
    assert "Saisissez une adresse de courriel valide." in response.content.decode()


def test_past_or_closed_event_offers_no_form_and_refuses_posts(client):
    past = EventFactory(past=True)
    page = client.get(past.get_absolute_url()).content.decode()
    assert "Cet événement est terminé" in page
    assert "M’inscrire" not in page
    response = client.post(past.get_absolute_url(), {"name": "A", "email": "a@ex.fr"}, follow=True)
    assert "il n’est plus possible de s’y inscrire" in response.content.decode()
    closed = EventFactory(registration_open=False)
    response = client.post(
        closed.get_absolute_url(), {"name": "A", "email": "a@ex.fr"}, follow=True
    )
    assert "Les inscriptions à cet événement sont closes." in response.content.decode()
    assert not Registration.objects.exists()


def test_cancellation_link_asks_then_cancels_and_promotes(client):
    event = EventFactory(capacity=1)
    first = RegistrationFactory(event=event)
    second = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    url = reverse("events:cancel_registration", args=[services.registration_token(first)])
    assert "Confirmer l’annulation" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Votre inscription est annulée." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.CANCELLED
    assert second.status == RegistrationStatus.CONFIRMED


# Staff ----------------------------------------------------------------------------------------


def test_management_page_is_for_national_staff_only(client):
    event = EventFactory()
    url = reverse("events:manage", args=[event.slug])
    assert client.get(url).status_code == 302  # to login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    login_staff(client, UserFactory(national=True))
    assert client.get(url).status_code == 200


def test_check_in_records_attendance(client):
    event = EventFactory()
    registration = RegistrationFactory(event=event, name="Ana Dupont")
    staff = UserFactory(national=True)
    login_staff(client, staff)
    url = reverse("events:check_in", args=[event.slug, registration.pk])
    response = client.post(url, {"present": "1"}, follow=True)
    assert "Ana Dupont : présence enregistrée." in response.content.decode()
    registration.refresh_from_db()
    assert registration.attended_at is not None
    client.post(url, {"present": "0"})
    registration.refresh_from_db()
    assert registration.attended_at is None
    assert AuditLog.objects.filter(action="event.attendance_recorded", actor=staff).count() == 2


def test_check_in_refused_to_candidates(client):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    client.force_login(UserFactory())
    url = reverse("events:check_in", args=[event.slug, registration.pk])
    assert client.post(url, {"present": "1"}).status_code == 403


def test_participant_exports_neutralise_formulas_and_are_audited(client):
    event = EventFactory()
    RegistrationFactory(event=event, name='=HYPERLINK("http://x")', organisation="+33 CRESS")
    login_staff(client, UserFactory(national=True))
    response = client.get(reverse("events:export", args=[event.slug, "csv"]))
    content = b"".join(response.streaming_content).decode()
    assert content.startswith("\ufeffNom;Adresse électronique;Organisation;Statut")
    assert "'=HYPERLINK" in content
    assert "'+33 CRESS" in content
    response = client.get(reverse("events:export", args=[event.slug, "xlsx"]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nom"
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][3] == "Inscription confirmée"
    assert AuditLog.objects.filter(action="event.participants_exported").count() == 2
    assert client.get(reverse("events:export", args=[event.slug, "pdf"])).status_code == 404


def test_export_refused_to_regional_reviewers(client):
    event = EventFactory()
    login_staff(client, UserFactory(reviewer=True))
    assert client.get(reverse("events:export", args=[event.slug, "csv"])).status_code == 403


def test_admin_pages_render(client):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    login_staff(client, UserFactory(admin=True))
    for url in (
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_add"),
        reverse("admin:events_series_add"),
        reverse("admin:events_registration_changelist"),
        reverse("admin:events_registration_change", args=[registration.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:events_registration_add")).status_code == 403
