import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from calls.models import Phase
from core.models import AuditLog, OutboundEmail
from laureates import support_services as services
from laureates.factories import PtceFactory, PtceLabelFactory
from laureates.factories_support import (
    EnrolmentFactory,
    PtceContactFactory,
    SupportOfferFactory,
)
from laureates.models import PtceStatus
from laureates.models_support import Enrolment, EnrolmentStatus, OfferAudience

pytestmark = pytest.mark.django_db


def _contact(ptce=None):
    contact = PtceContactFactory(ptce=ptce or PtceFactory())
    return contact.ptce, contact.user


def _memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    )


# --- services ---------------------------------------------------------------------------------


def test_enrolment_confirmed_then_waiting_when_full():
    offer = SupportOfferFactory(capacity=2)
    results = []
    for _ in range(3):
        ptce, user = _contact()
        results.append(services.enrol(offer, ptce, user=user))
    assert [r.enrolment.status for r in results] == [
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.WAITING,
    ]
    assert services.places_left(offer) == 0
    assert AuditLog.objects.filter(action="support.enrolled").count() == 3


def test_unlimited_offer_never_waits():
    offer = SupportOfferFactory(capacity=None)
    for _ in range(5):
        ptce, user = _contact()
        assert services.enrol(offer, ptce, user=user).waiting is False
    assert services.places_left(offer) is None


def test_cancellation_promotes_first_waiting_and_emails_its_contact(
    django_capture_on_commit_callbacks,
):
    offer = SupportOfferFactory(capacity=1)
    first_ptce, first_user = _contact()
    second_ptce, second_user = _contact()
    third_ptce, third_user = _contact()
    first = services.enrol(offer, first_ptce, user=first_user).enrolment
    second = services.enrol(offer, second_ptce, user=second_user).enrolment
    third = services.enrol(offer, third_ptce, user=third_user).enrolment
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel(first, user=first_user)
    assert [e.pk for e in promoted] == [second.pk]
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITING)
    email = OutboundEmail.objects.get(template="support_promoted")
    assert email.to == [second_user.email]
    assert offer.title in email.subject
    assert AuditLog.objects.filter(action="support.promoted").count() == 1


def test_raising_capacity_promotes_in_order():
    offer = SupportOfferFactory(capacity=1)
    enrolments = []
    for _ in range(4):
        ptce, user = _contact()
        enrolments.append(services.enrol(offer, ptce, user=user).enrolment)
    offer.capacity = 3
    offer.save()
    promoted = services.promote_waiting(offer)
    assert [e.pk for e in promoted] == [enrolments[1].pk, enrolments[2].pk]
    assert Enrolment.objects.get(pk=enrolments[3].pk).status == EnrolmentStatus.WAITING


def test_duplicate_enrolment_refused_and_reenrolment_after_cancel_reuses_row():
    offer = SupportOfferFactory()
    ptce, user = _contact()
    enrolment = services.enrol(offer, ptce, user=user).enrolment
    with pytest.raises(services.EnrolmentRefused, match="déjà inscrit"):
        services.enrol(offer, ptce, user=user)
    services.cancel(enrolment, user=user)
    again = services.enrol(offer, ptce, user=user).enrolment
    assert again.pk == enrolment.pk
    assert again.status == EnrolmentStatus.CONFIRMED
    assert Enrolment.objects.filter(offer=offer, ptce=ptce).count() == 1


def test_enrolment_by_someone_not_linked_to_the_ptce_is_denied():
    offer = SupportOfferFactory()
    ptce, _ = _contact()
    _, stranger = _contact()
    with pytest.raises(PermissionDenied):
        services.enrol(offer, ptce, user=stranger)
    assert not Enrolment.objects.exists()


def test_audience_phase_2_excludes_phase_1_laureate():
    offer = SupportOfferFactory(audience=OfferAudience.PHASE_2)
    ptce, user = _contact(PtceFactory(status=PtceStatus.EMERGING))
    PtceLabelFactory(ptce=ptce, phase=Phase.EMERGENCE)
    with pytest.raises(services.EnrolmentRefused, match="réservée au public"):
        services.enrol(offer, ptce, user=user)
    PtceLabelFactory(ptce=ptce, title="AMI 2023", year=2023, phase=Phase.FUNDING)
    assert services.enrol(offer, ptce, user=user).waiting is False


