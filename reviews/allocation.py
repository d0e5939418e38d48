"""The allocation simulator (SPEC §5.4): who is funded, for how much, and why, as pure functions.

Rules (written for the committee in ``docs/review-rules.md``):

* **Order.** Each candidate's score gets the priority-territory bonus (added once, however many
  priority flags the file has, if one of them is among the call's priority territories). Files
  are then taken by adjusted score descending, then national rank, then reference; eliminated
  and unscored files come last and are never funded.
* **Amount.** The requested amount is clipped to the maximum award. A request below the minimum
  award is excluded by default (``below_minimum="exclude"``: the file asked for less than the
  call allows) or raised to the minimum with ``below_minimum="raise"``.
* **Région cap** (optional): a maximum *amount* per région (``region_cap_amount``) and/or a
  maximum *number* of laureates per région (``region_cap_count``), the same for every région.
* **Envelope.** Files are funded in order while money is left. When what is left (in the
  envelope or under the région cap) is below the amount but at least the minimum award, the
  file is funded for what is left (``partial_awards=True``, default); otherwise it is not funded
  and the next files are still considered (a smaller request further down may still fit).
* **Waiting list.** The first ``waiting_list_size`` files left out only because the envelope
  ran out, in order.
* **Label proposals.** Phase-1 files (``label_only``: a label and a package of services, no
  amount) never take money from the envelope; scored and not eliminated, they are listed apart
  as proposals for the label, in the same order.

Every file gets a reason in plain French. The same inputs always give the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .numbers import CENT, format_euros, format_number, format_signed, parse_decimal
from .perf import paused_gc

BELOW_MINIMUM_POLICIES = ("exclude", "raise")
# calls.models.PriorityTerritory values (checked by a test), repeated here so that this module
# imports without Django settings (the benchmark runs it bare).
PRIORITY_TERRITORIES = frozenset({"rural", "qpv", "overseas"})


class AllocationError(ValueError):
    """Inconsistent parameters or candidates; ``errors`` holds one French message each."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__(" ".join(self.errors))


class Outcome(StrEnum):
    FUNDED = "funded"
    WAITING_LIST = "waiting_list"
    NOT_FUNDED = "not_funded"
    LABEL = "label"

    @property
    def label(self) -> str:
        return {
            "funded": "Retenu",
            "waiting_list": "Liste d’attente",
            "not_funded": "Non retenu",
            "label": "Proposé au label",
        }[self.value]


class Reason(StrEnum):
    FUNDED = "funded"
    ELIMINATED = "eliminated"
    NOT_SCORED = "not_scored"
    NO_REQUEST = "no_request"
    BELOW_MINIMUM = "below_minimum"
    REGION_CAP = "region_cap"
    ENVELOPE = "envelope"
    LABEL = "label"


