from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.factories import EventFactory, SpeakerFactory
from events.forms import EventAdminForm
from events.models import Event, EventFormat, EventKind, Speaker

pytestmark = pytest.mark.django_db


def test_end_before_start_is_refused_by_validation():
    event = EventFactory.build()
    event.ends_at = event.starts_at - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["ends_at"] == ["La fin de l’événement doit suivre son début."]


def test_end_before_start_is_refused_by_the_database():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at)


@pytest.mark.parametrize("capacity", [0, -5])
def test_capacity_zero_or_negative_is_refused(capacity):
    event = EventFactory.build(capacity=capacity)
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["uid"])
    assert "capacity" in error.value.message_dict


def test_capacity_zero_is_refused_by_the_database():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=0)


def test_empty_capacity_means_unlimited():
    event = EventFactory(capacity=None)
    event.full_clean()


def test_online_event_needs_a_join_link_and_on_site_event_a_place():
    online = EventFactory.build(join_url="")
    with pytest.raises(ValidationError) as error:
        online.full_clean(exclude=["uid"])
    assert "join_url" in error.value.message_dict
    on_site = EventFactory.build(on_site=True, venue_address="")
    with pytest.raises(ValidationError) as error:
        on_site.full_clean(exclude=["uid"])
    assert "venue_address" in error.value.message_dict


def test_speakers_are_kept_in_order():
    event = EventFactory()
    SpeakerFactory(event=event, name="B", order=2)
    SpeakerFactory(event=event, name="A", order=1)
    assert [speaker.name for speaker in event.speakers.all()] == ["A", "B"]


def test_speaker_details_name_the_organisation_once():
    speaker = Speaker(
        name="Christophe CHEVALIER",
        title="PDG du groupe Archer",
        organisation="Groupe Archer",
        place="Romans – Auvergne-Rhône-Alpes",
    )
    assert speaker.details == "PDG du groupe Archer – Romans – Auvergne-Rhône-Alpes"
    speaker = Speaker(name="X", title="Trésorière", organisation="CRESS Bretagne")
    assert speaker.details == "Trésorière, CRESS Bretagne"


def _form_data(**overrides):
    data = {
        "title": "Webinaire d’essai",
        "slug": "webinaire-essai",
        "kind": EventKind.WEBINAR,
        "format": EventFormat.ONLINE,
        "join_url": "https://visio.exemple.fr/x",
        "starts_local": "2027-01-19T14:00",
        "ends_local": "2027-01-19T15:30",
        "ambiguous_time": "",
        "organiser_name": "Cellule nationale",
        "organiser_email": "animation@exemple.fr",
        "registration_open": "on",
    }
    data.update(overrides)
    return data


def test_admin_form_reads_times_in_paris_and_stores_utc():
    form = EventAdminForm(data=_form_data())
    assert form.is_valid(), form.errors
    event = form.save()
    assert event.starts_at == datetime(2027, 1, 19, 13, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 1, 19, 14, 30, tzinfo=UTC)


def test_admin_form_shows_stored_times_in_paris():
    event = EventFactory(
        starts_at=datetime(2021, 5, 12, 8, 0, tzinfo=UTC),
        ends_at=datetime(2021, 5, 12, 9, 0, tzinfo=UTC),
    )
    form = EventAdminForm(instance=event)
    assert 'value="2021-05-12T10:00"' in str(form["starts_local"])


def test_admin_form_refuses_a_time_in_the_dst_gap():
    form = EventAdminForm(
        data=_form_data(starts_local="2027-03-28T02:30", ends_local="2027-03-28T04:00")
    )
    assert not form.is_valid()
    assert form.errors["starts_local"] == [
        "L’heure du 28/03/2027 à 02:30 n’existe pas à Paris : ce jour-là, les horloges passent "
        "directement de 2 h à 3 h (passage à l’heure d’été). Choisissez une autre heure."
    ]


def test_admin_form_asks_which_occurrence_of_an_ambiguous_time():
    data = _form_data(starts_local="2027-10-31T02:15", ends_local="2027-10-31T04:00")
    form = EventAdminForm(data=data)
    assert not form.is_valid()
    assert "existe deux fois" in form.errors["starts_local"][0]
    form = EventAdminForm(data={**data, "ambiguous_time": "winter"})
    assert form.is_valid(), form.errors
    assert form.save().starts_at == datetime(2027, 10, 31, 1, 15, tzinfo=UTC)


def test_admin_form_refuses_end_before_start():
    form = EventAdminForm(
        data=_form_data(starts_local="2027-01-19T14:00", ends_local="2027-01-19T13:00")
    )
    assert not form.is_valid()
    assert form.errors["ends_local"] == ["La fin de l’événement doit suivre son début."]


@pytest.mark.parametrize("capacity", ["0", "-3"])
def test_admin_form_refuses_capacity_zero_or_negative(capacity):
    form = EventAdminForm(data=_form_data(capacity=capacity))
    assert not form.is_valid()
    assert "capacity" in form.errors
