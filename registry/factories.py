"""Factories of register rows (valid SIREN/SIRET checksums)."""

import datetime

import factory

from registry.generator import luhn_check_digit
from registry.models import Establishment, LegalUnit


def _siren(n: int) -> str:
    first8 = f"{40_000_000 + n * 7}"
    return first8 + luhn_check_digit(first8)


def siret_of(siren: str, number: int = 1) -> str:
    body = f"{siren}{number:04d}"
    return body + luhn_check_digit(body)


class LegalUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalUnit

    siren = factory.Sequence(_siren)
    name = factory.Sequence(lambda n: f"ASSOCIATION DU PAYS {n}")
    legal_category = "9220"
    naf = "88.99B"
    is_ess = True
    state = "A"
    creation_date = datetime.date(2015, 3, 2)
    state_since = datetime.date(2015, 3, 2)
    head_office_nic = "00017"

    class Params:
        company = factory.Trait(
            legal_category="5710", is_ess=False, name=factory.Sequence(lambda n: f"SAS {n}")
        )
        ceased = factory.Trait(state="C", state_since=datetime.date(2020, 6, 30))


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    siret = factory.LazyAttribute(lambda o: siret_of(o.siren, 1))
    siren = factory.LazyAttribute(lambda o: LegalUnitFactory().siren)
    is_head_office = True
    state = "A"
    creation_date = datetime.date(2015, 3, 2)
    state_since = datetime.date(2015, 3, 2)
    naf = "88.99B"
    address = "12 RUE DE LA RÉPUBLIQUE"
    postal_code = "35000"
    city = "RENNES"
    commune_code = "35238"

    class Params:
        closed = factory.Trait(state="F", state_since=datetime.date(2021, 3, 12))
