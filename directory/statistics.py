"""Programme statistics (public page /statistiques/ and the aggregated open-data file).

Plain functions, every figure aggregated by the database (GROUP BY, COUNT, SUM; the median of
the time to decision with PERCENTILE_CONT on PostgreSQL). Only SQLite computes that median in
Python, from one column of decided files. Counts are of submitted files (drafts never appear).
"""

import statistics as pystats
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from applications.choices import ApplicationStatus as S
from applications.models import Application, StatusChange
from calls.choices import Phase, PublicationState
from laureates.models import Award, AwardStatus, Enrolment, EnrolmentStatus, SupportOffer
from territories.models import Region, Zone

DECIDED = (S.ACCEPTED, S.REJECTED)
ENDED_WITHOUT_DECISION = (S.WITHDRAWN, S.CLOSED)
NO_ROUND = "Hors relève"


class Median(Aggregate):
    """PostgreSQL: the continuous median of an expression (interval, number)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def acceptance_rate(accepted: int, rejected: int) -> Decimal | None:
    """Share of retained files among decided ones, in %, one decimal; None without decision."""
    decided = accepted + rejected
    if not decided:
        return None
    return (Decimal(accepted) * 100 / decided).quantize(Decimal("0.1"))


def _cents(amount) -> Decimal:
    """Sums come back as 75000.5 from SQLite: always two decimals."""
    return Decimal(amount or 0).quantize(Decimal("0.01"))


def _days(delay: timedelta | None) -> Decimal | None:
    if delay is None:
        return None
    return (Decimal(delay.total_seconds()) / 86400).quantize(Decimal("0.1"))


@dataclass
class CallRoundStats:
    call_id: int
    call_slug: str
    call_title: str
    call_year: int
    instrument: str
    round_id: int | None
    round_name: str
    round_cut_off_at: object
    submitted: int = 0
    accepted: int = 0
    rejected: int = 0
    ended: int = 0  # withdrawn or closed without a decision
    awards: int = 0
    amount: Decimal = Decimal("0")
    median_days: Decimal | None = None

    @property
    def pending(self) -> int:
        return self.submitted - self.accepted - self.rejected - self.ended

    @property
    def rate(self) -> Decimal | None:
        return acceptance_rate(self.accepted, self.rejected)


@dataclass
class CallStats:
    call_id: int
    call_slug: str
    call_title: str
    call_year: int
    rounds: list[CallRoundStats] = field(default_factory=list)
    median_days: Decimal | None = None

    def _sum(self, name):
        return sum(getattr(row, name) for row in self.rounds)

    @property
    def submitted(self) -> int:
        return self._sum("submitted")

    @property
    def accepted(self) -> int:
        return self._sum("accepted")

    @property
    def rejected(self) -> int:
        return self._sum("rejected")

    @property
    def awards(self) -> int:
        return self._sum("awards")

    @property
    def amount(self) -> Decimal:
        return sum((row.amount for row in self.rounds), Decimal("0"))

    @property
    def rate(self) -> Decimal | None:
        return acceptance_rate(self.accepted, self.rejected)


def _submitted_files():
    return Application.objects.filter(submitted_at__isnull=False).exclude(status=S.DRAFT)


def _decided_files():
    """Decided files annotated with ``delay`` = first decision − submission."""
    first_decision = (
        StatusChange.objects.filter(application=OuterRef("pk"), to_status__in=DECIDED)
        .order_by("at", "pk")
        .values("at")[:1]
    )
    return (
        _submitted_files()
        .filter(status__in=DECIDED)
        .annotate(decided_at=Subquery(first_decision))
        .filter(decided_at__isnull=False)
        .annotate(
            delay=ExpressionWrapper(
                F("decided_at") - F("submitted_at"), output_field=DurationField()
            )
        )
    )


# Below this many decisions a median says more about one file than about the programme
# (issue 17: « délai médian 0,0 j » on a single decision): shown as not available.
MIN_DECISIONS_FOR_MEDIAN = 5


def median_days_by(*keys: str) -> dict:
    """Median time from submission to decision (days), grouped by ``keys`` (tuple keys;
    no key: the whole programme under ``()``); None for a group of fewer than
    ``MIN_DECISIONS_FOR_MEDIAN`` decisions."""
    queryset = _decided_files().order_by()
    if connection.vendor == "postgresql":
        median = Median("delay", output_field=DurationField())
        if not keys:
            value = queryset.aggregate(median=median, n=Count("pk"))
            enough = value["n"] >= MIN_DECISIONS_FOR_MEDIAN
            return {(): _days(value["median"]) if enough else None}
        rows = queryset.values(*keys).annotate(median=median, n=Count("pk"))
        return {
            tuple(row[key] for key in keys): (
                _days(row["median"]) if row["n"] >= MIN_DECISIONS_FOR_MEDIAN else None
            )
            for row in rows
        }
    groups: dict[tuple, list[timedelta]] = {}
    for *key, delay in queryset.values_list(*keys, "delay"):
        if delay is not None:
            groups.setdefault(tuple(key), []).append(delay)
    return {
        key: _days(pystats.median(delays)) if len(delays) >= MIN_DECISIONS_FOR_MEDIAN else None
        for key, delays in groups.items()
    }


def call_round_statistics() -> list[CallRoundStats]:
    """One row per (published or archived call, round) that received files: counts by outcome,
    awards and amounts granted, median time to decision. Four queries."""
    status_counts = (
        _submitted_files()
        .filter(call__publication_state__in=[PublicationState.PUBLISHED, PublicationState.ARCHIVED])
        .order_by()
        .values(
            "call_id",
            "call__slug",
            "call__title",
            "call__year",
            "call__instrument",
            "round_id",
            "round__name",
            "round__cut_off_at",
        )
        .annotate(
            submitted=Count("pk"),
            accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=S.REJECTED)),
            ended=Count("pk", filter=Q(status__in=ENDED_WITHOUT_DECISION)),
        )
    )
    rows: dict[tuple, CallRoundStats] = {}
    for row in status_counts:
        key = (row["call_id"], row["round_id"])
        rows[key] = CallRoundStats(
            call_id=row["call_id"],
            call_slug=row["call__slug"],
            call_title=row["call__title"],
            call_year=row["call__year"],
            instrument=row["call__instrument"],
            round_id=row["round_id"],
            round_name=row["round__name"] or NO_ROUND,
            round_cut_off_at=row["round__cut_off_at"],
            submitted=row["submitted"],
            accepted=row["accepted"],
            rejected=row["rejected"],
            ended=row["ended"],
        )
    awards = (
        Award.objects.filter(status=AwardStatus.GRANTED)
        .order_by()
        .values("call_id", "application__round_id")
        .annotate(count=Count("pk"), amount=Coalesce(Sum("amount"), Decimal("0")))
    )
    for row in awards:
        target = rows.get((row["call_id"], row["application__round_id"]))
        if target is not None:
            target.awards, target.amount = row["count"], _cents(row["amount"])
    for (call_id, round_id), median in median_days_by("call_id", "round_id").items():
        if (call_id, round_id) in rows:
            rows[(call_id, round_id)].median_days = median
    return sorted(
        rows.values(),
        key=lambda r: (
            -r.call_year,
            r.call_title,
            r.round_cut_off_at is None,
            r.round_cut_off_at or 0,
        ),
    )


def call_statistics(rows: list[CallRoundStats] | None = None) -> list[CallStats]:
    """The same figures per call (rounds grouped; the median is computed per call)."""
    rows = call_round_statistics() if rows is None else rows
    calls: dict[int, CallStats] = {}
    for row in rows:
        calls.setdefault(
            row.call_id,
            CallStats(row.call_id, row.call_slug, row.call_title, row.call_year),
        ).rounds.append(row)
    for (call_id,), median in median_days_by("call_id").items():
        if call_id in calls:
            calls[call_id].median_days = median
    return list(calls.values())


@dataclass
class RegionAwards:
    code: str
    name: str
    emergence: int = 0
    funding: int = 0
    amount: Decimal = Decimal("0")

    @property
    def total(self) -> int:
        return self.emergence + self.funding


def awards_by_region() -> list[RegionAwards]:
    """Granted awards per région of instruction (every current région, zeros included), phase
    1 labels and phase 2 awards apart, amounts summed. Two queries."""
    regions = {
        code: RegionAwards(code, name)
        for code, name in Region.objects.filter(retired=False)
        .exclude(zone=Zone.COM)
        .order_by("name")
        .values_list("code", "name")
    }
    unknown = RegionAwards("", "Région non renseignée")
    for row in (
        Award.objects.filter(status=AwardStatus.GRANTED)
        .order_by()
        .values("application__region_id")
        .annotate(
            emergence=Count("pk", filter=Q(phase=Phase.EMERGENCE)),
            funding=Count("pk", filter=Q(phase=Phase.FUNDING)),
            amount=Coalesce(Sum("amount"), Decimal("0")),
        )
    ):
        target = regions.get(row["application__region_id"], unknown)
        target.emergence += row["emergence"]
        target.funding += row["funding"]
        target.amount += _cents(row["amount"])
    result = list(regions.values())
    if unknown.total:
        result.append(unknown)
    return result


@dataclass
class OfferConsumption:
    title: str
    partner: str
    format_label: str
    capacity: int | None
    confirmed: int
    waiting: int
    attended: int
    days_attended: Decimal


def support_consumption() -> list[OfferConsumption]:
    """Per support offer that is published or has enrolments: confirmed, waiting, attended PTCE
    and days of support attended (attended PTCE × the offer's duration). One query."""
    confirmed = Q(enrolments__status=EnrolmentStatus.CONFIRMED)
    attended = confirmed & Q(enrolments__attended=True)
    offers = (
        SupportOffer.objects.filter(
            Q(is_published=True) | Q(pk__in=Enrolment.objects.values("offer_id"))
        )
        .annotate(
            n_confirmed=Count("enrolments", filter=confirmed),
            n_waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
            n_attended=Count("enrolments", filter=attended),
        )
        .values(
            "title",
            "partner__name",
            "format",
            "capacity",
            "duration_days",
            "n_confirmed",
            "n_waiting",
            "n_attended",
        )
        .order_by("partner__name", "title")
    )
    from laureates.models import OfferFormat

    return [
        OfferConsumption(
            title=row["title"],
            partner=row["partner__name"],
            format_label=OfferFormat(row["format"]).label,
            capacity=row["capacity"],
            confirmed=row["n_confirmed"],
            waiting=row["n_waiting"],
            attended=row["n_attended"],
            days_attended=(row["duration_days"] * row["n_attended"]).quantize(Decimal("0.1")),
        )
        for row in offers
    ]


@dataclass
class Overview:
    submitted: int
    accepted: int
    rejected: int
    awards: int
    amount: Decimal
    median_days: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return acceptance_rate(self.accepted, self.rejected)


def overview(calls: list[CallStats], regions: list[RegionAwards]) -> Overview:
    return Overview(
        submitted=sum(c.submitted for c in calls),
        accepted=sum(c.accepted for c in calls),
        rejected=sum(c.rejected for c in calls),
        awards=sum(r.total for r in regions),
        amount=sum((r.amount for r in regions), Decimal("0")),
        median_days=median_days_by().get(()),
    )