@dataclass(frozen=True)
class AllocationParameters:
    """What the national cell sets for a simulation. Amounts in euros (Decimal, int or text such
    as "100000,50"); ``priority_bonus`` in points on the ranking score's scale;
    ``priority_territories``: which flags earn the bonus (the call's, by default all three).
    Inconsistent values raise :class:`AllocationError` listing every problem."""

    envelope: Decimal
    min_award: Decimal = Decimal(0)
    max_award: Decimal | None = None
    region_cap_amount: Decimal | None = None
    region_cap_count: int | None = None
    priority_bonus: Decimal = Decimal(0)
    priority_territories: frozenset[str] = PRIORITY_TERRITORIES
    waiting_list_size: int = 0
    below_minimum: str = "exclude"
    partial_awards: bool = True

    def __post_init__(self):
        errors = []

        def amount(name, label, optional=False):
            raw = getattr(self, name)
            if raw is None and optional:
                return None
            value = parse_decimal(raw)
            if value is None:
                errors.append(f"{label} doit être un montant en euros.")
                return None
            if value < 0:
                errors.append(f"{label} ne peut pas être négatif ({format_euros(value)}).")
            object.__setattr__(self, name, value)
            return value

        def count(name, label, optional=False, feminine=False):
            raw = getattr(self, name)
            if raw is None and optional:
                return None
            if isinstance(raw, bool) or not isinstance(raw, int):
                errors.append(f"{label} doit être un nombre entier.")
                return None
            if raw < 0:
                adjective = "négative" if feminine else "négatif"
                errors.append(f"{label} ne peut pas être {adjective} ({raw}).")
            return raw

        amount("envelope", "Le montant de l’enveloppe")
        minimum = amount("min_award", "Le montant minimal par lauréat")
        maximum = amount("max_award", "Le montant maximal par lauréat", optional=True)
        amount("region_cap_amount", "Le plafond régional (montant)", optional=True)
        count("region_cap_count", "Le plafond régional (nombre de lauréats)", optional=True)
        count("waiting_list_size", "La taille de la liste d’attente", feminine=True)
        bonus = parse_decimal(self.priority_bonus)
        if bonus is None:
            errors.append("Le bonus territoire prioritaire doit être un nombre de points.")
        elif bonus < 0:
            errors.append(
                "Le bonus territoire prioritaire ne peut pas être négatif "
                f"({format_number(bonus)})."
            )
        else:
            object.__setattr__(self, "priority_bonus", bonus)
        if (
            minimum is not None
            and maximum is not None
            and minimum >= 0
            and maximum >= 0
            and minimum > maximum
        ):
            errors.append(
                f"Le montant minimal par lauréat ({format_euros(minimum)}) dépasse le montant "
                f"maximal ({format_euros(maximum)})."
            )
        territories = frozenset(self.priority_territories)
        for unknown in sorted(territories - PRIORITY_TERRITORIES):
            errors.append(f"Territoire prioritaire inconnu : « {unknown} ».")
        object.__setattr__(self, "priority_territories", territories)
        if self.below_minimum not in BELOW_MINIMUM_POLICIES:
            errors.append(
                "La règle pour une demande inférieure au minimum est « exclude » (écarter) "
                "ou « raise » (relever au minimum)."
            )
        if errors:
            raise AllocationError(errors)

    def to_dict(self) -> dict:
        return {
            "envelope": str(self.envelope),
            "min_award": str(self.min_award),
            "max_award": None if self.max_award is None else str(self.max_award),
            "region_cap_amount": (
                None if self.region_cap_amount is None else str(self.region_cap_amount)
            ),
            "region_cap_count": self.region_cap_count,
            "priority_bonus": str(self.priority_bonus),
            "priority_territories": sorted(self.priority_territories),
            "waiting_list_size": self.waiting_list_size,
            "below_minimum": self.below_minimum,
            "partial_awards": self.partial_awards,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> AllocationParameters:
        values = dict(data)
        if "priority_territories" in values:
            values["priority_territories"] = frozenset(values["priority_territories"])
        return cls(**values)


@dataclass(frozen=True)
class Candidate:
    """A ranked file as the simulator sees it. ``region`` is the name shown in the reasons
    (« plafond régional atteint (Bretagne) ») and the key of the région caps; ``score`` the
    ranking score (raw or normalised mean), None when the file has no evaluation;
    ``priority_territories`` the file's flags among "rural", "qpv", "overseas";
    ``label_only``: a phase-1 file, which asks for the label, not for money."""

    reference: str
    region: str
    requested_amount: Decimal
    score: Decimal | None
    eliminated: bool = False
    priority_territories: frozenset[str] = frozenset()
    national_rank: int | None = None
    label_only: bool = False


@dataclass(slots=True)
class AllocationDecision:
    """The outcome of one file. Treat as read-only (not frozen only because creating frozen
    objects costs a third of the simulation). ``reason`` is written from the fields on demand,
    so a simulation of 10 000 files formats no text until someone reads it."""

    reference: str
    region: str
    rank: int  # position in the allocation order (after the bonus)
    national_rank: int | None
    score: Decimal | None
    bonus: Decimal
    adjusted_score: Decimal | None
    requested_amount: Decimal
    granted_amount: Decimal
    outcome: Outcome
    reason_code: Reason
    waiting_position: int | None = None
    amount_rule: str | None = None  # "max": clipped to the maximum, "min": raised to the minimum
    reduced_to: str | None = None  # "envelope" or "region": funded for what was left
    planned_amount: Decimal | None = None  # after the max/min rule, before any reduction
    left: Decimal | None = None  # what was left (envelope or région) when it was not funded
    minimum: Decimal | None = None  # the minimum award, when it is what was missing
    cap_count: int | None = None  # the région cap in number of laureates, when it bound

    @property
    def reason(self) -> str:
        code = self.reason_code
        if code == Reason.FUNDED:
            text = f"Retenu : rang {self.rank}, {format_euros(self.granted_amount)} accordés"
        elif code == Reason.ELIMINATED:
            text = "Non retenu : critère éliminatoire"
        elif code == Reason.NOT_SCORED:
            text = "Non retenu : dossier non noté"
        elif code == Reason.NO_REQUEST:
            text = "Non retenu : aucun montant demandé"
        elif code == Reason.LABEL:
            text = "Proposé au label (phase 1, sans montant)"
        elif code == Reason.BELOW_MINIMUM:
            text = (
                f"Non retenu : montant demandé ({format_euros(self.requested_amount)}) inférieur "
                f"au minimum de l’appel ({format_euros(self.minimum)})"
            )
        elif code == Reason.REGION_CAP and self.cap_count is not None:
            plural = "s" if self.cap_count > 1 else ""
            text = (
                f"Non retenu : plafond régional atteint ({self.region} : {self.cap_count} "
                f"lauréat{plural})"
            )
        else:
            if self.minimum is not None:
                needed = f"minimum {format_euros(self.minimum)}"
            else:
                needed = f"{format_euros(self.planned_amount)} prévus"
            if code == Reason.REGION_CAP:
                text = (
                    f"Non retenu : plafond régional atteint ({self.region} : reste "
                    f"{format_euros(self.left)}, {needed})"
                )
            else:
                detail = f"enveloppe épuisée (reste {format_euros(self.left)}, {needed})"
                if self.outcome == Outcome.WAITING_LIST:
                    text = f"Liste d’attente : position {self.waiting_position}, {detail}"
                else:
                    text = f"Non retenu : {detail}"
        notes = []
        if code == Reason.FUNDED:
            if self.amount_rule == "max":
                notes.append(
                    "plafonné au maximum de l’appel, "
                    f"{format_euros(self.requested_amount)} demandés"
                )
            elif self.amount_rule == "min":
                notes.append(
                    f"relevé au minimum de l’appel, {format_euros(self.requested_amount)} demandés"
                )
            if self.reduced_to is not None:
                what = (
                    "plafond régional" if self.reduced_to == "region" else "reliquat de l’enveloppe"
                )
                notes.append(f"réduit au {what}, {format_euros(self.planned_amount)} prévus")
        if self.bonus:
            notes.append(f"bonus territoire prioritaire {format_signed(self.bonus)}")
        return text + (f" ({' ; '.join(notes)})" if notes else "")

    def to_dict(self) -> dict:
        def text(value):
            return None if value is None else str(value)

        return {
            "reference": self.reference,
            "region": self.region,
            "rank": self.rank,
            "national_rank": self.national_rank,
            "score": text(self.score),
            "bonus": str(self.bonus),
            "adjusted_score": text(self.adjusted_score),
            "requested_amount": str(self.requested_amount),
            "granted_amount": str(self.granted_amount),
            "outcome": self.outcome.value,
            "reason_code": self.reason_code.value,
            "reason": self.reason,
            "waiting_position": self.waiting_position,
            "amount_rule": self.amount_rule,
            "reduced_to": self.reduced_to,
            "planned_amount": text(self.planned_amount),
            "left": text(self.left),
            "minimum": text(self.minimum),
            "cap_count": self.cap_count,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> AllocationDecision:
        def decimal(value):
            return None if value is None else Decimal(value)

        return cls(
            reference=data["reference"],
            region=data["region"],
            rank=data["rank"],
            national_rank=data.get("national_rank"),
            score=decimal(data.get("score")),
            bonus=Decimal(data.get("bonus", "0")),
            adjusted_score=decimal(data.get("adjusted_score")),
            requested_amount=Decimal(data["requested_amount"]),
            granted_amount=Decimal(data["granted_amount"]),
            outcome=Outcome(data["outcome"]),
            reason_code=Reason(data["reason_code"]),
            waiting_position=data.get("waiting_position"),
            amount_rule=data.get("amount_rule"),
            reduced_to=data.get("reduced_to"),
            planned_amount=decimal(data.get("planned_amount")),
            left=decimal(data.get("left")),
            minimum=decimal(data.get("minimum")),
            cap_count=data.get("cap_count"),
        )


@dataclass(frozen=True)
class AllocationResult:
    parameters: AllocationParameters
    decisions: tuple[AllocationDecision, ...]  # in allocation order
    total_granted: Decimal
    remaining: Decimal
    warnings: tuple[str, ...] = ()
    _by_reference: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._by_reference.update({decision.reference: decision for decision in self.decisions})

    @property
    def funded(self) -> list[AllocationDecision]:
        return [d for d in self.decisions if d.outcome == Outcome.FUNDED]

    @property
    def waiting_list(self) -> list[AllocationDecision]:
        return [d for d in self.decisions if d.outcome == Outcome.WAITING_LIST]

    @property
    def not_funded(self) -> list[AllocationDecision]:
        return [d for d in self.decisions if d.outcome == Outcome.NOT_FUNDED]

    @property
    def label_proposals(self) -> list[AllocationDecision]:
        return [d for d in self.decisions if d.outcome == Outcome.LABEL]

    @property
    def funding_decisions(self) -> list[AllocationDecision]:
        """Every decision but the label proposals: what the envelope was shared among."""
        return [d for d in self.decisions if d.outcome != Outcome.LABEL]

    def decision(self, reference: str) -> AllocationDecision:
        return self._by_reference[reference]

    def region_totals(self) -> dict[str, tuple[int, Decimal]]:
        """(number of laureates, amount granted) per région, régions in alphabetical order."""
        totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        for decision in self.funded:
            totals[decision.region][0] += 1
            totals[decision.region][1] += decision.granted_amount
        return {region: tuple(totals[region]) for region in sorted(totals)}

    def to_dict(self) -> dict:
        """JSON-ready (amounts as strings), for saving a named simulation."""
        return {
            "parameters": self.parameters.to_dict(),
            "decisions": [decision.to_dict() for decision in self.decisions],
            "total_granted": str(self.total_granted),
            "remaining": str(self.remaining),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> AllocationResult:
        return cls(
            parameters=AllocationParameters.from_dict(data["parameters"]),
            decisions=tuple(AllocationDecision.from_dict(item) for item in data["decisions"]),
            total_granted=Decimal(data["total_granted"]),
            remaining=Decimal(data["remaining"]),
            warnings=tuple(data.get("warnings", ())),
        )


def _prepare(parameters: AllocationParameters, candidates: Iterable[Candidate]) -> list[tuple]:
    """Check the candidates and return them in allocation order, as tuples
    (group, −adjusted score, national rank, reference, candidate, requested, score, bonus,
    adjusted score). References are unique, so sorting never compares past the reference."""
    errors = []
    seen = set()
    entries = []
    needs_region = (
        parameters.region_cap_amount is not None or parameters.region_cap_count is not None
    )
    bonus_flags = parameters.priority_territories
    priority_bonus = parameters.priority_bonus
    zero = Decimal(0)
    for position, candidate in enumerate(candidates, start=1):
        reference = candidate.reference
        if reference in seen:
            errors.append(f"Le dossier {reference} apparaît deux fois.")
            continue
        seen.add(reference)
        requested = candidate.requested_amount
        if type(requested) is not Decimal or not requested.is_finite():  # fast path: Decimal
            requested = parse_decimal(requested)
        if requested is None:
            errors.append(
                f"Dossier {reference} : le montant demandé doit être un montant en euros."
            )
            continue
        if requested < 0:
            errors.append(f"Dossier {reference} : le montant demandé ne peut pas être négatif.")
            continue
        score = candidate.score
        if score is not None and (type(score) is not Decimal or not score.is_finite()):
            score = parse_decimal(score)
            if score is None:
                errors.append(f"Dossier {reference} : la note doit être un nombre.")
                continue
        if needs_region and not candidate.region:
            errors.append(
                f"Dossier {reference} : la région est nécessaire pour appliquer le plafond "
                "régional."
            )
            continue
        requested = requested.quantize(CENT, ROUND_HALF_UP)
        national_rank = candidate.national_rank
        if national_rank is None:
            national_rank = position
        flags = candidate.priority_territories
        if score is None:
            entries.append((2, 0, national_rank, reference, candidate, requested, None, zero, None))
            continue
        bonus = priority_bonus if flags and not bonus_flags.isdisjoint(flags) else zero
        adjusted = score + bonus
        group = 1 if candidate.eliminated else 0
        entries.append(
            (
                group,
                -adjusted,
                national_rank,
                reference,
                candidate,
                requested,
                score,
                bonus,
                adjusted,
            )
        )
    if errors:
        raise AllocationError(errors)
    entries.sort()
    return entries


def simulate(parameters: AllocationParameters, candidates: Iterable[Candidate]) -> AllocationResult:
    """Run the allocation (see the module docstring). Candidates usually come from the national
    ranking (their ``national_rank`` breaks ties after the bonus; when absent, their position in
    ``candidates`` does)."""
    with paused_gc():
        return _simulate(parameters, candidates)


def _simulate(parameters: AllocationParameters, candidates: Iterable[Candidate]):
    p = parameters
    entries = _prepare(p, candidates)
    zero = Decimal(0)
    funded_outcome, waiting_outcome, not_funded_outcome = (
        Outcome.FUNDED,
        Outcome.WAITING_LIST,
        Outcome.NOT_FUNDED,
    )
    funded_reason, envelope_reason, region_reason = (
        Reason.FUNDED,
        Reason.ENVELOPE,
        Reason.REGION_CAP,
    )
    remaining = p.envelope
    minimum, maximum = p.min_award, p.max_award
    cap_amount, cap_count = p.region_cap_amount, p.region_cap_count
    partial, exclude_below = p.partial_awards, p.below_minimum == "exclude"
    minimum_missing = minimum if partial and minimum else None
    region_spent: dict[str, Decimal] = {}
    region_count: dict[str, int] = {}
    waiting, waiting_size = 0, p.waiting_list_size
    decisions = []
    append = decisions.append
    rank = 0
    for (
        _group,
        _order,
        national_rank,
        reference,
        candidate,
        requested,
        score,
        bonus,
        adjusted,
    ) in entries:
        rank += 1
        region = candidate.region
        decision = AllocationDecision(
            reference,
            region,
            rank,
            national_rank,
            score,
            bonus,
            adjusted,
            requested,
            zero,
            not_funded_outcome,
            funded_reason,
        )
        append(decision)
        if candidate.eliminated:
            decision.reason_code = Reason.ELIMINATED
            continue
        if score is None:
            decision.reason_code = Reason.NOT_SCORED
            continue
        if candidate.label_only:
            decision.reason_code = Reason.LABEL
            decision.outcome = Outcome.LABEL
            continue
        if not requested:
            decision.reason_code = Reason.NO_REQUEST
            continue
        if requested < minimum and exclude_below:
            decision.reason_code = Reason.BELOW_MINIMUM
            decision.minimum = minimum
            continue
        if cap_count is not None and region_count.get(region, 0) >= cap_count:
            decision.reason_code = region_reason
            decision.cap_count = cap_count
            continue
        amount = requested
        if maximum is not None and amount > maximum:
            amount = maximum
            decision.amount_rule = "max"
        elif amount < minimum:
            amount = minimum
            decision.amount_rule = "min"
        decision.planned_amount = amount
        spent = region_spent.get(region, zero)
        available = remaining
        region_binds = False
        if cap_amount is not None and cap_amount - spent < remaining:
            available = cap_amount - spent
            region_binds = True
        if amount <= available:
            granted = amount
        elif partial and available > 0 and available >= minimum:
            granted = available
            decision.reduced_to = "region" if region_binds else "envelope"
        else:
            decision.left = available
            decision.minimum = minimum_missing
            if region_binds:
                decision.reason_code = region_reason
            else:
                decision.reason_code = envelope_reason
                if waiting < waiting_size:
                    waiting += 1
                    decision.waiting_position = waiting
                    decision.outcome = waiting_outcome
            continue
        decision.granted_amount = granted
        decision.outcome = funded_outcome
        remaining -= granted
        region_spent[region] = spent + granted
        region_count[region] = region_count.get(region, 0) + 1

    warnings = []
    if minimum > p.envelope:
        warnings.append(
            f"L’enveloppe ({format_euros(p.envelope)}) est inférieure au montant minimal par "
            f"lauréat ({format_euros(minimum)}) : aucun dossier ne peut être financé."
        )
    if cap_amount is not None and 0 < cap_amount < minimum:
        warnings.append(
            f"Le plafond régional ({format_euros(cap_amount)}) est inférieur au montant "
            f"minimal par lauréat ({format_euros(minimum)}) : aucun dossier ne peut être financé."
        )
    return AllocationResult(
        parameters=parameters,
        decisions=tuple(decisions),
        total_granted=p.envelope - remaining,
        remaining=remaining,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class Difference:
    """A file whose outcome or amount differs between two simulations (None: absent)."""

    reference: str
    outcome_a: Outcome | None
    outcome_b: Outcome | None
    amount_a: Decimal | None
    amount_b: Decimal | None
    rank_a: int | None
    rank_b: int | None

    @property
    def summary(self) -> str:
        def side(outcome, amount):
            if outcome is None:
                return "absent"
            text = outcome.label.lower()
            if outcome == Outcome.FUNDED:
                text += f" ({format_euros(amount)})"
            return text

        return (
            f"{self.reference} : {side(self.outcome_a, self.amount_a)} → "
            f"{side(self.outcome_b, self.amount_b)}"
        )


def compare(
    sim_a: AllocationResult | Mapping, sim_b: AllocationResult | Mapping
) -> list[Difference]:
    """Files whose outcome or granted amount differs between two simulations (results or their
    saved ``to_dict()`` form), ordered by their best rank in either, then reference."""
    if not isinstance(sim_a, AllocationResult):
        sim_a = AllocationResult.from_dict(sim_a)
    if not isinstance(sim_b, AllocationResult):
        sim_b = AllocationResult.from_dict(sim_b)
    a = {decision.reference: decision for decision in sim_a.decisions}
    b = {decision.reference: decision for decision in sim_b.decisions}
    differences = []
    for reference in a.keys() | b.keys():
        left, right = a.get(reference), b.get(reference)
        if (
            left is not None
            and right is not None
            and left.outcome == right.outcome
            and left.granted_amount == right.granted_amount
        ):
            continue
        differences.append(
            Difference(
                reference=reference,
                outcome_a=left.outcome if left else None,
                outcome_b=right.outcome if right else None,
                amount_a=left.granted_amount if left else None,
                amount_b=right.granted_amount if right else None,
                rank_a=left.rank if left else None,
                rank_b=right.rank if right else None,
            )
        )
    differences.sort(
        key=lambda d: (min(r for r in (d.rank_a, d.rank_b) if r is not None), d.reference)
    )
    return differences