def test_audience_rules():
    phase_1 = PtceFactory(status=PtceStatus.EMERGING)
    phase_2 = PtceFactory(status=PtceStatus.FUNDED)
    historical = PtceFactory(status=PtceStatus.ACTIVE)
    inactive = PtceFactory(status=PtceStatus.INACTIVE)
    PtceLabelFactory(ptce=historical, title="AAP 2013", year=2013, phase="")

    def names(audience):
        offer = SupportOfferFactory(audience=audience)
        return set(services.eligible_ptces(offer).values_list("pk", flat=True))

    assert names(OfferAudience.PHASE_1) == {phase_1.pk}
    assert names(OfferAudience.PHASE_2) == {phase_2.pk}
    assert names(OfferAudience.ALL) == {phase_1.pk, phase_2.pk, historical.pk}
    offer = SupportOfferFactory()
    assert "inactif" in services.ineligibility_reason(offer, inactive)


def test_unpublished_offer_refuses_enrolment():
    offer = SupportOfferFactory(is_published=False)
    ptce, user = _contact()
    with pytest.raises(services.EnrolmentRefused, match="pas ouverte"):
        services.enrol(offer, ptce, user=user)


def test_attendance_only_by_national_cell_and_only_confirmed():
    offer = SupportOfferFactory(capacity=1)
    ptce, user = _contact()
    other, other_user = _contact()
    confirmed = services.enrol(offer, ptce, user=user).enrolment
    waiting = services.enrol(offer, other, user=other_user).enrolment
    with pytest.raises(PermissionDenied):
        services.record_attendance(confirmed, attended=True, actor=user)
    national = UserFactory(national=True)
    services.record_attendance(confirmed, attended=True, actor=national)
    confirmed.refresh_from_db()
    assert confirmed.attended is True
    with pytest.raises(services.EnrolmentRefused):
        services.record_attendance(waiting, attended=True, actor=national)
    entry = AuditLog.objects.get(action="support.attendance")
    assert (entry.before, entry.after) == ({"attended": False}, {"attended": True})


def test_consumption_counts_offers_sessions_and_days():
    ptce = PtceFactory(name="Pôle A")
    other = PtceFactory(name="Pôle B")
    PtceFactory(name="Pôle sans inscription")
    coaching = SupportOfferFactory(duration_days=Decimal("2.5"), sessions=3)
    webinar = SupportOfferFactory(duration_days=Decimal("0.5"), sessions=1)
    EnrolmentFactory(offer=coaching, ptce=ptce, attended=True)
    EnrolmentFactory(offer=webinar, ptce=ptce, attended=True)
    EnrolmentFactory(offer=webinar, ptce=other, attended=False)
    EnrolmentFactory(offer=coaching, ptce=other, status=EnrolmentStatus.WAITING)
    rows = {
        row.name: (
            row.offers_followed,
            row.offers_waiting,
            row.offers_attended,
            row.sessions_attended,
            row.days_attended,
        )
        for row in services.consumption()
    }
    assert rows == {
        "Pôle A": (2, 0, 2, 4, Decimal("3.0")),
        "Pôle B": (1, 1, 0, 0, Decimal("0")),
    }


# --- concurrency (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_from_many_browsers_never_overbook():
    """Ten PTCE click « S’inscrire » at the same moment for three places."""
    if _memory_sqlite():
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    offer = SupportOfferFactory(capacity=3)
    contacts = [_contact() for _ in range(10)]
    barrier = threading.Barrier(len(contacts))
    errors = []

    def attempt(ptce, user):
        try:
            barrier.wait(timeout=10)
            services.enrol(offer, ptce, user=user)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=pair) for pair in contacts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = list(offer.enrolments.values_list("status", flat=True))
    assert statuses.count(EnrolmentStatus.CONFIRMED) == 3
    assert statuses.count(EnrolmentStatus.WAITING) == 7


@pytest.mark.django_db(transaction=True)
def test_same_ptce_enrolled_from_two_browsers_at_once_makes_one_row():
    if _memory_sqlite():
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    offer = SupportOfferFactory(capacity=1)
    ptce, user = _contact()
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            services.enrol(offer, ptce, user=user)
            outcomes.append("ok")
        except services.EnrolmentRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert list(offer.enrolments.values_list("status", flat=True)) == [EnrolmentStatus.CONFIRMED]


# --- pages --------------------------------------------------------------------------------------


