import factory

from dynamics.models import DynamicStage, LocalDynamic, ModerationStatus


class LocalDynamicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalDynamic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Coopération du Val de Saône n° {n}")
    slug = factory.Sequence(lambda n: f"cooperation-val-de-saone-{n}")
    description = "Artisans, associations et commune mutualisent un atelier de réemploi."
    themes = factory.LazyFunction(lambda: ["circular_economy"])
    stage = DynamicStage.GATHERING
    contact_name = "Dominique Martin"
    contact_email = factory.Sequence(lambda n: f"contact{n}@dynamique.example")
    contact_phone = "06 12 34 56 78"
    consent_directory = True
    consent_invitations = True

    class Params:
        accepted = factory.Trait(status=ModerationStatus.ACCEPTED)
        refused = factory.Trait(status=ModerationStatus.REFUSED, refusal_reason="Hors champ.")

    @factory.post_generation
    def _search(obj, create, extracted, **kwargs):
        if create:
            from dynamics.services import build_search_text

            obj.search_text = build_search_text(obj)
            obj.save(update_fields=["search_text"])
