from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events import ics
from events.factories import DialInNumberFactory, EventFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _parse(content: bytes):
    calendar = icalendar.Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    return calendar, vevent


def _physical_lines(content: bytes) -> list[bytes]:
    assert content.endswith(b"\r\n")
    return content[:-2].split(b"\r\n")


def test_calendar_has_the_required_properties():
    event = EventFactory(
        starts_at=datetime(2021, 5, 12, 8, 0, tzinfo=UTC),
        ends_at=datetime(2021, 5, 12, 9, 0, tzinfo=UTC),
        title="La relance",
        uid="essai@plateforme-ptce",
    )
    content = ics.build_ics(
        event, method=ics.METHOD_REQUEST, attendee=("Ana", "ana@ex.fr"), now=NOW
    )
    calendar, vevent = _parse(content)
    assert calendar["PRODID"] == "-//Plateforme PTCE//Animation du réseau//FR"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "REQUEST"
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Paris"
    assert vevent["UID"] == "essai@plateforme-ptce"
    assert vevent.decoded("DTSTAMP") == NOW
    assert vevent["SEQUENCE"] == 0
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert start.replace(tzinfo=None) == datetime(2021, 5, 12, 10, 0)
    assert end.replace(tzinfo=None) == datetime(2021, 5, 12, 11, 0)
    assert start.astimezone(UTC) == datetime(2021, 5, 12, 8, 0, tzinfo=UTC)
    assert str(vevent["LOCATION"]) == "https://visio.exemple.fr/rejoindre/123"
    assert str(vevent["URL"]) == "https://visio.exemple.fr/rejoindre/123"
    assert str(vevent["ORGANIZER"]) == "mailto:animation@exemple.fr"
    assert vevent["ORGANIZER"].params["CN"] == "Cellule nationale d'animation"
    assert str(vevent["ATTENDEE"]) == "mailto:ana@ex.fr"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["SUMMARY"]) == "La relance"


def test_description_says_how_to_join():
    event = EventFactory()
    SpeakerFactory(event=event, name="Jérôme SADDIER", title="Président d'ESS France")
    DialInNumberFactory(event=event, number="+33-1-7091-8646", label="France Toll", order=1)
    DialInNumberFactory(event=event, number="+33-1-8514-8835", label="France Toll 2", order=2)
    _calendar, vevent = _parse(ics.build_ics(event))
    description = str(vevent["DESCRIPTION"])
    assert "- Jérôme SADDIER (Président d'ESS France)" in description
    assert "Lien direct : https://visio.exemple.fr/rejoindre/123" in description
    assert "Numéro de la réunion : 123 456 789" in description
    assert "Composer : 123456789@visio.exemple.fr" in description
    assert "+33-1-7091-8646 France Toll\n+33-1-8514-8835 France Toll 2" in description
    assert "Code d’accès : 4242" in description


def test_hidden_access_details_stay_out_of_the_public_file():
    event = EventFactory(access_details_for_registered_only=True)
    content = ics.build_ics(event, with_access=False)
    assert b"visio.exemple.fr" not in content
    assert b"4242" not in content
    _calendar, vevent = _parse(content)
    assert str(vevent["URL"]).endswith(f"/evenements/{event.slug}/")


def test_lines_end_with_crlf_and_are_folded_at_75_octets():
    event = EventFactory(description="é" * 300 + " " + "x" * 200)
    content = ics.build_ics(event)
    assert b"\n" not in content.replace(b"\r\n", b"")
    lines = _physical_lines(content)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    for line in lines:
        line.decode("utf-8")  # a fold never splits a multi-byte character
    _calendar, vevent = _parse(content)
    assert str(vevent["DESCRIPTION"]).startswith("é" * 300 + " " + "x" * 200)


def test_title_with_html_commas_and_semicolons_is_escaped():
    title = "<b>Ateliers</b> ; emploi, \\ territoires"
    event = EventFactory(title=title, description="Ligne 1\nLigne 2")
    content = ics.build_ics(event)
    unfolded = content.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:<b>Ateliers</b> \\; emploi\\, \\\\ territoires\r\n" in unfolded
    assert "DESCRIPTION:Ligne 1\\nLigne 2" in unfolded
    _calendar, vevent = _parse(content)
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]).startswith("Ligne 1\nLigne 2")


def test_organiser_name_with_quotes_and_colon_is_a_valid_parameter():
    event = EventFactory(organiser_name='Cellule "nationale" : PTCE; ESS')
    _calendar, vevent = _parse(ics.build_ics(event))
    assert vevent["ORGANIZER"].params["CN"] == "Cellule nationale : PTCE; ESS"


def test_event_across_the_spring_dst_change_keeps_its_real_duration():
    # Saturday 27 March 2027 20:00 (UTC+1) → Sunday 28 March 2027 10:00 (UTC+2): 13 hours.
    starts = datetime(2027, 3, 27, 20, 0, tzinfo=PARIS)
    ends = datetime(2027, 3, 28, 10, 0, tzinfo=PARIS)
    event = EventFactory(starts_at=starts.astimezone(UTC), ends_at=ends.astimezone(UTC))
    content = ics.build_ics(event)
    assert b"DTSTART;TZID=Europe/Paris:20270327T200000\r\n" in content
    assert b"DTEND;TZID=Europe/Paris:20270328T100000\r\n" in content
    _calendar, vevent = _parse(content)
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=13)
    assert start.astimezone(UTC) == datetime(2027, 3, 27, 19, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)


def test_vtimezone_rules_give_paris_offsets_in_summer_and_winter():
    calendar, _vevent = _parse(ics.build_ics(EventFactory()))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    tz = vtimezone.to_tz()
    assert tz.utcoffset(datetime(2027, 7, 1, 12, 0)) == timedelta(hours=2)
    assert tz.utcoffset(datetime(2027, 1, 1, 12, 0)) == timedelta(hours=1)


def test_cancel_method_marks_the_event_cancelled_with_the_same_uid():
    event = EventFactory()
    _calendar, request_event = _parse(ics.build_ics(event, method=ics.METHOD_REQUEST))
    event.sequence = 1
    calendar, vevent = _parse(ics.build_ics(event, method=ics.METHOD_CANCEL))
    assert calendar["METHOD"] == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["UID"] == request_event["UID"]
    assert vevent["SEQUENCE"] == 1


def test_on_site_event_location_names_the_venue_and_commune():
    from territories.models import Commune

    lyon = Commune.objects.current().get(code="69123")
    event = EventFactory(on_site=True, commune=lyon)
    _calendar, vevent = _parse(ics.build_ics(event))
    assert str(vevent["LOCATION"]) == "Salle des fêtes, 1 place de la Mairie, Lyon"
