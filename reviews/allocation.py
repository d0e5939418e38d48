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

Every file gets a reason in plain French. The same inputs always give the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .numbers import CENT, format_euros, format_number, format_signed, parse_decimal, round_half_up

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

    @property
    def label(self) -> str:
        return {"funded": "Retenu", "waiting_list": "Liste d’attente", "not_funded": "Non retenu"}[
            self.value
        ]


class Reason(StrEnum):
    FUNDED = "funded"
    ELIMINATED = "eliminated"
    NOT_SCORED = "not_scored"
    NO_REQUEST = "no_request"
    BELOW_MINIMUM = "below_minimum"
    REGION_CAP = "region_cap"
    ENVELOPE = "envelope"


@dataclass(frozen=True)
class AllocationParameters:
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
    reference: str
    region: str
    requested_amount: Decimal
    score: Decimal | None
    eliminated: bool = False
    priority_territories: frozenset[str] = frozenset()
    national_rank: int | None = None


@dataclass(frozen=True)
class AllocationDecision:
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
    reason: str
    waiting_position: int | None = None

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "region": self.region,
            "rank": self.rank,
            "national_rank": self.national_rank,
            "score": None if self.score is None else str(self.score),
            "bonus": str(self.bonus),
            "adjusted_score": None if self.adjusted_score is None else str(self.adjusted_score),
            "requested_amount": str(self.requested_amount),
            "granted_amount": str(self.granted_amount),
            "outcome": self.outcome.value,
            "reason_code": self.reason_code.value,
            "reason": self.reason,
            "waiting_position": self.waiting_position,
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
            reason=data["reason"],
            waiting_position=data.get("waiting_position"),
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


def _check_candidates(parameters: AllocationParameters, candidates: Sequence[Candidate]):
    errors = []
    seen = set()
    checked = []
    for candidate in candidates:
        if candidate.reference in seen:
            errors.append(f"Le dossier {candidate.reference} apparaît deux fois.")
            continue
        seen.add(candidate.reference)
        requested = parse_decimal(candidate.requested_amount)
        if requested is None:
            errors.append(
                f"Dossier {candidate.reference} : le montant demandé doit être un montant en euros."
            )
            continue
        if requested < 0:
            errors.append(
                f"Dossier {candidate.reference} : le montant demandé ne peut pas être négatif."
            )
            continue
        score = None if candidate.score is None else parse_decimal(candidate.score)
        if candidate.score is not None and score is None:
            errors.append(f"Dossier {candidate.reference} : la note doit être un nombre.")
            continue
        if (
            parameters.region_cap_amount is not None or parameters.region_cap_count is not None
        ) and not candidate.region:
            errors.append(
                f"Dossier {candidate.reference} : la région est nécessaire pour appliquer le "
                "plafond régional."
            )
            continue
        checked.append((candidate, round_half_up(requested, CENT), score))
    if errors:
        raise AllocationError(errors)
    return checked


def _notes_text(notes: list[str]) -> str:
    return f" ({' ; '.join(notes)})" if notes else ""


