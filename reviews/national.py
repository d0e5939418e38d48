"""National consolidation (SPEC §5.5): every file of a call ranked nationally with its figures
and validated régional opinion, and the allocation simulator (``reviews.allocation``) with
named, saved simulations that can be compared."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from applications.choices import ApplicationStatus as S
from applications.choices import BudgetKind, Funder
from applications.models import Application, BudgetLine
from calls.choices import Phase
from core import audit
from reviews import allocation
from reviews.models import ReviewSummary, Simulation
from reviews.opinions import OpinionLine, ranked_files
from reviews.ranking import RankingInput, rank_files

ZERO = Decimal(0)


def state_request():
    """The State subsidy a file asks for, as a correlated sum usable in ``annotate``."""
    return Subquery(
        BudgetLine.objects.filter(
            application=OuterRef("pk"), kind=BudgetKind.RESOURCE, category=Funder.STATE
        )
        .order_by()
        .values("application")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def _reviewed_files(call):
    """Files of the call that went through review (not drafts, withdrawn or closed)."""
    return Application.objects.filter(call=call).exclude(
        status__in=[S.DRAFT, S.WITHDRAWN, S.CLOSED]
    )


def _with_line_fields(queryset):
    """Only what a line of the ranking shows."""
    return queryset.only(
        "uuid",
        "reference",
        "submitted_at",
        "status",
        "phase",
        "call_id",
        "region_id",
        "pole_name",
        "lead_name",
    ).annotate(region_name=F("region__name"))


def national_files(call):
    """Files of the call that went through review (not drafts, withdrawn or closed), with the
    State subsidy they ask for (``requested``: one aggregate, no query per file)."""
    # Only what the ranking, the simulator and the page show (10 000 files load in a fraction
    # of a second); the State's share is a correlated sum, not a GROUP BY.
    return _with_line_fields(_reviewed_files(call)).annotate(
        requested=Coalesce(state_request(), ZERO)
    )


def national_ranking(call):
    """[(RankedFile, application, opinion)]: only validated régional opinions count."""
    return ranked_files(national_files(call), validated_only=True)


def _in_ranking_order(queryset):
    """``queryset`` ordered as ``reviews.ranking.rank_files`` orders files with validated
    régional opinions (group, score, opinion, median, submission, reference), in SQL."""
    decimal = DecimalField(max_digits=6, decimal_places=2)
    scored = Q(review_summary__review_count__gt=0)
    validated = Q(regional_opinion__validated_at__isnull=False)
    return queryset.annotate(
        rank_score=Case(When(scored, then=F("review_summary__mean")), output_field=decimal),
        rank_median=Case(When(scored, then=F("review_summary__median")), output_field=decimal),
        rank_eliminated=Case(
            When(review_summary__eliminated=True, then=Value(True)), default=Value(False)
        ),
        rank_opinion=F("regional_opinion__opinion"),
        rank_validated_at=F("regional_opinion__validated_at"),
    ).order_by(
        Case(
            When(rank_score__isnull=True, then=Value(2)),
            When(rank_eliminated=True, then=Value(1)),
            default=Value(0),
        ),
        F("rank_score").desc(nulls_last=True),
        Case(
            When(validated & Q(regional_opinion__opinion="favourable"), then=Value(0)),
            When(validated & Q(regional_opinion__opinion="reserved"), then=Value(1)),
            When(validated & Q(regional_opinion__opinion="unfavourable"), then=Value(2)),
            default=Value(3),
        ),
        F("rank_median").desc(nulls_last=True),
        F("submitted_at").asc(nulls_last=True),
        "reference",
        "pk",
    )


class RankingRows:
    """The national ranking of a call as ``user`` sees it (``conflicts.mask_ranking``: the
    files with a conflict of interest masked, after the others, and the others numbered
    again), as a sequence the paginator slices: a page is ranked in SQL (ORDER BY … LIMIT),
    so a page of 10 000 files costs the same few queries as a page of 100. Each page reads
    the row just above it, so that « départagé par » is told for its first row too; ranks
    and ties are those of ``rank_files`` on the whole call."""

    def __init__(self, call, user):
        from reviews.conflicts import CONFLICT_NOTICE, conflict_q

        files = _reviewed_files(call)
        self.masked = (
            list(files.filter(conflict_q(user)).values_list("pk", flat=True))
            if getattr(user, "pk", None)
            else []
        )
        self.notice = CONFLICT_NOTICE
        self.files = files.exclude(pk__in=self.masked) if self.masked else files
        self._visible = None

    @property
    def visible(self) -> int:
        if self._visible is None:
            self._visible = self.files.count()
        return self._visible

    def count(self) -> int:
        return self.visible + len(self.masked)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = self.count() if index.stop is None else min(index.stop, self.count())
        rows = self._ranked(start, min(stop, self.visible)) if start < self.visible else []
        from reviews.conflicts import masked_line

        for _ in range(max(start, self.visible), stop):
            rows.append((masked_line(self.notice), None, None))
        return rows

    def _ranked(self, start, stop):
        first = max(start - 1, 0)  # the row above the page, for « départagé par »
        # The database sorts narrow rows (keys and identifiers only), then the page's files
        # are read with what their lines show.
        keys = list(_in_ranking_order(self.files).values_list("pk", flat=True)[first:stop])
        # By primary key alone: with the call too, SQLite walks the call's index (every file).
        applications = list(
            _in_ranking_order(_with_line_fields(Application.objects.filter(pk__in=keys)))
        )
        by_reference, entries = {}, []
        for application in applications:
            reference = application.reference or str(application.uuid)
            opinion = (
                OpinionLine(application.rank_opinion, application.rank_validated_at)
                if application.rank_opinion
                else None
            )
            by_reference[reference] = (application, opinion)
            counted = opinion.opinion if opinion and opinion.is_validated else None
            entries.append(
                RankingInput(
                    reference=reference,
                    mean=application.rank_score,
                    median=application.rank_median,
                    submitted_at=application.submitted_at,
                    opinion=counted,
                    eliminated=bool(application.rank_eliminated),
                )
            )
        rows = []
        for line in rank_files(entries):
            line.rank += first
            rows.append((line, *by_reference[line.reference]))
        return rows[start - first :]


def candidates(rows, selected=None) -> list[allocation.Candidate]:
    """``selected``: a query of the files' primary keys (default: the rows' own keys)."""
    if selected is None:
        selected = [app.pk for _, app, _ in rows]
    flags_of = {
        pk: {flag for flag, on in (("rural", rural), ("qpv", qpv), ("overseas", overseas)) if on}
        for pk, rural, qpv, overseas in ReviewSummary.objects.filter(
            application__in=selected
        ).values_list("application_id", "is_rural", "is_qpv", "is_overseas")
    }
    result = []
    for line, application, _opinion in rows:
        flags = flags_of.get(application.pk, set())
        result.append(
            allocation.Candidate(
                reference=line.reference,
                region=application.region_name or "—",
                requested_amount=application.requested or ZERO,
                score=line.score,
                eliminated=line.eliminated,
                priority_territories=frozenset(flags),
                national_rank=line.rank,
                label_only=application.phase == Phase.EMERGENCE,
            )
        )
    return result


def bonus_data_notes(call) -> list[str]:
    """What the simulator says next to the bonus field when a priority territory of the call
    has no reference data loaded: without it no file can earn that bonus."""
    from territories.models import ReferenceKind
    from territories.priority import loaded_kinds

    wanted = set(call.priority_territories or ()) or {"rural", "qpv", "overseas"}
    loaded = loaded_kinds()
    notes = []
    if "rural" in wanted and ReferenceKind.DENSITY not in loaded:
        notes.append(
            "Rural : la grille communale de densité de l’Insee n’est pas chargée "
            "(manage.py import_density) ; aucun dossier ne reçoit ce bonus."
        )
    if "qpv" in wanted and ReferenceKind.QPV not in loaded:
        notes.append(
            "QPV : la liste des quartiers prioritaires n’est pas chargée "
            "(manage.py import_qpv) ; aucun dossier ne reçoit ce bonus."
        )
    return notes


def initial_parameters(call) -> dict:
    """The simulator's form prefilled from the call: envelope, minimum and maximum award."""
    initial = {"envelope": call.envelope or None, "waiting_list_size": 0}
    if call.min_award is not None:
        initial["min_award"] = call.min_award
    if call.max_award is not None:
        initial["max_award"] = call.max_award
    return initial


