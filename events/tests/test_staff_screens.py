"""Events are created and edited in staff screens, without the Django administration."""

import pytest
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog, OutboundEmail
from events.factories import EventFactory, RegistrationFactory, SpeakerFactory
from events.models import Event, RegistrationStatus, Series

pytestmark = pytest.mark.django_db


def _staff(client):
    user = UserFactory(national=True)
    login_staff(client, user)
    return user


def _form_data(**overrides) -> dict:
    data = {
        "title": "Rencontre régionale des PTCE",
        "slug": "",
        "kind": "workshop",
        "series": "",
        "new_series_title": "",
        "episode_number": "",
        "episode_title": "",
        "description": "Une matinée d’échanges entre pôles.",
        "programme": "",
        "audience": "",
        "call": "",
        "starts_local": "2027-03-16T09:30",
        "ends_local": "2027-03-16T12:30",
        "ambiguous_time": "",
        "format": "on_site",
        "join_url": "",
        "meeting_number": "",
        "video_address": "",
        "video_ip_instructions": "",
        "access_code": "",
        "venue_name": "Maison de l’ESS",
        "venue_address": "12 rue de la République",
        "commune_text": "Aurillac",
        "registration_open": "on",
        "capacity": "40",
        "organiser_name": "Cellule nationale PTCE",
        "organiser_email": "ptce@example.gouv.fr",
        "replay_url": "",
        "intervenants-TOTAL_FORMS": "2",
        "intervenants-INITIAL_FORMS": "0",
        "intervenants-0-name": "Claire Martin",
        "intervenants-0-title": "Directrice",
        "intervenants-0-organisation": "CRESS Auvergne-Rhône-Alpes",
        "intervenants-0-place": "Lyon",
        "intervenants-0-order": "1",
        "intervenants-1-name": "",
        "intervenants-1-order": "0",
        "numeros-TOTAL_FORMS": "1",
        "numeros-INITIAL_FORMS": "0",
        "numeros-0-number": "",
        "numeros-0-order": "0",
    }
    data.update(overrides)
    return data


def _edit_data(event, **overrides) -> dict:
    page = Event.objects.get(pk=event.pk)
    data = _form_data(
        title=page.title,
        slug=page.slug,
        kind=page.kind,
        description=page.description,
        format=page.format,
        join_url=page.join_url,
        meeting_number=page.meeting_number,
        video_address=page.video_address,
        access_code=page.access_code,
        starts_local=page.starts_at.astimezone().strftime("%Y-%m-%dT%H:%M"),
        ends_local=page.ends_at.astimezone().strftime("%Y-%m-%dT%H:%M"),
        venue_name=page.venue_name,
        venue_address=page.venue_address,
        commune_text="",
        capacity="" if page.capacity is None else str(page.capacity),
        organiser_name=page.organiser_name,
        organiser_email=page.organiser_email,
        version=page.updated_at.isoformat(),
    )
    data["intervenants-TOTAL_FORMS"] = "0"
    data["numeros-TOTAL_FORMS"] = "0"
    data.update(overrides)
    return data


def test_only_the_national_cell_and_admins_reach_the_screens(client):
    url = reverse("events:staff_list")
    assert client.get(url).status_code == 302  # to the login page
    login_staff(client, UserFactory(reviewer=True))
    assert client.get(url).status_code == 403
    assert client.get(reverse("events:staff_create")).status_code == 403


def test_the_list_shows_every_event_with_its_registrations(client):
    _staff(client)
    event = EventFactory(title="Webinaire gouvernance", capacity=30)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    page = client.get(reverse("events:staff_list")).content.decode()
    assert "Webinaire gouvernance" in page
    assert "1 / 30 (+ 1 en attente)" in page
    assert reverse("events:staff_edit", args=[event.slug]) in page