def simulate(parameters: AllocationParameters, candidates: Iterable[Candidate]) -> AllocationResult:
    """Run the allocation (see the module docstring). Candidates usually come from the national
    ranking (their ``national_rank`` breaks ties after the bonus; when absent, their position in
    ``candidates`` does)."""
    candidates = list(candidates)
    checked = _check_candidates(parameters, candidates)
    p = parameters
    bonus_flags = p.priority_territories

    ordered = []
    for position, (candidate, requested, score) in enumerate(checked, start=1):
        national_rank = candidate.national_rank if candidate.national_rank is not None else position
        earns_bonus = bool(bonus_flags & frozenset(candidate.priority_territories))
        bonus = p.priority_bonus if score is not None and earns_bonus else Decimal(0)
        adjusted = None if score is None else score + bonus
        group = 2 if score is None else 1 if candidate.eliminated else 0
        key = (
            group,
            -adjusted if adjusted is not None else 0,
            national_rank,
            candidate.reference,
        )
        ordered.append((key, candidate, requested, score, bonus, adjusted, national_rank))
    ordered.sort(key=lambda item: item[0])

    remaining = p.envelope
    region_spent: dict[str, Decimal] = defaultdict(Decimal)
    region_count: dict[str, int] = defaultdict(int)
    waiting = 0
    decisions = []
    minimum_text = format_euros(p.min_award)
    for rank, (_key, candidate, requested, score, bonus, adjusted, national_rank) in enumerate(
        ordered, start=1
    ):
        region = candidate.region
        granted = Decimal(0)
        outcome = Outcome.NOT_FUNDED
        waiting_position = None
        notes = []
        if bonus:
            notes.append(f"bonus territoire prioritaire {format_signed(bonus)}")

        if candidate.eliminated:
            code, reason = Reason.ELIMINATED, "Non retenu : critère éliminatoire"
        elif score is None:
            code, reason = Reason.NOT_SCORED, "Non retenu : dossier non noté"
        elif requested == 0:
            code, reason = Reason.NO_REQUEST, "Non retenu : aucun montant demandé"
        elif requested < p.min_award and p.below_minimum == "exclude":
            code = Reason.BELOW_MINIMUM
            reason = (
                f"Non retenu : montant demandé ({format_euros(requested)}) inférieur au "
                f"minimum de l’appel ({minimum_text})"
            )
        elif p.region_cap_count is not None and region_count[region] >= p.region_cap_count:
            code = Reason.REGION_CAP
            reason = (
                f"Non retenu : plafond régional atteint ({region} : {p.region_cap_count} "
                f"lauréat{'s' if p.region_cap_count > 1 else ''})"
            )
        else:
            amount = requested
            amount_notes = []  # said only when the file is funded
            if p.max_award is not None and amount > p.max_award:
                amount = p.max_award
                amount_notes.append(
                    f"plafonné au maximum de l’appel, {format_euros(requested)} demandés"
                )
            elif amount < p.min_award:
                amount = p.min_award
                amount_notes.append(
                    f"relevé au minimum de l’appel, {format_euros(requested)} demandés"
                )
            region_left = (
                None if p.region_cap_amount is None else p.region_cap_amount - region_spent[region]
            )
            region_binds = region_left is not None and region_left < remaining
            available = region_left if region_binds else remaining
            if amount <= available:
                granted = amount
            elif p.partial_awards and available > 0 and available >= p.min_award:
                granted = available
                what = "plafond régional" if region_binds else "reliquat de l’enveloppe"
                amount_notes.append(f"réduit au {what}, {format_euros(amount)} prévus")
            if granted:
                notes = amount_notes + notes
                outcome = Outcome.FUNDED
                code = Reason.FUNDED
                reason = f"Retenu : rang {rank}, {format_euros(granted)} accordés"
                remaining -= granted
                region_spent[region] += granted
                region_count[region] += 1
            else:
                needed = p.min_award if p.partial_awards and p.min_award else amount
                needed_text = (
                    f"minimum {format_euros(needed)}"
                    if p.partial_awards and p.min_award
                    else f"{format_euros(needed)} prévus"
                )
                if region_binds:
                    code = Reason.REGION_CAP
                    reason = (
                        f"Non retenu : plafond régional atteint ({region} : reste "
                        f"{format_euros(region_left)}, {needed_text})"
                    )
                else:
                    code = Reason.ENVELOPE
                    detail = f"enveloppe épuisée (reste {format_euros(remaining)}, {needed_text})"
                    reason = f"Non retenu : {detail}"
                    if waiting < p.waiting_list_size:
                        waiting += 1
                        waiting_position = waiting
                        outcome = Outcome.WAITING_LIST
                        reason = f"Liste d’attente : position {waiting}, {detail}"
        decisions.append(
            AllocationDecision(
                reference=candidate.reference,
                region=region,
                rank=rank,
                national_rank=national_rank,
                score=score,
                bonus=bonus,
                adjusted_score=adjusted,
                requested_amount=requested,
                granted_amount=granted,
                outcome=outcome,
                reason_code=code,
                reason=reason + _notes_text(notes),
                waiting_position=waiting_position,
            )
        )

    warnings = []
    if p.min_award > p.envelope:
        warnings.append(
            f"L’enveloppe ({format_euros(p.envelope)}) est inférieure au montant minimal par "
            f"lauréat ({minimum_text}) : aucun dossier ne peut être financé."
        )
    if p.region_cap_amount is not None and 0 < p.region_cap_amount < p.min_award:
        warnings.append(
            f"Le plafond régional ({format_euros(p.region_cap_amount)}) est inférieur au montant "
            f"minimal par lauréat ({minimum_text}) : aucun dossier ne peut être financé."
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
