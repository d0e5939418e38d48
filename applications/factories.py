"""Test and benchmark helpers: an open call and application files in various states."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.factories import UserFactory
from applications.choices import (
    BudgetKind,
    ExpenseCategory,
    Funder,
    LegalForm,
    Maturity,
    MemberCategory,
    MemberKind,
    PhaseRequest,
)
from applications.models import Application, BudgetLine, Member
from calls.models import Call, Instrument, PublicationState, Round
from registry.validators import siren_with_valid_checksum, siret_with_valid_checksum


def valid_siret(n: int) -> str:
    """A SIRET with valid checksums, distinct for each ``n``."""
    return siret_with_valid_checksum(siren_with_valid_checksum(f"{77000000 + n:08d}"), 1)


class CallFactory(factory.django.DjangoModelFactory):
    """A published permanent call with phases 1 and 2 and a round cut-off in 30 days."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"AMI PTCE test {n}")
    slug = factory.Sequence(lambda n: f"ami-ptce-test-{n}")
    instrument = Instrument.AMI
    year = 2026
    has_emergence_phase = True
    has_funding_phase = True
    is_permanent = True
    min_award = Decimal("30000")
    max_award = Decimal("80000")
    award_duration_months = 24
    publication_state = PublicationState.PUBLISHED

    @factory.post_generation
    def rounds(obj, create, extracted, **kwargs):
        if create and obj.is_permanent and extracted is None:
            Round.objects.create(
                call=obj, name="Relève de test", cut_off_at=timezone.now() + timedelta(days=30)
            )


def dated_call(closes_in: timedelta, **kwargs) -> Call:
    return CallFactory(
        is_permanent=False,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() + closes_in,
        rounds=[],
        **kwargs,
    )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    owner = factory.SubFactory(UserFactory)
    requested_phases = PhaseRequest.EMERGENCE


def fill_lead(application, n: int = 0):
    from territories.models import Commune

    application.lead_siret = valid_siret(1000 + n)
    application.lead_name = f"Association Coopérer en Coise {n} (démo)"
    application.lead_legal_form = LegalForm.ASSOCIATION
    application.lead_legal_category = "9220"
    application.lead_is_ess = True
    application.lead_category = MemberCategory.ESS_ENTERPRISE
    application.lead_address = "1 place de la Mairie"
    application.lead_postal_code = "69590"
    application.lead_city = "Saint-Symphorien-sur-Coise"
    application.lead_commune = Commune.objects.current().get(code="69238")
    application.representative_name = "Camille Martin"
    application.representative_title = "Présidente"
    application.contact_name = "Camille Martin"
    application.contact_email = "contact@exemple.fr"
    application.contact_phone = "04 00 00 00 00"


def fill_project(application):
    application.pole_name = "Pôle des Monts du Lyonnais"
    application.diagnosis = "Un territoire rural où les services reculent."
    application.strategy = "Mutualiser une légumerie et une logistique communes."
    application.projects = "Légumerie, restauration collective, tiers-lieu."
    application.innovation = "Une coopérative d’usagers associant producteurs et cantines."
    application.sustainable_development = "Circuits courts, moins de transport."
    application.governance = "SCIC à quatre collèges."
    application.jobs_existing_fte = Decimal("4.5")
    application.jobs_planned_fte = Decimal("8")
    application.themes = ["food", "circular_economy"]
    application.maturity = Maturity.EMERGING
    application.previous_state_support = False


def add_members(application, count: int = 3):
    categories = [
        MemberCategory.OTHER_ENTERPRISE,
        MemberCategory.LOCAL_AUTHORITY,
        MemberCategory.ESS_ENTERPRISE,
        MemberCategory.TRAINING_BODY,
        MemberCategory.RESEARCH_CENTRE,
    ]
    Member.objects.bulk_create(
        [
            Member(
                application=application,
                kind=MemberKind.ORGANISATION,
                siret=valid_siret(application.pk * 1000 + i),
                name=f"Membre {i} (démo)",
                category=categories[i % len(categories)],
                role="Partenaire",
                order=i + 1,
            )
            for i in range(count)
        ]
    )


def fill_budget(application, requested=Decimal("60000")):
    lines = [
        (BudgetKind.EXPENSE, ExpenseCategory.STAFF, 1, Decimal("50000")),
        (BudgetKind.EXPENSE, ExpenseCategory.OPERATING, 2, Decimal("50000")),
        (BudgetKind.RESOURCE, Funder.STATE, 1, requested / 2),
        (BudgetKind.RESOURCE, Funder.STATE, 2, requested / 2),
        (BudgetKind.RESOURCE, Funder.OWN_RESOURCES, 1, Decimal("100000") - requested),
    ]
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(application=application, kind=k, category=c, year=y, amount=a)
            for k, c, y, a in lines
        ]
    )


def complete_application(
    *, owner=None, call=None, requested_phases=PhaseRequest.EMERGENCE, members=3, communes=None
):
    """A draft that is complete and eligible (can be submitted at once)."""
    from territories.models import Commune

    application = ApplicationFactory(
        owner=owner or UserFactory(),
        call=call or CallFactory(),
        requested_phases=requested_phases,
    )
    fill_lead(application, application.pk)
    fill_project(application)
    application.save()
    add_members(application, members)
    codes = communes or ["69238", "69062"]
    application.communes.set(Commune.objects.current().filter(code__in=codes))
    if application.asks_funding:
        fill_budget(application)
    return application
