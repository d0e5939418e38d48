"""Creating and editing events from the staff screens: one transaction that saves the event,
its speakers and dial-in numbers, creates a new season when one is typed, applies a capacity
change through ``services.set_capacity`` (people on the waiting list get the new places),
sends the calendar update when the date, place or access changed (``services.publish_update``)
and writes the audit log. A stale form (someone else saved in between) changes nothing."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from core import audit
from events import services
from events.models import Event, Series, Speaker

AUDITED_FIELDS = [
    "series",
    "episode_number",
    "episode_title",
    "title",
    "slug",
    "kind",
    "description",
    "programme",
    "audience",
    "call",
    "format",
    "starts_at",
    "ends_at",
    "join_url",
    "meeting_number",
    "video_address",
    "video_ip_instructions",
    "access_code",
    "access_details_for_registered_only",
    "venue_name",
    "venue_address",
    "commune",
    "registration_open",
    "capacity",
    "organiser_name",
    "organiser_email",
    "replay_url",
]


class EditConflict(Exception):
    """The event changed since the form was opened."""


@dataclass
class SaveResult:
    event: Event
    created: bool
    notified: int = 0
    promoted: int = 0


def _new_series(title: str) -> Series:
    base = slugify(title)[:90] or "saison"
    slug, number = base, 2
    while Series.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return Series.objects.create(title=title, slug=slug)


def _speakers_snapshot(event: Event) -> list[str]:
    # A fresh query: the edited event may carry a prefetched (stale) list of speakers.
    return [f"{s.name} — {s.details}" for s in Speaker.objects.filter(event=event)]


def save_event(form, speakers, dial_ins, *, actor) -> SaveResult:
    """Save a valid ``EventStaffForm`` with its two valid formsets (see module docstring)."""
    with transaction.atomic():
        event = form.instance
        created = event.pk is None
        before = schedule_before = None
        old_capacity = None
        if not created:
            current = Event.objects.select_for_update().get(pk=event.pk)
            if form.cleaned_data.get("version") != current.updated_at.isoformat():
                raise EditConflict
            before = {
                **audit.snapshot(current, AUDITED_FIELDS),
                "speakers": _speakers_snapshot(current),
            }
            schedule_before = services.schedule_snapshot(current)
            old_capacity = current.capacity
        series_title = form.cleaned_data.get("series_to_create")
        if series_title:
            event.series = _new_series(series_title)
        new_capacity = event.capacity
        if not created:
            event.capacity = old_capacity  # changed below through set_capacity
        event.save()
        for formset in (speakers, dial_ins):
            formset.instance = event
            formset.save()
        result = SaveResult(event=event, created=created)
        if created:
            audit.record(
                "event.created",
                actor=actor,
                obj=event,
                after={
                    **audit.snapshot(event, AUDITED_FIELDS),
                    "speakers": _speakers_snapshot(event),
                },
            )
            return result
        if new_capacity != old_capacity:
            result.promoted = len(services.set_capacity(event, new_capacity, actor=actor))
            event.refresh_from_db()
        result.notified = services.publish_update(event, before=schedule_before, actor=actor)
        after = {**audit.snapshot(event, AUDITED_FIELDS), "speakers": _speakers_snapshot(event)}
        changed = sorted(key for key in after if after[key] != before[key])
        if changed:
            audit.record(
                "event.edited",
                actor=actor,
                obj=event,
                before={key: before[key] for key in changed},
                after={key: after[key] for key in changed},
            )
        return result