def test_catalogue_lists_published_offers_by_partner(client, django_assert_max_num_queries):
    for n in range(6):
        SupportOfferFactory(title=f"Offre publiée {n}", partner__name=f"Partenaire {n % 2}")
    SupportOfferFactory(title="Offre cachée", is_published=False)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("laureates:support_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Offre publiée") == 6
    assert "Offre cachée" not in page
    assert page.index("Partenaire 0") < page.index("Partenaire 1")


def test_catalogue_filters_by_format_and_audience(client):
    SupportOfferFactory(title="Coaching individuel", format="individual")
    SupportOfferFactory(title="Webinaire phase 2", audience=OfferAudience.PHASE_2)
    page = client.get(reverse("laureates:support_list"), {"format": "individual"}).content
    assert "Coaching individuel" in page.decode()
    assert "Webinaire phase 2" not in page.decode()
    page = client.get(reverse("laureates:support_list"), {"public": "phase_2"}).content.decode()
    assert "Webinaire phase 2" in page
    assert "Coaching individuel" not in page
    page = client.get(reverse("laureates:support_list"), {"format": "<b>"}).content.decode()
    assert "Coaching individuel" in page and "Webinaire phase 2" in page


def test_unpublished_offer_page_is_404(client):
    offer = SupportOfferFactory(is_published=False)
    assert client.get(reverse("laureates:support_offer", args=[offer.slug])).status_code == 404


def test_laureate_enrols_and_cancels_through_the_pages(client):
    offer = SupportOfferFactory(capacity=1, title="Diagnostic modèle économique")
    ptce, user = _contact(PtceFactory(name="Pôle de la vallée"))
    client.force_login(user)
    page = client.get(reverse("laureates:support_offer", args=[offer.slug])).content.decode()
    assert "Inscrire Pôle de la vallée" in page
    response = client.post(
        reverse("laureates:support_enrol", args=[offer.slug]), {"ptce": ptce.pk}, follow=True
    )
    assert "Inscription de Pôle de la vallée confirmée." in response.content.decode()
    enrolment = Enrolment.objects.get(offer=offer, ptce=ptce)
    assert enrolment.enrolled_by == user
    response = client.post(reverse("laureates:support_cancel", args=[enrolment.pk]), follow=True)
    assert "Inscription de Pôle de la vallée annulée." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED


def test_full_offer_puts_laureate_on_waiting_list(client):
    offer = SupportOfferFactory(capacity=1)
    EnrolmentFactory(offer=offer)
    ptce, user = _contact()
    client.force_login(user)
    page = client.get(reverse("laureates:support_offer", args=[offer.slug])).content.decode()
    assert "S’inscrire en liste d’attente" in page
    response = client.post(
        reverse("laureates:support_enrol", args=[offer.slug]), {"ptce": ptce.pk}, follow=True
    )
    assert "liste d’attente" in response.content.decode()
    assert Enrolment.objects.get(ptce=ptce).status == EnrolmentStatus.WAITING


def test_duplicate_enrolment_through_the_page_shows_error(client):
    offer = SupportOfferFactory()
    ptce, user = _contact()
    client.force_login(user)
    url = reverse("laureates:support_enrol", args=[offer.slug])
    client.post(url, {"ptce": ptce.pk})
    response = client.post(url, {"ptce": ptce.pk}, follow=True)
    assert "est déjà inscrit à cette offre" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_enrolling_another_ptce_through_the_page_is_forbidden(client):
    offer = SupportOfferFactory()
    other_ptce, _ = _contact()
    _, user = _contact()
    client.force_login(user)
    response = client.post(
        reverse("laureates:support_enrol", args=[offer.slug]), {"ptce": other_ptce.pk}
    )
    assert response.status_code == 403
    response = client.post(reverse("laureates:support_enrol", args=[offer.slug]), {"ptce": "x"})
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_cancelling_another_ptce_enrolment_is_forbidden(client):
    enrolment = EnrolmentFactory()
    _, user = _contact()
    client.force_login(user)
    assert client.post(reverse("laureates:support_cancel", args=[enrolment.pk])).status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CONFIRMED


