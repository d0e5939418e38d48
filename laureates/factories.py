import factory

from applications.choices import MemberCategory
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

    ptce = factory.SubFactory(PtceFactory)
    title = "AMI 2021"
    year = 2021


class PtceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PtceMember

    ptce = factory.SubFactory(PtceFactory)
    name = factory.Sequence(lambda n: f"Membre {n}")
    category = MemberCategory.ESS_ENTERPRISE
    is_public = True
