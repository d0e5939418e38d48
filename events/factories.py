from datetime import timedelta

import factory
from django.utils import timezone

from events.models import (
    DialInNumber,
    Event,
    EventFormat,
    EventKind,
    Registration,
    RegistrationStatus,
    Series,
    Speaker,
)


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Saison {n}")
    slug = factory.Sequence(lambda n: f"saison-{n}")


class EventFactory(factory.django.DjangoModelFactory):
    """An online round table in ten days, one hour long, open to registration."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Table ronde n° {n}")
    slug = factory.Sequence(lambda n: f"table-ronde-{n}")
    kind = EventKind.ROUND_TABLE
    description = "Une table ronde du réseau."
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=1))
    format = EventFormat.ONLINE
    join_url = "https://visio.exemple.fr/rejoindre/123"
    meeting_number = "123 456 789"
    video_address = "123456789@visio.exemple.fr"
    access_code = "4242"
    organiser_name = "Cellule nationale d'animation"
    organiser_email = "animation@exemple.fr"

    class Params:
        on_site = factory.Trait(
            format=EventFormat.ON_SITE,
            join_url="",
            meeting_number="",
            video_address="",
            access_code="",
            venue_name="Salle des fêtes",
            venue_address="1 place de la Mairie",
        )
        past = factory.Trait(
            starts_at=factory.LazyFunction(
                lambda: (timezone.now() - timedelta(days=10)).replace(second=0, microsecond=0)
            )
        )


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Intervenant {n}")
    title = "Directrice"
    order = factory.Sequence(lambda n: n)


class DialInNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DialInNumber

    event = factory.SubFactory(EventFactory)
    number = "+33-1-00-00-00-00"
    label = "France"
    order = factory.Sequence(lambda n: n)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"participant{n}@exemple.fr")
    name = factory.Sequence(lambda n: f"Participant {n}")
    status = RegistrationStatus.CONFIRMED
