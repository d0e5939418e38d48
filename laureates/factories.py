import factory

from applications.choices import MemberCategory
from laureates.listing import refresh_listing
from laureates.models import Ptce, PtceLabel, PtceMember, PtceStatus, Theme
from laureates.services import refresh_search


class PtceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ptce
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pôle coopératif n° {n}")
    slug = factory.Sequence(lambda n: f"pole-cooperatif-{n}")
    description = "Coopération entre entreprises de l’ESS et collectivités du territoire."
    lead_organisation_name = factory.Sequence(lambda n: f"Association porteuse {n}")
    themes = factory.LazyFunction(lambda: [Theme.FOOD])
    status = PtceStatus.ACTIVE

    @factory.post_generation
    def search(obj, create, extracted, **kwargs):
        if create:
            refresh_search(obj)


class PtceLabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PtceLabel
        skip_postgeneration_save = True

    ptce = factory.SubFactory(PtceFactory)
    title = "AMI 2021"
    year = 2021

    @factory.post_generation
    def listing(obj, create, extracted, **kwargs):
        if create:
            refresh_listing([obj.ptce_id])


class PtceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PtceMember
        skip_postgeneration_save = True

    ptce = factory.SubFactory(PtceFactory)
    name = factory.Sequence(lambda n: f"Membre {n}")
    category = MemberCategory.ESS_ENTERPRISE
    is_public = True

    @factory.post_generation
    def listing(obj, create, extracted, **kwargs):
        if create:
            refresh_listing([obj.ptce_id])


def funded_award(*, amount="80000.00", owner=None, schedule=None, duration=24, decided_at=None):
    """A published phase-2 award (with its pole, agreement, tranches and reports) through
    ``create_award``, on a call with ``schedule`` (default: 50 % at signature, 50 % after the
    interim report)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from applications.factories import ApplicationFactory, CallFactory, valid_siret
    from laureates.services import create_award

    call = CallFactory(
        award_duration_months=duration,
        payment_schedule_template=schedule
        if schedule is not None
        else [
            {"label": "À la signature", "share": 50, "trigger": "signature"},
            {"label": "Après le bilan intermédiaire", "share": 50, "trigger": "interim_report"},
        ],
    )
    application = ApplicationFactory(call=call, requested_phases="funding", phase="funding")
    if owner is not None:
        application.owner = owner
    application.lead_siret = valid_siret(5000 + application.pk)
    application.lead_name = f"Association porteuse {application.pk}"
    application.pole_name = f"Pôle lauréat {application.pk}"
    application.save()
    from territories.models import Commune

    # Saint-Symphorien-sur-Coise (Auvergne-Rhône-Alpes), when the geography is loaded (tests
    # with real transactions flush it).
    application.communes.set(Commune.objects.current().filter(code="69238"))
    return create_award(
        application,
        phase="funding",
        amount=Decimal(amount),
        decided_at=decided_at or timezone.make_aware(datetime.datetime(2026, 1, 15, 10, 0)),
    )