def test_excluded_audience_shows_reason_and_no_button(client):
    offer = SupportOfferFactory(audience=OfferAudience.PHASE_2)
    ptce, user = _contact(PtceFactory(status=PtceStatus.EMERGING, name="Pôle émergent"))
    client.force_login(user)
    page = client.get(reverse("laureates:support_offer", args=[offer.slug])).content.decode()
    assert "Pôle émergent n’en fait pas partie" in page
    assert "Inscrire Pôle émergent" not in page
    response = client.post(
        reverse("laureates:support_enrol", args=[offer.slug]), {"ptce": ptce.pk}, follow=True
    )
    assert "réservée au public" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_staff_pages_refuse_laureates(client):
    offer = SupportOfferFactory()
    _, user = _contact()
    client.force_login(user)
    assert client.get(reverse("laureates:support_manage", args=[offer.slug])).status_code == 403
    assert client.get(reverse("laureates:support_consumption")).status_code == 403
    enrolment = EnrolmentFactory(offer=offer)
    url = reverse("laureates:support_attendance", args=[enrolment.pk])
    assert client.post(url, {"attended": "1"}).status_code == 403


def test_staff_records_attendance_on_offer_page(client):
    offer = SupportOfferFactory(capacity=1)
    confirmed = EnrolmentFactory(offer=offer, ptce__name="Pôle présent")
    EnrolmentFactory(offer=offer, ptce__name="Pôle en attente", status=EnrolmentStatus.WAITING)
    login_staff(client, UserFactory(national=True))
    page = client.get(reverse("laureates:support_manage", args=[offer.slug])).content.decode()
    assert "Inscriptions confirmées (1)" in page
    assert "Liste d’attente (1)" in page
    response = client.post(
        reverse("laureates:support_attendance", args=[confirmed.pk]), {"attended": "1"}, follow=True
    )
    assert "Pôle présent noté présent." in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.attended is True


def test_consumption_page_constant_queries(client, django_assert_num_queries):
    login_staff(client, UserFactory(national=True))
    offer = SupportOfferFactory(duration_days=2)
    EnrolmentFactory(offer=offer, ptce__name="Pôle un", attended=True)
    url = reverse("laureates:support_consumption")
    client.get(url)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert "Pôle un" in response.content.decode()
    for _ in range(8):
        EnrolmentFactory(offer=offer, attended=True)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count("<tr>") == 10


def test_demo_catalogue_is_realistic_and_idempotent():
    from io import StringIO

    from laureates import demo
    from laureates.models_support import SupportOffer

    demo.load(StringIO())
    out = StringIO()
    demo.load(out)
    assert "Accompagnement : 0 offres" in out.getvalue()
    offers = SupportOffer.objects.all()
    assert offers.count() == 12
    assert all(title.endswith("(démo)") for title in offers.values_list("title", flat=True))
    assert set(offers.values_list("partner__name", flat=True)) == {
        "Avise",
        "Coorace",
        "Réseau des CRESS",
        "France Active",
        "Banque des Territoires",
    }
    full_with_waiting = [
        offer
        for offer in offers
        if offer.capacity is not None
        and services.places_left(offer) == 0
        and offer.enrolments.filter(status=EnrolmentStatus.WAITING).exists()
    ]
    assert len(full_with_waiting) >= 2
    for offer in offers:
        confirmed = offer.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()
        assert offer.capacity is None or confirmed <= offer.capacity
        eligible = set(services.eligible_ptces(offer).values_list("pk", flat=True))
        assert set(offer.enrolments.values_list("ptce_id", flat=True)) <= eligible
    assert Enrolment.objects.filter(attended=True).exists()


def test_main_navigation_links_to_the_catalogue(client):
    page = client.get(reverse("laureates:support_list")).content.decode()
    assert 'href="/accompagnement/"' in page
    assert "Aucune offre ne correspond à ces critères." in page


def test_past_session_is_marked_passee_half_day_singular_and_enrolment_closed(client):
    import datetime

    past = SupportOfferFactory(
        title="Atelier passé",
        starts_on=datetime.date.today() - datetime.timedelta(days=3),
        duration_days=Decimal("0.5"),
        partner__name="Avise",
    )
    content = client.get(reverse("laureates:support_list")).content.decode()
    assert "Session passée : inscriptions closes" in content
    assert "0,5\u00a0jour," in content
    assert "Site d’Avise" in content
    detail = client.get(past.get_absolute_url()).content.decode()
    assert "session passée, inscriptions closes" in detail
    ptce, user = _contact()
    with pytest.raises(services.EnrolmentRefused, match="session est passée"):
        services.enrol(past, ptce, user=user)
