"""iCalendar (RFC 5545) files for events, written by hand: one VEVENT with a Europe/Paris
VTIMEZONE, CRLF line endings, lines folded at 75 octets, TEXT values escaped (§3.3.11)."""

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from events.models import Event, EventStatus
from events.timezones import to_paris

PRODID = "-//Plateforme PTCE//Animation du réseau//FR"
TZID = "Europe/Paris"
MIMETYPE_REQUEST = "text/calendar; method=REQUEST"
MIMETYPE_CANCEL = "text/calendar; method=CANCEL"
MIMETYPE_PUBLISH = "text/calendar; charset=utf-8"

METHOD_PUBLISH = "PUBLISH"
METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"

# Europe/Paris since 1996 (EU rules): last Sunday of March 02:00 → 03:00, last Sunday of
# October 03:00 → 02:00. Calendar clients expand these rules for any date of the event.
VTIMEZONE_PARIS = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "X-LIC-LOCATION:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19810329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19961027T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def quote_param(value: str) -> str:
    """A parameter value, always quoted; DQUOTE and control characters cannot appear in it."""
    cleaned = "".join(ch for ch in value if ch >= " " and ch != '"')
    return f'"{cleaned}"'


def fold(line: str) -> str:
    """Fold a content line so that no physical line exceeds 75 octets (continuation lines
    begin with one space), never splitting a UTF-8 character."""
    pieces = []
    current = ""
    current_size = 0
    limit = 75
    for char in line:
        size = len(char.encode("utf-8"))
        if current_size + size > limit:
            pieces.append(current)
            current = " " + char
            current_size = 1 + size
        else:
            current += char
            current_size += size
    pieces.append(current)
    return "\r\n".join(pieces)


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _paris_stamp(value: datetime) -> str:
    return to_paris(value).strftime("%Y%m%dT%H%M%S")


def event_url(event: Event) -> str:
    return settings.SITE_URL + event.get_absolute_url()


def access_lines(event: Event) -> list[str]:
    """How to join, in plain French text (shared by the .ics DESCRIPTION and the e-mails)."""
    lines = []
    if event.is_on_site:
        place = ", ".join(
            part
            for part in (
                event.venue_name,
                event.venue_address,
                event.commune.name if event.commune_id else "",
            )
            if part
        )
        lines.append(f"Lieu : {place}")
    if event.is_online:
        lines.append("Modalités d’accès à la visioconférence :")
        if event.join_url:
            lines.append(f"Lien direct : {event.join_url}")
        if event.meeting_number:
            lines.append(f"Numéro de la réunion : {event.meeting_number}")
        if event.video_address or event.video_ip_instructions:
            lines.append("Rejoindre par système vidéo :")
            if event.video_address:
                lines.append(f"Composer : {event.video_address}")
            if event.video_ip_instructions:
                lines.append(event.video_ip_instructions)
        numbers = list(event.dial_in_numbers.all())
        if numbers:
            lines.append("Rejoindre par téléphone :")
            lines.extend(f"{number.number} {number.label}".strip() for number in numbers)
        if event.access_code:
            lines.append(f"Code d’accès : {event.access_code}")
    return lines


def location(event: Event, *, with_access: bool) -> str:
    parts = []
    if event.is_on_site:
        commune = event.commune.name if event.commune_id else ""
        parts.append(", ".join(p for p in (event.venue_name, event.venue_address, commune) if p))
    if event.is_online:
        if with_access and event.join_url:
            parts.append(event.join_url)
        else:
            parts.append("En visioconférence (lien communiqué aux personnes inscrites)")
    return " / ".join(parts)


def description(event: Event, *, with_access: bool) -> str:
    paragraphs = []
    if event.is_cancelled:
        paragraphs.append("Cet événement est annulé.")
    if event.description:
        paragraphs.append(event.description.strip())
    speakers = list(event.speakers.all())
    if speakers:
        lines = ["Intervenants :"]
        for speaker in speakers:
            details = f" ({speaker.details})" if speaker.details else ""
            lines.append(f"- {speaker.name}{details}")
        paragraphs.append("\n".join(lines))
    if event.programme:
        paragraphs.append("Programme :\n" + event.programme.strip())
    if with_access:
        access = access_lines(event)
        if access:
            paragraphs.append("\n".join(access))
    elif event.is_online:
        paragraphs.append("Les modalités de connexion sont communiquées aux personnes inscrites.")
    paragraphs.append(f"Page de l’événement : {event_url(event)}")
    paragraphs.append(f"Organisateur : {event.organiser_name}")
    return "\n\n".join(paragraphs)


def build_ics(
    event: Event,
    *,
    method: str = METHOD_PUBLISH,
    with_access: bool = True,
    attendee: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> bytes:
    """The calendar file for ``event``. ``method`` is PUBLISH (download), REQUEST (invitation,
    update) or CANCEL; ``attendee`` is ``(name, email)`` for a personal invitation."""
    now = now or timezone.now()
    cancelled = method == METHOD_CANCEL or event.status == EventStatus.CANCELLED
    if cancelled:
        method = METHOD_CANCEL if method != METHOD_PUBLISH else METHOD_PUBLISH
    summary = event.full_title
    if cancelled:
        summary = f"Annulé : {summary}"
    url = event.join_url if (with_access and event.is_online and event.join_url) else ""
    url = url or event_url(event)
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *VTIMEZONE_PARIS,
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc_stamp(now)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART;TZID={TZID}:{_paris_stamp(event.starts_at)}",
        f"DTEND;TZID={TZID}:{_paris_stamp(event.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description(event, with_access=with_access))}",
        f"LOCATION:{escape_text(location(event, with_access=with_access))}",
        f"URL:{url}",
        f"ORGANIZER;CN={quote_param(event.organiser_name)}:mailto:{event.organiser_email}",
    ]
    if attendee:
        name, email = attendee
        params = f"CN={quote_param(name or email)};ROLE=REQ-PARTICIPANT;RSVP=FALSE"
        lines.append(f"ATTENDEE;{params}:mailto:{email}")
    lines += [
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        f"LAST-MODIFIED:{_utc_stamp(event.updated_at or now)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def ics_filename(event: Event) -> str:
    return f"{event.slug}.ics"
