"""Factories for calls (used by the calls tests and by other apps' tests)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from calls.models import (
    AttachmentKind,
    Call,
    Instrument,
    PublicationState,
    RequiredAttachment,
    Round,
)


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


class CallFactory(factory.django.DjangoModelFactory):
    """A published permanent AMI with both phases (add rounds with RoundFactory)."""

    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"AMI PTCE n° {n}")
    slug = factory.Sequence(lambda n: f"ami-ptce-{n}")
    instrument = Instrument.AMI
    year = 2026
    summary = "Accompagner l’émergence et le développement des PTCE."
    has_emergence_phase = True
    has_funding_phase = True
    is_permanent = True
    envelope = Decimal("500000")
    min_award = Decimal("30000")
    max_award = Decimal("80000")
    award_duration_months = 24
    publication_state = PublicationState.PUBLISHED

    class Params:
        draft = factory.Trait(publication_state=PublicationState.DRAFT)
        archived = factory.Trait(publication_state=PublicationState.ARCHIVED)
        dated = factory.Trait(
            is_permanent=False,
            opens_at=factory.LazyFunction(lambda: in_days(-30)),
            closes_at=factory.LazyFunction(lambda: in_days(30)),
        )


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Relève {n}")
    cut_off_at = factory.LazyFunction(lambda: in_days(30))
    phase = ""


class RequiredAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredAttachment

    call = factory.SubFactory(CallFactory)
    kind = AttachmentKind.STATUTES
    label = "Statuts à jour"
    phase = ""
