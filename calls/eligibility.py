"""Eligibility engine (SPEC §4.3; decree n° 2015-431 of 15 April 2015, article 3, and call rules).

Pure Python: it reads a plain description of an application file (a dict, e.g. decoded JSON) and
the rules of a call (another dict) and returns every rule with its verdict and a plain-French
explanation of what is unmet and how to fix it. No database access: the same function runs in the
application form, in ``manage.py check_eligibility`` and behind ``POST /api/v1/eligibility``.
The input format is documented in ``docs/eligibility.md``.

    from calls.eligibility import evaluate, MalformedFile
    result = evaluate(file, rules)          # rules=None: only the rules of the decree
    result.eligible                          # bool
    [v.code for v in result.verdicts]        # RuleVerdict(code, label, passed, message)
    result.to_dict()                         # JSON-ready

``call_rules(call)`` (the only ORM-aware helper) builds the rules dict from a ``Call``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from applications.choices import OTHER_ARTICLE_9_ACTORS, MemberCategory, MemberKind
from calls.choices import AttachmentKind, Phase
from core.formatting import format_euros

__all__ = [
    "RULES",
    "EligibilityResult",
    "MalformedFile",
    "RuleVerdict",
    "call_rules",
    "evaluate",
]


class MalformedFile(ValueError):
    """The description of the file (or of the rules) does not have the documented shape.

    ``field`` is the path of the faulty field (e.g. ``members[2].category``); the message is
    French and meant to be shown as is."""

    def __init__(self, field_path: str, message: str):
        self.field = field_path
        self.message = f"Champ « {field_path} » : {message}" if field_path else message
        super().__init__(self.message)


@dataclass(frozen=True)
class RuleVerdict:
    """One rule: ``passed`` is True (met), False (unmet) or None (not applicable)."""

    code: str
    label: str
    passed: bool | None
    message: str

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "passed": self.passed,
            "message": self.message,
        }


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    verdicts: list[RuleVerdict] = field(default_factory=list)

    @property
    def unmet(self) -> list[RuleVerdict]:
        return [verdict for verdict in self.verdicts if verdict.passed is False]

    def verdict(self, code: str) -> RuleVerdict:
        for verdict in self.verdicts:
            if verdict.code == code:
                return verdict
        raise KeyError(code)

    def to_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "unmet": [verdict.code for verdict in self.unmet],
            "verdicts": [verdict.to_dict() for verdict in self.verdicts],
        }


# Every rule, in the order verdicts are returned: code -> label shown to people.
RULES: dict[str, str] = {
    "lead_private_legal_person": "Structure porteuse : personne morale de droit privé",
    "three_legal_persons": "Au moins trois personnes morales dans le groupement",
    "ess_enterprise": "Au moins une entreprise de l’économie sociale et solidaire",
    "non_ess_enterprise": "Au moins une entreprise hors ESS",
    "other_article_9_actor": "Au moins un autre acteur de l’article 9",
    "territory": "Un territoire défini",
    "innovation": "Un projet innovant décrit",
    "previous_state_support": "Pas de soutien antérieur de l’État",
    "call_phases": "Phases proposées par l’appel",
    "emergence_prerequisite": "Phase 2 : label « PTCE émergent » obtenu ou demandé",
    "amount_bounds": "Montant demandé dans les limites de l’appel",
    "balanced_budget": "Budget prévisionnel équilibré",
    "required_attachments": "Pièces obligatoires jointes",
}

PHASE_LABELS = {Phase.EMERGENCE.value: "phase 1 (label)", Phase.FUNDING.value: "phase 2"}
CATEGORY_VALUES = frozenset(MemberCategory.values)
KIND_VALUES = frozenset(MemberKind.values)
_OTHER_ACTORS = frozenset(str(category) for category in OTHER_ARTICLE_9_ACTORS)
# INSEE legal categories (catégorie juridique): 1xxx natural persons (sole traders),
# 4xxx and 7xxx public-law legal persons.
_NATURAL_PERSON_CATEGORY = "1"
_PUBLIC_LAW_CATEGORIES = ("4", "7")
_AMOUNT_SPACES = re.compile(r"[\s\u00a0\u202f]+")


# --------------------------------------------------------------------------------------------
# Reading the input
# --------------------------------------------------------------------------------------------


def _dict(value: Any, path: str, *, required: bool = True) -> dict:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        if not path:
            raise MalformedFile("", "La description du dossier doit être un objet JSON ({…}).")
        raise MalformedFile(path, "un objet JSON ({…}) est attendu.")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedFile(path, "une liste JSON ([…]) est attendue.")
    return value


def _bool(value: Any, path: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise MalformedFile(path, "true ou false est attendu.")
    return value


def _text(value: Any, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedFile(path, "un texte est attendu.")
    return value


def _strings(value: Any, path: str) -> list[str]:
    items = _list(value, path)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise MalformedFile(f"{path}[{index}]", "un texte est attendu.")
    return [item.strip() for item in items if item.strip()]


def parse_amount(value: Any, path: str) -> Decimal | None:
    """An amount in euros: a number, or a string as people type it ("1 234,50")."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedFile(path, "un montant en euros est attendu, pas true/false.")
    if isinstance(value, float) and not math.isfinite(value):
        raise MalformedFile(path, "un montant fini est attendu.")
    if isinstance(value, int | float):
        amount = Decimal(str(value))
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        cleaned = _AMOUNT_SPACES.sub("", value).replace("€", "").replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
            raise MalformedFile(
                path,
                f"« {value[:40]} » n’est pas un montant (exemple : « 80000 » ou « 1 234,50 »).",
            )
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as error:  # pragma: no cover - guarded by the pattern
            raise MalformedFile(path, "montant illisible.") from error
    else:
        raise MalformedFile(path, "un montant en euros (nombre ou texte) est attendu.")
    if not amount.is_finite():
        raise MalformedFile(path, "un montant fini est attendu.")
    if amount < 0:
        raise MalformedFile(path, "un montant ne peut pas être négatif.")
    if amount >= Decimal("1e12"):
        raise MalformedFile(path, "montant invraisemblable (mille milliards d’euros ou plus).")
    return amount


