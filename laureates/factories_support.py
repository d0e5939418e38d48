"""Factories of the support services (kept apart from factories.py to ease merging)."""

import datetime

import factory

from accounts.factories import UserFactory
from laureates.factories import PtceFactory
from laureates.models_support import (
    Enrolment,
    EnrolmentStatus,
    OfferAudience,
    OfferFormat,
    PtceContact,
    SupportOffer,
    SupportPartner,
)


class SupportPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportPartner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    website = "https://partenaire.example"


class SupportOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportOffer

    partner = factory.SubFactory(SupportPartnerFactory)
    slug = factory.Sequence(lambda n: f"offre-{n}")
    title = factory.Sequence(lambda n: f"Atelier coopération n° {n}")
    description = "Atelier collectif sur la gouvernance coopérative."
    format = OfferFormat.COLLECTIVE
    capacity = 3
    starts_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    audience = OfferAudience.ALL
    is_published = True


class PtceContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PtceContact

    ptce = factory.SubFactory(PtceFactory)
    user = factory.SubFactory(UserFactory)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    offer = factory.SubFactory(SupportOfferFactory)
    ptce = factory.SubFactory(PtceFactory)
    status = EnrolmentStatus.CONFIRMED
