from datetime import UTC, datetime
from io import StringIO

import icalendar
import pytest

from calls.models import Call, Instrument
from events import demo, ics
from events.models import Event, EventFormat, EventKind

pytestmark = pytest.mark.django_db


def _load():
    out = StringIO()
    demo.load(out)
    return out.getvalue()


def test_seed_event_is_published_exactly_as_in_the_invitation():
    output = _load()
    assert "/evenements/ptce-saison-3-episode-1/" in output
    event = Event.objects.get(slug=demo.SEED_SLUG)
    assert event.series.title == "PTCE Saison 3 : la relance"
    assert event.episode_number == 1
    assert event.episode_title == "Un AMI qui vous veut du bien"
    assert event.title == "La relance des Pôles Territoriaux de Coopération économique"
    assert event.kind == EventKind.ROUND_TABLE
    assert event.format == EventFormat.ONLINE
    assert event.starts_at == datetime(2021, 5, 12, 8, 0, tzinfo=UTC)  # 10:00 in Paris
    assert event.ends_at == datetime(2021, 5, 12, 9, 0, tzinfo=UTC)  # 11:00 in Paris
    assert [(s.name, s.details) for s in event.speakers.all()] == [
        ("Olivia GREGOIRE", "secrétaire d'Etat à l'Economie sociale, solidaire et responsable"),
        ("Jérôme SADDIER", "Président d'ESS France"),
        ("Hugues SIBILLE", "Président du Labo de l'ESS"),
        ("Christophe CHEVALIER", "PDG du groupe Archer – Romans – Auvergne-Rhône-Alpes"),
        (
            "Rachid CHERFAOUI",
            "Président-fondateur de la Maison de l'Economie Solidaire – La Chapelle-aux-Pots "
            "– Haut-de-France",
        ),
        ("Pauline PETOT", "Directrice de la CRESS Auvergne-Rhône-Alpes"),
    ]
    assert event.join_url == (
        "https://economie.webex.com/economie-fr/j.php?MTID=m76d4b7de5ce338d17721468a87a2c45d"
    )
    assert event.meeting_number == "163 755 7706"
    assert event.video_address == "1637557706@economie.webex.com"
    assert event.video_ip_instructions == (
        "Vous pouvez également composer 62.109.219.4 et saisir votre numéro de votre réunion."
    )
    assert [(n.number, n.label) for n in event.dial_in_numbers.all()] == [
        ("+33-1-7091-8646", "France Toll"),
        ("+33-1-8514-8835", "France Toll 2"),
    ]
    assert event.access_code == "163 755 7706"
    assert event.organiser_name == (
        "Secrétariat d'État chargé de l'Économie sociale, solidaire et responsable"
    )
    assert event.description.count("\n\n") == 2
    assert "On dénombre 56 PTCE actifs en mai 2021." in event.description
    assert event.call is None  # no 2021 call in this database
    event.full_clean()


def test_seed_event_page_and_calendar(client):
    _load()
    page = client.get("/evenements/ptce-saison-3-episode-1/").content.decode()
    assert "Mercredi 12 mai 2021 de 10 h 00 à 11 h 00 (heure de Paris)" in page
    assert "+33-1-7091-8646 France Toll" in page
    assert "Rejoindre par système vidéo" in page
    calendar = icalendar.Calendar.from_ical(
        client.get("/evenements/ptce-saison-3-episode-1/agenda.ics").content
    )
    vevent = calendar.walk("VEVENT")[0]
    assert vevent["DTSTART"].to_ical() == b"20210512T100000"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(vevent["SUMMARY"]) == (
        "PTCE Saison 3 : la relance — Épisode 1 « Un AMI qui vous veut du bien » : "
        "La relance des Pôles Territoriaux de Coopération économique"
    )


def test_seed_event_is_linked_to_the_2021_call_when_it_exists():
    call = Call.objects.create(
        title="AMI permanent « PTCE émergents »",
        slug="ami-ptce-emergents-2021",
        instrument=Instrument.AMI,
        year=2021,
        is_permanent=True,
    )
    _load()
    assert Event.objects.get(slug=demo.SEED_SLUG).call == call


def test_demo_is_idempotent_and_future_events_are_marked():
    _load()
    _load()
    assert Event.objects.count() == 3
    future = Event.objects.exclude(slug=demo.SEED_SLUG).order_by("starts_at")
    assert all("(démo)" in event.title for event in future)
    assert all(event.starts_at > datetime(2026, 11, 26, tzinfo=UTC) for event in future)
    on_site = future.get(format=EventFormat.ON_SITE)
    assert on_site.commune.code == "69123"
    assert on_site.capacity == 120
    for event in future:
        event.full_clean()
    assert Event.objects.get(slug=demo.SEED_SLUG).speakers.count() == 6


def test_example_file_in_docs_matches_the_platform_output(settings):
    """docs/examples/ptce-saison-3-episode-1.ics is the platform's output (stamps aside)."""
    from pathlib import Path

    settings.SITE_URL = "https://ptce.example.gouv.fr"
    _load()
    event = Event.objects.get(slug=demo.SEED_SLUG)
    example = (
        Path(settings.BASE_DIR) / "docs" / "examples" / "ptce-saison-3-episode-1.ics"
    ).read_bytes()
    stamp = next(line for line in example.split(b"\r\n") if line.startswith(b"DTSTAMP:"))
    now = datetime.strptime(stamp.decode()[8:], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    produced = ics.build_ics(event, now=now)
    strip = [b"LAST-MODIFIED:"]

    def stable(content):
        return [line for line in content.split(b"\r\n") if not line.startswith(tuple(strip))]

    assert stable(produced) == stable(example)