def _phases(value: Any, path: str, *, allow_empty: bool) -> list[str]:
    phases = _list(value, path)
    allowed = ", ".join(Phase.values)
    result = []
    for index, phase in enumerate(phases):
        if not isinstance(phase, str) or phase not in Phase.values:
            raise MalformedFile(
                f"{path}[{index}]", f"phase inconnue {phase!r} (valeurs possibles : {allowed})."
            )
        if phase not in result:
            result.append(phase)
    if not result and not allow_empty:
        raise MalformedFile(path, f"au moins une phase est attendue ({allowed}).")
    return result


def _category(value: Any, path: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in CATEGORY_VALUES:
        raise MalformedFile(
            path,
            f"catégorie inconnue {value!r} (valeurs possibles : "
            f"{', '.join(MemberCategory.values)}).",
        )
    return value


def _siren(siret: str) -> str:
    digits = _AMOUNT_SPACES.sub("", siret)
    return digits[:9] if len(digits) >= 9 and digits[:9].isdigit() else ""


@dataclass(frozen=True)
class _Party:
    """The lead or a member, normalised."""

    name: str
    kind: str
    siret: str
    category: str | None
    group_mostly_non_ess: bool
    is_lead: bool = False

    @property
    def is_legal_person(self) -> bool:
        return self.kind == MemberKind.ORGANISATION

    @property
    def identity(self) -> str:
        """Two establishments of one company are one legal person: same SIREN."""
        siren = _siren(self.siret)
        return f"siren:{siren}" if siren else f"name:{' '.join(self.name.casefold().split())}"

    @property
    def counts_as_ess(self) -> bool:
        return (
            self.is_legal_person
            and self.category == MemberCategory.ESS_ENTERPRISE
            and not self.group_mostly_non_ess
        )

    @property
    def counts_as_non_ess(self) -> bool:
        return self.is_legal_person and (
            self.category == MemberCategory.OTHER_ENTERPRISE or self.group_mostly_non_ess
        )

    @property
    def counts_as_other_actor(self) -> bool:
        """Article 9 of law n° 2014-856 ends its list of partners with « ou toute autre personne
        physique ou morale »: any natural person member fills this condition, whatever category
        was ticked; a legal person fills it through one of the non-enterprise categories."""
        if not self.is_legal_person:
            return not self.is_lead
        return self.category in _OTHER_ACTORS


def _lead(value: Any) -> tuple[_Party, bool, str]:
    lead = _dict(value, "lead")
    kind = lead.get("kind") or MemberKind.ORGANISATION.value
    if not isinstance(kind, str) or kind not in KIND_VALUES:
        raise MalformedFile("lead.kind", f"valeurs possibles : {', '.join(MemberKind.values)}.")
    party = _Party(
        name=_text(lead.get("name"), "lead.name").strip(),
        kind=kind,
        siret=_text(lead.get("siret"), "lead.siret").strip(),
        category=_category(lead.get("category"), "lead.category"),
        group_mostly_non_ess=_bool(lead.get("group_mostly_non_ess"), "lead.group_mostly_non_ess"),
        is_lead=True,
    )
    _text(lead.get("legal_form"), "lead.legal_form")
    legal_category = _text(lead.get("legal_category"), "lead.legal_category").strip()
    return party, _bool(lead.get("is_public_body"), "lead.is_public_body"), legal_category


def _members(value: Any) -> list[_Party]:
    members = []
    for index, raw in enumerate(_list(value, "members")):
        path = f"members[{index}]"
        member = _dict(raw, path)
        kind = member.get("kind") or MemberKind.ORGANISATION.value
        if not isinstance(kind, str) or kind not in KIND_VALUES:
            raise MalformedFile(
                f"{path}.kind", f"valeurs possibles : {', '.join(MemberKind.values)}."
            )
        members.append(
            _Party(
                name=_text(member.get("name"), f"{path}.name").strip(),
                kind=kind,
                siret=_text(member.get("siret"), f"{path}.siret").strip(),
                category=_category(member.get("category"), f"{path}.category"),
                group_mostly_non_ess=_bool(
                    member.get("group_mostly_non_ess"), f"{path}.group_mostly_non_ess"
                ),
            )
        )
    return members


@dataclass(frozen=True)
class _Rules:
    phases: list[str] | None
    min_award: Decimal | None
    max_award: Decimal | None
    allows_previous_support: bool
    required_attachments: list[dict]


def _rules(value: Any) -> _Rules:
    if value is None:
        return _Rules(None, None, None, False, [])
    rules = _dict(value, "rules")
    phases = (
        _phases(rules["phases"], "rules.phases", allow_empty=False)
        if rules.get("phases") is not None
        else None
    )
    min_award = parse_amount(rules.get("min_award"), "rules.min_award")
    max_award = parse_amount(rules.get("max_award"), "rules.max_award")
    if min_award is not None and max_award is not None and min_award > max_award:
        raise MalformedFile("rules.max_award", "le maximum est inférieur au minimum.")
    required = []
    for index, raw in enumerate(
        _list(rules.get("required_attachments"), "rules.required_attachments")
    ):
        path = f"rules.required_attachments[{index}]"
        item = _dict(raw, path)
        kind = _text(item.get("kind"), f"{path}.kind").strip()
        if not kind:
            raise MalformedFile(f"{path}.kind", "le type de pièce est obligatoire.")
        phase = _text(item.get("phase"), f"{path}.phase").strip()
        if phase and phase not in Phase.values:
            raise MalformedFile(f"{path}.phase", f"phase inconnue {phase!r}.")
        label = _text(item.get("label"), f"{path}.label").strip()
        required.append({"kind": kind, "phase": phase, "label": label})
    return _Rules(
        phases=phases,
        min_award=min_award,
        max_award=max_award,
        allows_previous_support=_bool(
            rules.get("allows_previous_support"), "rules.allows_previous_support"
        ),
        required_attachments=required,
    )


# --------------------------------------------------------------------------------------------
# Wording helpers
# --------------------------------------------------------------------------------------------


def euros(amount: Decimal) -> str:
    """French formatting: 80 000 €, 1 234,50 € (``core.formatting``)."""
    return format_euros(amount)


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


def _names(parties: list[_Party]) -> str:
    names = [party.name or "(sans nom)" for party in parties]
    return ", ".join(f"« {name} »" for name in names)


def _verdict(code: str, passed: bool | None, message: str) -> RuleVerdict:
    return RuleVerdict(code=code, label=RULES[code], passed=passed, message=message)


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------


def _rule_lead(lead: _Party, is_public_body: bool, legal_category: str) -> RuleVerdict:
    code = "lead_private_legal_person"
    if lead.kind == MemberKind.NATURAL_PERSON or legal_category.startswith(
        _NATURAL_PERSON_CATEGORY
    ):
        return _verdict(
            code,
            False,
            "La structure porteuse est une personne physique (ou une entreprise individuelle). "
            "Le dossier doit être porté par une personne morale de droit privé (association, "
            "coopérative, société, fondation…) : choisissez l’un des membres personnes morales "
            "du pôle comme structure porteuse.",
        )
    if is_public_body or legal_category.startswith(_PUBLIC_LAW_CATEGORIES):
        return _verdict(
            code,
            False,
            "La structure porteuse est une personne morale de droit public (collectivité, "
            "établissement public…). Elle peut être membre du pôle, mais le dossier doit être "
            "porté par une personne morale de droit privé : désignez un autre membre comme "
            "structure porteuse.",
        )
    return _verdict(code, True, "La structure porteuse est une personne morale de droit privé.")


def _legal_persons(parties: list[_Party]) -> list[_Party]:
    seen: set[str] = set()
    unique = []
    for party in parties:
        if not party.is_legal_person or party.identity in seen:
            continue
        seen.add(party.identity)
        unique.append(party)
    return unique


def _rule_three_legal_persons(parties: list[_Party]) -> RuleVerdict:
    code = "three_legal_persons"
    legal = _legal_persons(parties)
    natural = [party for party in parties if not party.is_legal_person]
    count = len(legal)
    duplicates = sum(1 for party in parties if party.is_legal_person) - count
    notes = []
    if natural:
        notes.append(
            _plural(
                len(natural),
                "personne physique participe au pôle mais ne compte pas",
                "personnes physiques participent au pôle mais ne comptent pas",
            )
            + " parmi les personnes morales."
        )
    if duplicates:
        notes.append(
            _plural(duplicates, "membre déclaré en double", "membres déclarés en double")
            + " (même SIREN ou même nom) : chaque personne morale ne compte qu’une fois."
        )
    suffix = (" " + " ".join(notes)) if notes else ""
    if count >= 3:
        return _verdict(
            code,
            True,
            f"Le groupement compte {count} personnes morales, structure porteuse comprise."
            + suffix,
        )
    missing = 3 - count
    return _verdict(
        code,
        False,
        f"Le groupement compte {_plural(count, 'personne morale', 'personnes morales')}, "
        "structure porteuse comprise ; il en faut au moins trois. Ajoutez "
        f"{_plural(missing, 'membre personne morale', 'membres personnes morales')} "
        "(organisation, avec son numéro SIRET)." + suffix,
    )


def _rule_ess(parties: list[_Party]) -> RuleVerdict:
    code = "ess_enterprise"
    ess = [party for party in parties if party.counts_as_ess]
    if ess:
        return _verdict(code, True, f"Entreprise(s) de l’ESS dans le groupement : {_names(ess)}.")
    natural = [
        party
        for party in parties
        if not party.is_legal_person and party.category == MemberCategory.ESS_ENTERPRISE
    ]
    hint = (
        f" Une personne physique ne peut pas tenir ce rôle : {_names(natural)} ne compte(nt) pas."
        if natural
        else ""
    )
    return _verdict(
        code,
        False,
        "Aucune entreprise de l’économie sociale et solidaire (association, coopérative, "
        "mutuelle, fondation ou société commerciale de l’ESS) dans le groupement. Indiquez la "
        "catégorie « Entreprise de l’économie sociale et solidaire » pour la structure "
        "porteuse ou un membre qui l’est, ou ajoutez-en une." + hint,
    )


def _rule_non_ess(parties: list[_Party]) -> RuleVerdict:
    code = "non_ess_enterprise"
    non_ess = [party for party in parties if party.counts_as_non_ess]
    if non_ess:
        groups = [party for party in non_ess if party.group_mostly_non_ess]
        detail = (
            f" (dont {_names(groups)} au titre d’un groupe majoritairement hors ESS)"
            if groups
            else ""
        )
        return _verdict(
            code, True, f"Entreprise(s) hors ESS dans le groupement : {_names(non_ess)}{detail}."
        )
    return _verdict(
        code,
        False,
        "Aucune entreprise hors ESS dans le groupement. Un PTCE associe des entreprises de "
        "l’ESS à d’autres entreprises : ajoutez un membre de catégorie « Autre entreprise » "
        "(personne morale), ou signalez un membre appartenant à un groupe majoritairement "
        "hors ESS.",
    )


def _rule_other_actor(parties: list[_Party]) -> RuleVerdict:
    code = "other_article_9_actor"
    actors = [party for party in parties if party.counts_as_other_actor]
    if actors:
        legal = [party for party in actors if party.is_legal_person]
        natural = [party for party in actors if not party.is_legal_person]
        parts = []
        if legal:
            parts.append(_names(legal))
        if natural:
            parts.append(
                f"{_names(natural)} ("
                + ("personne physique" if len(natural) == 1 else "personnes physiques")
                + ", au titre de « toute autre personne physique ou morale » de l’article 9 ; "
                "une personne physique ne compte pas parmi les trois personnes morales)"
            )
        return _verdict(code, True, f"Autre(s) acteur(s) de l’article 9 : {', '.join(parts)}.")
    return _verdict(
        code,
        False,
        "Le groupement doit associer au moins un autre acteur de l’article 9 de la loi ESS : "
        "collectivité territoriale ou groupement, centre de recherche, établissement "
        "d’enseignement supérieur et de recherche, organisme de formation, ou toute autre "
        "personne physique ou morale. Ajoutez un tel membre avec sa catégorie (une personne "
        "physique membre du pôle remplit aussi cette condition).",
    )


def _rule_territory(communes: list[str], epcis: list[str]) -> RuleVerdict:
    code = "territory"
    if communes or epcis:
        parts = []
        if communes:
            parts.append(_plural(len(communes), "commune", "communes"))
        if epcis:
            parts.append(f"{len(epcis)} EPCI")
        return _verdict(code, True, f"Territoire défini : {' et '.join(parts)}.")
    return _verdict(
        code,
        False,
        "Aucun territoire n’est défini. Choisissez au moins une commune ou un EPCI "
        "(intercommunalité) couvert par le pôle.",
    )


def _rule_innovation(innovation: str) -> RuleVerdict:
    code = "innovation"
    if innovation.strip():
        return _verdict(code, True, "Le caractère innovant du projet est décrit.")
    return _verdict(
        code,
        False,
        "La partie « Innovation sociale ou technologique » du projet est vide. Décrivez en "
        "quoi les projets du pôle sont socialement ou technologiquement innovants.",
    )


def _rule_previous_support(previous: bool, found: list[str], rules: _Rules) -> RuleVerdict:
    code = "previous_state_support"
    # ``found``: supports found by the caller (earlier awards matched by SIRET, SIREN or name)
    seen = f" ({' ; '.join(found)})" if found else ""
    if not previous and not found:
        return _verdict(code, True, "Aucun soutien antérieur de l’État n’est déclaré.")
    if rules.allows_previous_support:
        return _verdict(
            code,
            True,
            f"Un soutien antérieur de l’État est déclaré ou retrouvé{seen} ; cet appel est "
            "ouvert aux pôles déjà soutenus.",
        )
    if found and not previous:
        return _verdict(
            code,
            False,
            f"D’après les décisions enregistrées, ce pôle ou sa structure porteuse a déjà été "
            f"soutenu par l’État au titre d’un appel précédent{seen}, et cet appel n’est pas "
            "ouvert aux pôles déjà soutenus. S’il s’agit d’une autre structure, signalez-le à "
            "l’équipe qui gère l’appel.",
        )
    return _verdict(
        code,
        False,
        f"Le pôle a déjà été soutenu par l’État au titre d’un appel précédent{seen}, et cet "
        "appel n’est pas ouvert aux pôles déjà soutenus. Si la déclaration est erronée, "
        "corrigez-la ; sinon, ce dossier ne peut pas être déposé sur cet appel.",
    )


def _rule_call_phases(phases: list[str], rules: _Rules) -> RuleVerdict:
    code = "call_phases"
    if rules.phases is None:
        return _verdict(code, None, "Aucun appel précisé : règle non vérifiée.")
    missing = [phase for phase in phases if phase not in rules.phases]
    if missing:
        offered = ", ".join(PHASE_LABELS[phase] for phase in rules.phases)
        asked = ", ".join(PHASE_LABELS[phase] for phase in missing)
        return _verdict(
            code,
            False,
            f"Cet appel ne propose pas : {asked}. Phases ouvertes : {offered}. "
            "Retirez la phase non proposée ou choisissez un autre appel.",
        )
    return _verdict(code, True, "Les phases demandées sont proposées par l’appel.")


def _rule_emergence_prerequisite(phases: list[str], has_label: bool) -> RuleVerdict:
    code = "emergence_prerequisite"
    if Phase.FUNDING not in phases:
        return _verdict(code, None, "Pas de demande de financement (phase 2) : sans objet.")
    if Phase.EMERGENCE in phases:
        return _verdict(
            code, True, "La phase 1 (label « PTCE émergent ») est demandée en même temps."
        )
    if has_label:
        return _verdict(code, True, "Le pôle a déjà obtenu le label « PTCE émergent ».")
    return _verdict(
        code,
        False,
        "Une demande de financement (phase 2) suppose le label « PTCE émergent » (phase 1). "
        "Le pôle ne l’a pas : demandez la phase 1 en même temps dans ce dossier.",
    )


def _rule_amount(phases: list[str], requested: Decimal | None, rules: _Rules) -> RuleVerdict:
    code = "amount_bounds"
    if Phase.FUNDING not in phases:
        return _verdict(code, None, "Pas de demande de financement (phase 2) : sans objet.")
    if requested is None or requested == 0:
        return _verdict(
            code,
            False,
            "Le montant demandé à l’État n’est pas renseigné. Indiquez-le dans le budget.",
        )
    if rules.min_award is not None and requested < rules.min_award:
        return _verdict(
            code,
            False,
            f"Le montant demandé ({euros(requested)}) est inférieur au minimum de l’appel "
            f"({euros(rules.min_award)}). Augmentez la demande ou ajustez le budget.",
        )
    if rules.max_award is not None and requested > rules.max_award:
        return _verdict(
            code,
            False,
            f"Le montant demandé ({euros(requested)}) dépasse le maximum de l’appel "
            f"({euros(rules.max_award)}). Réduisez la demande et complétez les ressources "
            "par d’autres financeurs.",
        )
    bounds = []
    if rules.min_award is not None:
        bounds.append(f"minimum {euros(rules.min_award)}")
    if rules.max_award is not None:
        bounds.append(f"maximum {euros(rules.max_award)}")
    detail = f" ({', '.join(bounds)})" if bounds else ""
    return _verdict(
        code, True, f"Montant demandé : {euros(requested)}, dans les limites de l’appel{detail}."
    )


def _rule_budget(
    phases: list[str], expenses: Decimal | None, resources: Decimal | None
) -> RuleVerdict:
    code = "balanced_budget"
    if Phase.FUNDING not in phases:
        return _verdict(code, None, "Pas de demande de financement (phase 2) : sans objet.")
    if not expenses and not resources:
        return _verdict(
            code,
            False,
            "Le budget prévisionnel est vide. Saisissez les dépenses et les ressources du projet.",
        )
    expenses = expenses or Decimal(0)
    resources = resources or Decimal(0)
    if expenses == resources:
        return _verdict(code, True, f"Dépenses et ressources s’équilibrent ({euros(expenses)}).")
    gap = abs(expenses - resources)
    if expenses > resources:
        fix = (
            f"il manque {euros(gap)} de ressources : ajoutez un cofinancement ou réduisez "
            "les dépenses."
        )
    else:
        fix = f"les ressources dépassent les dépenses de {euros(gap)} : ajustez-les."
    return _verdict(
        code,
        False,
        f"Le budget n’est pas équilibré : dépenses {euros(expenses)}, ressources "
        f"{euros(resources)} ; {fix} Les deux totaux doivent être égaux à l’euro près.",
    )


def _attachment_label(item: dict) -> str:
    if item["label"]:
        return item["label"]
    try:
        return str(AttachmentKind(item["kind"]).label)
    except ValueError:
        return item["kind"]


def _rule_attachments(phases: list[str], attachments: list[str], rules: _Rules) -> RuleVerdict:
    code = "required_attachments"
    applicable = [
        item for item in rules.required_attachments if not item["phase"] or item["phase"] in phases
    ]
    if not applicable:
        return _verdict(code, None, "Aucune pièce obligatoire pour ce dossier.")
    present = set(attachments)
    missing = [item for item in applicable if item["kind"] not in present]
    if missing:
        names = ", ".join(f"« {_attachment_label(item)} »" for item in missing)
        return _verdict(
            code, False, f"Pièce(s) obligatoire(s) manquante(s) : {names}. Joignez-les au dossier."
        )
    return _verdict(
        code,
        True,
        "Pièces obligatoires jointes : "
        + ", ".join(f"« {_attachment_label(item)} »" for item in applicable)
        + ".",
    )


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def evaluate(file: dict, rules: dict | None = None) -> EligibilityResult:
    """Every eligibility rule applied to ``file`` under the call's ``rules``.

    ``file`` and ``rules`` follow docs/eligibility.md. Raises ``MalformedFile`` (French message
    naming the field) when the input does not have that shape. ``rules=None`` checks the rules
    of the decree only (call-specific rules are then "not applicable" or use no bounds)."""
    data = _dict(file, "")
    phases = _phases(data.get("phases"), "phases", allow_empty=False)
    has_label = _bool(data.get("has_emergence_label"), "has_emergence_label")
    lead, is_public_body, legal_category = _lead(data.get("lead"))
    members = _members(data.get("members"))
    territory = _dict(data.get("territory"), "territory", required=False)
    communes = _strings(territory.get("communes"), "territory.communes")
    epcis = _strings(territory.get("epcis"), "territory.epcis")
    project = _dict(data.get("project"), "project", required=False)
    innovation = _text(project.get("innovation"), "project.innovation")
    previous = _bool(data.get("previous_state_support"), "previous_state_support")
    found = _strings(data.get("previous_state_support_found"), "previous_state_support_found")
    budget = _dict(data.get("budget"), "budget", required=False)
    requested = parse_amount(budget.get("requested_amount"), "budget.requested_amount")
    expenses = parse_amount(budget.get("total_expenses"), "budget.total_expenses")
    resources = parse_amount(budget.get("total_resources"), "budget.total_resources")
    attachments = _strings(data.get("attachments"), "attachments")
    call = _rules(rules)

    parties = [lead, *members]
    verdicts = [
        _rule_lead(lead, is_public_body, legal_category),
        _rule_three_legal_persons(parties),
        _rule_ess(parties),
        _rule_non_ess(parties),
        _rule_other_actor(parties),
        _rule_territory(communes, epcis),
        _rule_innovation(innovation),
        _rule_previous_support(previous, found, call),
        _rule_call_phases(phases, call),
        _rule_emergence_prerequisite(phases, has_label),
        _rule_amount(phases, requested, call),
        _rule_budget(phases, expenses, resources),
        _rule_attachments(phases, attachments, call),
    ]
    return EligibilityResult(
        eligible=all(verdict.passed is not False for verdict in verdicts), verdicts=verdicts
    )


def call_rules(call) -> dict:
    """The rules dict of a ``calls.models.Call`` (reads its required attachments)."""
    return {
        "phases": [str(phase) for phase in call.phases],
        "min_award": None if call.min_award is None else str(call.min_award),
        "max_award": None if call.max_award is None else str(call.max_award),
        "allows_previous_support": call.allows_previous_support,
        "required_attachments": [
            {"kind": item.kind, "phase": item.phase, "label": item.label}
            for item in call.required_attachments.all()
        ],
    }