def test_an_event_is_created_with_a_new_season_its_commune_and_a_speaker(client):
    user = _staff(client)
    response = client.post(
        reverse("events:staff_create"), _form_data(new_series_title="PTCE Saison 4")
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Rencontre régionale des PTCE")
    assert response["Location"] == reverse("events:manage", args=[event.slug])
    assert event.slug == "rencontre-regionale-des-ptce"
    assert event.series == Series.objects.get(title="PTCE Saison 4")
    assert (event.commune.code, event.commune.name) == ("15014", "Aurillac")
    assert event.capacity == 40
    assert event.starts_at.isoformat() == "2027-03-16T08:30:00+00:00"  # 9 h 30 in Paris
    assert [s.name for s in event.speakers.all()] == ["Claire Martin"]
    entry = AuditLog.objects.get(action="event.created")
    assert entry.actor == user
    assert entry.after["speakers"] == [
        "Claire Martin — Directrice, CRESS Auvergne-Rhône-Alpes – Lyon"
    ]
    assert client.get(event.get_absolute_url()).status_code == 200


def test_invalid_input_is_explained_and_nothing_is_saved(client):
    _staff(client)
    EventFactory(slug="deja-prise")
    data = _form_data(
        slug="deja-prise",
        commune_text="Saint-Denis",
        ends_local="pas une date",
        **{"intervenants-0-name": ""},
        **{"intervenants-0-organisation": "Sans nom"},
    )
    response = client.post(reverse("events:staff_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le formulaire contient des erreurs : rien n’est enregistré" in page
    assert "Un autre événement a déjà l’adresse « deja-prise »" in page
    assert "Plusieurs communes correspondent : " in page
    assert "Saint-Denis (93066)" in page
    assert "Saint-Denis (97411)" in page
    assert "Saisissez une date et une heure valides" in page
    assert "Intervenants : vérifiez les lignes signalées." in page
    assert Event.objects.count() == 1


def test_reserved_addresses_are_refused(client):
    _staff(client)
    response = client.post(reverse("events:staff_create"), _form_data(slug="gestion"))
    assert "L’adresse « gestion » est réservée" in response.content.decode()
    assert not Event.objects.filter(slug="gestion").exists()


def test_moving_the_date_sends_the_calendar_update_and_is_audited(client):
    user = _staff(client)
    event = EventFactory()
    SpeakerFactory(event=event, name="Ana Lopez")
    RegistrationFactory(event=event, email="bob@exemple.fr")
    data = _edit_data(event, starts_local="2027-02-02T10:00", ends_local="2027-02-02T11:00")
    data.update(
        {
            "intervenants-TOTAL_FORMS": "1",
            "intervenants-INITIAL_FORMS": "1",
            "intervenants-0-id": str(event.speakers.get().pk),
            "intervenants-0-event": str(event.pk),
            "intervenants-0-name": "Ana Lopez",
            "intervenants-0-order": "0",
            "intervenants-0-DELETE": "on",
        }
    )
    response = client.post(reverse("events:staff_edit", args=[event.slug]), data, follow=True)
    assert "La mise à jour du calendrier est envoyée à 1 personne(s)." in (
        response.content.decode()
    )
    event.refresh_from_db()
    assert event.sequence == 1
    assert not event.speakers.exists()
    update = OutboundEmail.objects.get(template="event_update")
    assert update.to == ["bob@exemple.fr"]
    assert "mardi 2 février 2027 de 10 h 00 à 11 h 00 (heure de Paris)" in update.body
    edited = AuditLog.objects.get(action="event.edited")
    assert edited.actor == user
    assert set(edited.after) == {"starts_at", "ends_at", "speakers"}
    assert edited.after["speakers"] == []


def test_more_places_take_people_off_the_waiting_list(client):
    _staff(client)
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    response = client.post(
        reverse("events:staff_edit", args=[event.slug]),
        _edit_data(event, capacity="2"),
        follow=True,
    )
    assert "1 personne(s) sortent de la liste d’attente." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert AuditLog.objects.filter(action="event.capacity_changed").count() == 1


def test_a_stale_form_changes_nothing(client):
    _staff(client)
    event = EventFactory(title="Titre d’origine")
    stale = _edit_data(event, title="Ma version")
    Event.objects.filter(pk=event.pk).update(title="Version d’une collègue")
    event.refresh_from_db()
    event.save()  # a colleague saved in between: a newer updated_at
    response = client.post(reverse("events:staff_edit", args=[event.slug]), stale)
    assert response.status_code == 400
    assert "Quelqu’un d’autre a modifié cet événement" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Version d’une collègue"
    assert not AuditLog.objects.filter(action="event.edited").exists()
