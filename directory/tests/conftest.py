from datetime import UTC

import pytest
from django.core.cache import cache
from django.db import connection

from laureates.listing import refresh_listing
from laureates.models import Ptce, PtceLabel, PtceStatus, Theme
from laureates.services import update_search_vectors


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """Empty cache; the API's server-side response cache off (tests change data between
    requests), except where a test turns it on."""
    settings.DIRECTORY_API_CACHE_SECONDS = 0
    settings.DIRECTORY_API_COUNT_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def bulk_ptces(count: int, *, prefix: str = "Pôle de masse") -> list[Ptce]:
    """Many PTCE at once (no per-row service calls): for query-count and pagination tests."""
    regions = [("84", "69"), ("53", "29"), ("04", "974"), ("11", "93")]
    themes = Theme.values
    statuses = PtceStatus.values
    rows = []
    for index in range(count):
        region, department = regions[index % len(regions)]
        theme = themes[index % len(themes)]
        name = f"{prefix} {index:05d}"
        ptce = Ptce(
            name=name,
            slug=f"{prefix.lower().replace(' ', '-').replace('ô', 'o')}-{index:05d}",
            main_region_id=region,
            main_department_id=department,
            themes=[theme],
            themes_key=f"|{theme}|",
            status=statuses[index % len(statuses)],
            search_name=name.lower(),
            search_text=f"{name.lower()} cooperation {theme}",
        )
        rows.append(ptce)
    created = Ptce.objects.bulk_create(rows, batch_size=500)
    PtceLabel.objects.bulk_create(
        [
            PtceLabel(ptce=ptce, title="AMI 2021", year=2021)
            for ptce in Ptce.objects.filter(name__startswith=prefix)
        ],
        batch_size=500,
    )
    refresh_listing(Ptce.objects.filter(name__startswith=prefix).values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        update_search_vectors(Ptce.objects.filter(name__startswith=prefix))
    return created


def programme_data():
    """Two calls with rounds, decided and pending files, awards in two régions, a support offer
    with enrolments: known figures for statistics, open data and API tests."""
    from datetime import datetime, timedelta
    from decimal import Decimal

    from accounts.factories import UserFactory
    from applications.choices import ApplicationStatus as S
    from applications.models import Application, StatusChange
    from calls.factories import CallFactory, RoundFactory
    from laureates.factories import PtceFactory
    from laureates.factories_support import EnrolmentFactory, SupportOfferFactory
    from laureates.models import Award, AwardStatus, EnrolmentStatus

    base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first = CallFactory(title="AMI PTCE 2026", slug="ami-ptce-2026", year=2026)
    spring = RoundFactory(call=first, name="Relève de printemps", cut_off_at=base)
    autumn = RoundFactory(call=first, name="Relève d’automne", cut_off_at=base + timedelta(180))
    second = CallFactory(title="AAP PTCE 2025", slug="aap-ptce-2025", year=2025, instrument="aap")
    owner = UserFactory()
    files = {}

    def file(name, call, round_, status, region, submitted_days, decided_days=None):
        application = Application.objects.create(
            call=call,
            owner=owner,
            round=round_,
            region_id=region,
            status=status,
            pole_name=name,
            lead_name=f"Association {name}",
            lead_siret="",
            submitted_at=None if submitted_days is None else base + timedelta(submitted_days),
            phase="emergence",
        )
        if decided_days is not None:
            StatusChange.objects.create(
                application=application,
                from_status=S.REVIEWED,
                to_status=status,
                at=base + timedelta(decided_days),
            )
        files[name] = application
        return application

    file("Brouillon", first, spring, S.DRAFT, "84", None)
    file("Alpha", first, spring, S.ACCEPTED, "84", 0, 10)
    file("Bravo", first, spring, S.ACCEPTED, "53", 0, 20)
    file("Charlie", first, spring, S.REJECTED, "84", 0, 40)
    file("Delta", first, spring, S.WITHDRAWN, "84", 0)
    file("Echo", first, autumn, S.UNDER_REVIEW, "53", 5)
    file("Foxtrot", second, None, S.ACCEPTED, "04", 0, 30)
    file("Golf", second, None, S.REJECTED, "04", 0, 60)
    for name, phase, amount, status in [
        ("Alpha", "emergence", None, AwardStatus.GRANTED),
        ("Bravo", "funding", Decimal("50000"), AwardStatus.GRANTED),
        ("Foxtrot", "funding", Decimal("75000.50"), AwardStatus.GRANTED),
        ("Charlie", "funding", Decimal("99999"), AwardStatus.CANCELLED),
    ]:
        application = files[name]
        Award.objects.create(
            application=application,
            call=application.call,
            phase=phase,
            amount=amount,
            decided_at=base + timedelta(30),
            status=status,
            ptce=PtceFactory(name=f"Pôle {name}"),
        )
    offer = SupportOfferFactory(
        title="Atelier gouvernance", capacity=2, duration_days=Decimal("1.5")
    )
    EnrolmentFactory(offer=offer, attended=True)
    EnrolmentFactory(offer=offer, attended=False)
    EnrolmentFactory(offer=offer, status=EnrolmentStatus.WAITING)
    return {"calls": (first, second), "rounds": (spring, autumn), "files": files, "offer": offer}