@dataclass(frozen=True)
class ResultRow:
    """One decision of a simulation with its file (pôle name, link), or a masked row (a
    ``conflicts.MaskedDecision``: no reference, name or figure)."""

    decision: object
    application: Application | None
    masked: str = ""


def result_rows(result: allocation.AllocationResult, call) -> dict[str, list[ResultRow]]:
    """The decisions of a simulation as masked for its reader (``conflicts.mask_allocation``)
    split into ``funding`` (the envelope's share) and ``labels`` (phase-1 label proposals),
    each row with its file: one query for the files."""
    references = [d.reference for d in result.decisions if d.reference]
    files = {
        application.reference: application
        for application in Application.objects.filter(call=call, reference__in=references).only(
            "uuid", "reference", "pole_name", "lead_name"
        )
    }
    sections = {"funding": [], "labels": []}
    for decision in result.decisions:
        section = "labels" if decision.outcome == allocation.Outcome.LABEL else "funding"
        masked = getattr(decision, "masked", "")
        if masked:
            sections[section].append(ResultRow(None, None, masked))
        else:
            sections[section].append(ResultRow(decision, files.get(decision.reference)))
    return sections


def priority_texts(call, application_ids=None) -> dict[str, str]:
    """Reference → « 12 communes rurales sur 32 ; 1 commune avec un QPV » for the files of
    the call (the figures the bonus was computed from), in one query; ``application_ids``:
    only those files (a page of the ranking, read by primary key)."""
    if application_ids is not None:
        rows = ReviewSummary.objects.filter(application_id__in=list(application_ids))
    else:
        rows = ReviewSummary.objects.filter(application__call=call)
    rows = rows.select_related("application")
    rows = rows.only(
        "application__reference",
        "commune_count",
        "rural_count",
        "qpv_count",
        "density_unknown_count",
        "application_id",
    )
    return {row.application.reference: row.priority.text for row in rows}


def simulate(call, parameters: allocation.AllocationParameters) -> allocation.AllocationResult:
    rows = national_ranking(call)
    return allocation.simulate(parameters, candidates(rows, national_files(call).values("pk")))


def save_simulation(call, name: str, result: allocation.AllocationResult, *, actor) -> Simulation:
    simulation = Simulation.objects.create(
        call=call,
        name=name.strip(),
        parameters=result.parameters.to_dict(),
        result=result.to_dict(),
        created_by=actor,
    )
    audit.record(
        "review.simulation_saved",
        actor=actor,
        obj=simulation,
        after={
            "name": simulation.name,
            "parameters": simulation.parameters,
            "total_granted": str(result.total_granted),
        },
    )
    return simulation


def load_result(simulation: Simulation) -> allocation.AllocationResult:
    return allocation.AllocationResult.from_dict(simulation.result)


def compare(sim_a: Simulation, sim_b: Simulation) -> list[allocation.Difference]:
    return allocation.compare(sim_a.result, sim_b.result)
