"""The call builder's rules: what a call needs before it is published (explained in French),
publishing, and duplicating a previous call. Every change is audited by the caller's service
functions here; the staff screens (``calls.views_builder``) only parse and render."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from calls.choices import PublicationState
from calls.models import (
    Call,
    CallDocument,
    CallFaq,
    Criterion,
    Grid,
    RequiredAttachment,
    Round,
    create_default_grid,
)
from core import audit

CALL_FIELDS = [
    "title",
    "slug",
    "instrument",
    "year",
    "summary",
    "description",
    "legal_basis",
    "has_emergence_phase",
    "has_funding_phase",
    "is_permanent",
    "opens_at",
    "closes_at",
    "envelope",
    "min_award",
    "max_award",
    "award_duration_months",
    "payment_schedule_template",
    "priority_territories",
    "allows_previous_support",
    "retention_years",
    "review_days",
    "publication_state",
]


def publication_problems(call: Call, now=None) -> list[str]:
    """Everything that stops ``call`` from being published, as a person reads it (empty: ready)."""
    now = now or timezone.now()
    problems = []
    if not call.description.strip():
        problems.append("La description de l’appel est vide.")
    if call.is_permanent:
        if not call.rounds.filter(cut_off_at__gt=now).exists():
            problems.append(
                "Aucune relève à venir : un appel permanent a au moins une date limite future "
                "(rubrique « Relèves »)."
            )
    elif call.closes_at is None:
        problems.append("Un appel daté a une date de clôture (rubrique « Présentation »).")
    elif call.closes_at <= now:
        problems.append("La date de clôture est passée.")
    grid = Grid.objects.filter(call=call).first()
    criteria = list(grid.criteria.all()) if grid else []
    if not criteria:
        problems.append("La grille d’évaluation n’a aucun critère.")
    elif all(criterion.weight == 0 for criterion in criteria):
        problems.append("Les pondérations de la grille sont toutes nulles.")
    if call.has_funding_phase:
        if not call.envelope:
            problems.append("L’enveloppe de la phase 2 est nulle.")
        if not call.payment_schedule_template:
            problems.append("L’échéancier des versements de la phase 2 est vide.")
        if call.max_award is None:
            problems.append("Le montant maximal par lauréat n’est pas indiqué.")
    return problems


class NotReady(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def publish(call: Call, *, actor) -> Call:
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        problems = publication_problems(call)
        if problems:
            raise NotReady(problems)
        before = call.publication_state
        call.publication_state = PublicationState.PUBLISHED
        call.save(update_fields=["publication_state", "updated_at"])
        audit.record(
            "call.published",
            actor=actor,
            obj=call,
            before={"publication_state": before},
            after={"publication_state": call.publication_state},
        )
    return call


def unpublish(call: Call, *, actor) -> Call:
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        before = call.publication_state
        call.publication_state = PublicationState.DRAFT
        call.save(update_fields=["publication_state", "updated_at"])
        audit.record(
            "call.unpublished",
            actor=actor,
            obj=call,
            before={"publication_state": before},
            after={"publication_state": call.publication_state},
        )
    return call


def unique_slug(text: str, *, exclude_pk=None) -> str:
    base = slugify(text)[:90] or "appel"
    slug, number = base, 2
    while Call.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _one_year_later(moment):
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment + timedelta(days=365)


def duplicate(source: Call, *, actor) -> Call:
    """A draft copy of ``source`` with its grid, rounds and dates one year later, required
    attachments, payment schedule, FAQ and documents."""
    with transaction.atomic():
        copy = Call.objects.get(pk=source.pk)
        copy.pk = None
        copy.id = None
        copy.title = f"{source.title} (copie)"
        copy.slug = unique_slug(copy.title)
        copy.year = source.year + 1
        copy.publication_state = PublicationState.DRAFT
        copy.opens_at = _one_year_later(source.opens_at) if source.opens_at else None
        copy.closes_at = _one_year_later(source.closes_at) if source.closes_at else None
        copy.save()
        Round.objects.bulk_create(
            Round(
                call=copy,
                name=item.name,
                cut_off_at=_one_year_later(item.cut_off_at),
                phase=item.phase,
                envelope=item.envelope,
            )
            for item in source.rounds.all()
        )
        RequiredAttachment.objects.bulk_create(
            RequiredAttachment(call=copy, kind=item.kind, label=item.label, phase=item.phase)
            for item in source.required_attachments.all()
        )
        CallFaq.objects.bulk_create(
            CallFaq(call=copy, question=item.question, answer=item.answer, order=item.order)
            for item in source.faqs.all()
        )
        CallDocument.objects.bulk_create(
            CallDocument(
                call=copy, title=item.title, url=item.url, file=item.file, order=item.order
            )
            for item in source.documents.all()
        )
        grid = Grid.objects.filter(call=source).first()
        if grid is None:
            create_default_grid(copy)
        else:
            new_grid = Grid.objects.create(
                call=copy,
                scale_min=grid.scale_min,
                scale_max=grid.scale_max,
                disagreement_threshold=grid.disagreement_threshold,
            )
            criteria = list(grid.criteria.all())
            for criterion in criteria:
                criterion.pk = None
                criterion.id = None
                criterion.grid = new_grid
            Criterion.objects.bulk_create(criteria)
        audit.record(
            "call.duplicated",
            actor=actor,
            obj=copy,
            after={"source": source.slug, **audit.snapshot(copy, CALL_FIELDS)},
        )
    return copy


def schedule_rows(call: Call) -> list[dict]:
    """The payment schedule as form rows (share as a Decimal)."""
    return [
        {
            "label": item.get("label", ""),
            "share": Decimal(str(item.get("share", 0))),
            "trigger": item.get("trigger", ""),
        }
        for item in call.payment_schedule_template or []
    ]


def save_schedule(call: Call, rows: list[dict], *, actor) -> Call:
    """Store the rows (already checked: positive shares totalling 100 %)."""
    template = []
    for row in rows:
        share = row["share"]
        template.append(
            {
                "label": row["label"],
                "share": int(share) if share == share.to_integral_value() else float(share),
                "trigger": row["trigger"],
            }
        )
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        before = call.payment_schedule_template
        call.payment_schedule_template = template
        call.full_clean()
        call.save(update_fields=["payment_schedule_template", "updated_at"])
        if before != template:
            audit.record(
                "call.schedule_updated",
                actor=actor,
                obj=call,
                before={"payment_schedule_template": before},
                after={"payment_schedule_template": template},
            )
    return call
