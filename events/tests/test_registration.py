import threading
from datetime import timedelta

import icalendar
import pytest
from django.db import connection, connections
from django.utils import timezone

from core.models import AuditLog, OutboundEmail
from events import services
from events.factories import EventFactory, RegistrationFactory
from events.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db


def _register(event, email, name="Ana Dupont"):
    return services.register(event, email=email, name=name, organisation="CRESS")


def test_registration_is_confirmed_with_an_ics_and_a_cancellation_link():
    event = EventFactory()
    result = _register(event, "Ana@Exemple.fr")
    registration = result.registration
    assert result.created
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.email == "ana@exemple.fr"
    email = OutboundEmail.objects.get(template="event_registration_confirmed")
    assert email.to == ["ana@exemple.fr"]
    assert email.subject == f"Inscription confirmée : {event.full_title}"
    assert services.cancel_link(registration) in email.body
    assert services.access_link(registration) in email.body
    assert "Lien direct : https://visio.exemple.fr/rejoindre/123" in email.body
    (attachment,) = email.attachments.all()
    assert attachment.mimetype == "text/calendar; method=REQUEST"
    calendar = icalendar.Calendar.from_ical(bytes(attachment.content))
    assert calendar["METHOD"] == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["ATTENDEE"]) == "mailto:ana@exemple.fr"
    assert AuditLog.objects.filter(action="event.registered").count() == 1


def test_duplicate_registration_returns_the_existing_one():
    event = EventFactory()
    first = _register(event, "ana@exemple.fr")
    second = _register(event, " ANA@exemple.fr ", name="Autre nom")
    assert not second.created
    assert second.registration.pk == first.registration.pk
    assert "déjà inscrite à cet événement" in second.message
    assert Registration.objects.filter(event=event).count() == 1
    # The holder is told by e-mail that the address is already registered, once a day.
    assert OutboundEmail.objects.filter(template="event_registration_confirmed").count() == 1
    exists = OutboundEmail.objects.get(template="event_registration_exists")
    assert services.access_link(first.registration) in exists.body
    assert "Autre nom" not in exists.body
    _register(event, "ana@exemple.fr")
    assert OutboundEmail.objects.filter(template="event_registration_exists").count() == 1


def test_registration_after_the_event_is_refused():
    event = EventFactory(past=True)
    with pytest.raises(services.RegistrationRefused) as error:
        _register(event, "ana@exemple.fr")
    assert str(error.value) == "Cet événement est terminé : il n’est plus possible de s’y inscrire."
    assert not Registration.objects.exists()


def test_registration_when_closed_is_refused():
    event = EventFactory(registration_open=False)
    with pytest.raises(services.RegistrationRefused) as error:
        _register(event, "ana@exemple.fr")
    assert str(error.value) == "Les inscriptions à cet événement sont closes."


def test_registration_to_a_cancelled_event_is_refused():
    event = EventFactory()
    services.cancel_event(event, actor=None)
    with pytest.raises(services.RegistrationRefused):
        _register(event, "ana@exemple.fr")


def test_beyond_capacity_goes_to_the_waiting_list():
    event = EventFactory(capacity=2)
    statuses = [_register(event, f"p{n}@exemple.fr").registration.status for n in range(4)]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
    waiting_mail = OutboundEmail.objects.filter(template="event_registration_waiting").first()
    assert waiting_mail.attachments.count() == 0
    assert "visio.exemple.fr" not in waiting_mail.body


def test_cancelling_promotes_the_first_on_the_waiting_list():
    event = EventFactory(capacity=1)
    first = _register(event, "p1@exemple.fr").registration
    second = _register(event, "p2@exemple.fr").registration
    third = _register(event, "p3@exemple.fr").registration
    promoted = services.cancel_registration(first)
    assert [r.pk for r in promoted] == [second.pk]
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    assert second.promoted_at is not None
    assert third.status == RegistrationStatus.WAITING
    promoted_mail = OutboundEmail.objects.get(template="event_registration_promoted")
    assert promoted_mail.to == ["p2@exemple.fr"]
    assert promoted_mail.attachments.get().mimetype.startswith("text/calendar; method=REQUEST")
    cancel_mail = OutboundEmail.objects.get(template="event_registration_cancelled")
    assert cancel_mail.attachments.get().mimetype.startswith("text/calendar; method=CANCEL")
    assert services.cancel_registration(first) == []  # cancelling twice changes nothing


def test_raising_capacity_promotes_waiting_people_in_order():
    event = EventFactory(capacity=1)
    for n in range(3):
        _register(event, f"p{n}@exemple.fr")
    promoted = services.set_capacity(event, 2, actor=None)
    assert [r.email for r in promoted] == ["p1@exemple.fr"]


def test_cancelled_registration_can_register_again_at_the_end_of_the_queue():
    event = EventFactory(capacity=1)
    first = _register(event, "p1@exemple.fr").registration
    services.cancel_registration(first)
    again = _register(event, "p1@exemple.fr")
    assert again.created
    assert again.registration.pk == first.pk
    assert again.registration.status == RegistrationStatus.CONFIRMED


def test_registration_token_round_trip_and_tampering():
    registration = RegistrationFactory()
    token = services.registration_token(registration)
    assert services.registration_from_token(token) == registration
    assert services.registration_from_token(token[:-2] + "xx") is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overbook():
    """Twelve people register at once for five places: exactly five are confirmed."""
    if connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    ):
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    event = EventFactory(capacity=5)
    barrier = threading.Barrier(12)
    errors = []

    def attempt(n):
        try:
            barrier.wait(timeout=10)
            _register(event, f"concurrent{n}@exemple.fr")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = list(event.registrations.values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.CONFIRMED) == 5
    assert statuses.count(RegistrationStatus.WAITING) == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_registrations_make_one_row():
    if connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    ):
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    event = EventFactory()
    barrier = threading.Barrier(6)
    errors = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            _register(event, "meme@exemple.fr")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert event.registrations.count() == 1


def test_places_left_counts_confirmed_only():
    event = EventFactory(capacity=3)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    assert services.places_left(event) == 2
    assert services.places_left(EventFactory(capacity=None)) is None


def test_event_ending_now_refuses_registration():
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=1), ends_at=now)
    assert services.refusal_reason(event, now) != ""
