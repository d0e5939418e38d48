"""Issue 22 item 4: an address is confirmed by e-mail before a registration takes a place.

A request from the public form holds a free place for ``PTCE_EVENT_HOLD_MINUTES`` (30 by
default); past that delay the hold no longer counts and the periodic job deletes it, giving
the place to the waiting list."""

import threading
from datetime import timedelta

import icalendar
import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory
from core import periodic
from core.models import OutboundEmail
from events import services
from events.factories import EventFactory, RegistrationFactory
from events.models import Registration, RegistrationStatus
from events.tasks import release_event_holds

pytestmark = pytest.mark.django_db

HOLD = timedelta(minutes=30)


def _request(event, email, *, now=None, name="Ana Dupont"):
    return services.request_registration(event, email=email, name=name, now=now)


def _verified(event, email):
    """A registration from a signed-in account whose address is verified (no link)."""
    return services.register(event, email=email, name="Compte vérifié")


def _token(email):
    return services.confirmation_token(Registration.objects.get(email=email))


def _confirm_url(token):
    return reverse("events:confirm_registration", args=[token])


@pytest.fixture
def fresh_rate_limits():
    """The reproduction spends the client's registration allowance: start and end afresh."""
    cache.clear()
    yield
    cache.clear()


def test_the_25_registrations_of_the_issue_take_no_place_and_their_holds_expire(
    client, django_capture_on_commit_callbacks, fresh_rate_limits
):
    """Issue 22: 25 anonymous registrations for victimN@example.org took 25 places and sent
    25 confirmations. Now: at most 20 requests from one client (rate limit), none confirmed,
    the places only held for 30 minutes, and one e-mail each asking to confirm."""
    event = EventFactory(capacity=120, slug="journee-nationale-ptce-2027-demo")
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(25):
            response = client.post(
                event.get_absolute_url(),
                {"name": f"Victime {n}", "email": f"victim{n}@example.org"},
            )
            statuses.append(response.status_code)
    assert statuses == [302] * 20 + [429] * 5
    assert not Registration.objects.exclude(status=RegistrationStatus.PENDING).exists()
    assert Registration.objects.filter(holds_place=True).count() == 20
    assert OutboundEmail.objects.filter(template="event_registration_confirmed").count() == 0
    requests = OutboundEmail.objects.filter(template="event_registration_confirm_address")
    assert requests.count() == 20
    assert all(email.attachments.count() == 0 for email in requests)
    assert services.places_left(event) == 100  # held, not taken
    later = timezone.now() + HOLD + timedelta(seconds=1)
    assert services.places_left(event, later) == 120  # even before the job has run
    assert services.release_expired_holds(now=later) == 20
    assert not Registration.objects.exists()  # nothing of the unconfirmed addresses is kept
    assert services.places_left(event) == 120


def test_confirmation_link_works_once_and_a_second_confirmation_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        _request(event, "ana@exemple.fr")
    request_mail = OutboundEmail.objects.get(template="event_registration_confirm_address")
    registration = Registration.objects.get()
    url = services.confirm_link(registration)
    assert url in request_mail.body
    assert request_mail.subject == f"Confirmez votre inscription : {event.full_title}"
    assert "Une place vous est réservée jusque-là" in request_mail.body
    assert "visio.exemple.fr" not in request_mail.body  # no access details before confirming
    path = _confirm_url(_token("ana@exemple.fr"))
    # Opening the link (as a mail gateway would) confirms nothing: the page has a button.
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirmer mon inscription" in page.content.decode()
    assert Registration.objects.get().status == RegistrationStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, follow=True)
    assert "Votre adresse est confirmée : votre inscription est confirmée." in (
        response.content.decode()
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not registration.holds_place
    confirmed = OutboundEmail.objects.get(template="event_registration_confirmed")
    assert confirmed.to == ["ana@exemple.fr"]
    calendar = icalendar.Calendar.from_ical(bytes(confirmed.attachments.get().content))
    assert calendar["METHOD"] == "REQUEST"
    # A second click: the same registration, no second e-mail, a calm message.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(path, follow=True)
    assert "Votre adresse était déjà confirmée : rien n’a changé." in again.content.decode()
    assert OutboundEmail.objects.filter(template="event_registration_confirmed").count() == 1
    assert client.get(path).status_code == 200
    assert services.places_left(event) == 9


def test_forged_token_gets_a_clear_french_page(client):
    event = EventFactory()
    _request(event, "ana@exemple.fr")
    token = _token("ana@exemple.fr")
    for bad in (token[:-3] + "abc", "n-importe-quoi"):
        for method in (client.get, client.post):
            response = method(_confirm_url(bad))
            assert response.status_code == 404
            assert "Lien de confirmation non valide" in response.content.decode()
    # The personal-page token of the same registration does not confirm it either.
    personal = services.registration_token(Registration.objects.get())
    assert client.post(_confirm_url(personal)).status_code == 404
    assert Registration.objects.get().status == RegistrationStatus.PENDING


def test_expired_link_gets_a_clear_french_page_before_and_after_the_job(client):
    event = EventFactory(capacity=5)
    _request(event, "ana@exemple.fr", now=timezone.now() - HOLD - timedelta(minutes=1))
    token = _token("ana@exemple.fr")
    assert services.places_left(event) == 5  # the expired hold is not counted
    response = client.post(_confirm_url(token))
    assert response.status_code == 410
    page = response.content.decode()
    assert "Ce lien de confirmation a expiré" in page
    assert "valable 30 minutes" in page
    assert Registration.objects.get().status == RegistrationStatus.PENDING
    release_event_holds.call()
    assert not Registration.objects.exists()
    response = client.get(_confirm_url(token))
    assert response.status_code == 410
    assert "Ce lien de confirmation a expiré" in response.content.decode()


def test_asking_again_sends_one_link_per_delay_and_a_new_request_replaces_the_old_link(
    django_capture_on_commit_callbacks,
):
    event = EventFactory()
    past = timezone.now() - HOLD - timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        _request(event, "ana@exemple.fr", now=past)
        old_token = _token("ana@exemple.fr")
        _request(event, "ana@exemple.fr")  # the first one expired: a new request
        _request(event, "ana@exemple.fr")  # still valid: nothing more is sent
    assert OutboundEmail.objects.filter(to=["ana@exemple.fr"]).count() == 2
    assert services.check_confirmation(old_token).state == services.Confirmation.EXPIRED
    new_token = _token("ana@exemple.fr")
    assert services.confirm_registration(new_token).state == services.Confirmation.CONFIRMED


def test_expired_holds_free_places_for_the_waiting_list(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        _request(event, "held@exemple.fr")
        _verified(event, "first@exemple.fr")
        waiting = _verified(event, "second@exemple.fr").registration
    assert waiting.status == RegistrationStatus.WAITING  # the held place is not given away
    later = timezone.now() + HOLD + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_expired_holds(now=later) == 1
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert waiting.promoted_at == later
    promoted = OutboundEmail.objects.get(template="event_registration_promoted")
    assert promoted.to == ["second@exemple.fr"]
    assert "held@exemple.fr" not in Registration.objects.values_list("email", flat=True)


def test_a_late_job_does_not_let_a_newcomer_pass_the_waiting_list():
    event = EventFactory(capacity=1)
    _request(event, "held@exemple.fr", now=timezone.now() - HOLD - timedelta(minutes=1))
    waiting = _verified(event, "waiting@exemple.fr").registration
    # The hold had already expired: the verified registration took the place at once.
    assert waiting.status == RegistrationStatus.CONFIRMED
    event2 = EventFactory(capacity=1)
    _request(event2, "held@exemple.fr")
    in_line = _verified(event2, "line@exemple.fr").registration
    assert in_line.status == RegistrationStatus.WAITING
    # The hold expires, no job runs; a new request first releases it and promotes the line.
    _request(event2, "newcomer@exemple.fr", now=timezone.now() + HOLD + timedelta(seconds=1))
    in_line.refresh_from_db()
    assert in_line.status == RegistrationStatus.CONFIRMED
    newcomer = Registration.objects.get(event=event2, email="newcomer@exemple.fr")
    assert newcomer.status == RegistrationStatus.PENDING and not newcomer.holds_place


def test_a_full_event_holds_nothing_and_confirmation_goes_to_the_waiting_list(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(capacity=1)
    _verified(event, "first@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        _request(event, "late@exemple.fr")
    late = Registration.objects.get(email="late@exemple.fr")
    assert not late.holds_place
    request_mail = OutboundEmail.objects.get(template="event_registration_confirm_address")
    assert "L'événement est complet pour le moment" in request_mail.body
    outcome = services.confirm_registration(_token("late@exemple.fr"))
    assert outcome.state == services.Confirmation.WAITING
    late.refresh_from_db()
    assert late.status == RegistrationStatus.WAITING


def test_two_confirmations_for_the_last_place_give_it_to_one_and_the_waiting_list_to_the_other():
    event = EventFactory(capacity=1)
    holder = _verified(event, "holder@exemple.fr").registration
    _request(event, "a@exemple.fr")
    _request(event, "b@exemple.fr")
    services.cancel_registration(holder)  # one place free, nobody holds it
    states = [
        services.confirm_registration(_token(email)).state
        for email in ("a@exemple.fr", "b@exemple.fr")
    ]
    assert states == [services.Confirmation.CONFIRMED, services.Confirmation.WAITING]


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_for_the_last_place_never_overbook():
    if connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    ):
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    event = EventFactory(capacity=1)
    holder = _verified(event, "holder@exemple.fr").registration
    emails = [f"c{n}@exemple.fr" for n in range(4)]
    for email in emails:
        _request(event, email)
    services.cancel_registration(holder)
    tokens = [_token(email) for email in emails]
    barrier = threading.Barrier(len(tokens))
    states, errors = [], []

    def attempt(token):
        try:
            barrier.wait(timeout=10)
            states.append(services.confirm_registration(token).state)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(states) == ["confirmed", "waiting", "waiting", "waiting"]
    assert event.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_confirms_once():
    if connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    ):
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    event = EventFactory(capacity=3)
    _request(event, "ana@exemple.fr")
    token = _token("ana@exemple.fr")
    barrier = threading.Barrier(3)
    states = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            states.append(services.confirm_registration(token).state)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(states) == ["already", "already", "confirmed"]
    assert OutboundEmail.objects.filter(template="event_registration_confirmed").count() == 1


def test_cancelled_event_refuses_the_confirmation():
    event = EventFactory()
    _request(event, "ana@exemple.fr")
    services.cancel_event(event, actor=None)
    outcome = services.confirm_registration(_token("ana@exemple.fr"))
    assert outcome.state == services.Confirmation.REFUSED
    assert outcome.reason == "Cet événement est annulé : les inscriptions sont fermées."


def test_pending_addresses_receive_no_update_nor_appear_in_participant_lists(
    django_capture_on_commit_callbacks,
):
    event = EventFactory()
    RegistrationFactory(event=event, email="confirmed@exemple.fr")
    _request(event, "pending@exemple.fr")
    before = services.schedule_snapshot(event)
    event.title = "Nouveau titre"
    event.save()
    assert services.publish_update(event, before=before, actor=None) == 1
    assert not OutboundEmail.objects.filter(
        template="event_update", to=["pending@exemple.fr"]
    ).exists()
    emails = [row[1] for row in services.participant_rows(event)]
    assert emails == ["confirmed@exemple.fr"]


def test_verified_account_skips_the_confirmation_and_unverified_one_does_not():
    event = EventFactory()
    verified = UserFactory(email="ana@exemple.fr")
    result = services.request_registration(event, email="ANA@exemple.fr", name="Ana", user=verified)
    assert result.registration.status == RegistrationStatus.CONFIRMED
    unverified = UserFactory(email="lea@exemple.fr", unconfirmed=True)
    result = services.request_registration(
        event, email="lea@exemple.fr", name="Léa", user=unverified
    )
    assert result.registration.status == RegistrationStatus.PENDING


def test_release_job_is_registered_with_the_scheduler():
    jobs = {job.name: job for job in periodic.registered_jobs()}
    job = jobs["events.release_holds"]
    assert job.task_path == "events.tasks.release_event_holds"
    assert job.every == timedelta(minutes=5)


def test_manage_page_counts_pending_requests(client):
    from accounts.factories import login_staff

    event = EventFactory()
    _request(event, "ana@exemple.fr")
    login_staff(client, UserFactory(national=True))
    page = client.get(reverse("events:manage", args=[event.slug])).content.decode()
    assert "1 demande(s) dont l’adresse n’est pas encore confirmée" in page
    assert "ana@exemple.fr" not in page
