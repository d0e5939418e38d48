"""Readable differences between two submitted versions of a file (SPEC §5.3).

Works on the frozen JSON snapshots (``applications.models.Submission.data``): each field is
named with its French label, each list item (member, commune, budget line, attachment) by
what identifies it. Pure functions: no database access.
"""

from dataclasses import dataclass

from applications.choices import (
    BudgetKind,
    ExpenseCategory,
    Funder,
    LegalForm,
    Maturity,
    MemberCategory,
    MemberKind,
    Theme,
)
from calls.choices import AttachmentKind
from core import formatting

SECTIONS = {
    "lead": "Structure porteuse",
    "members": "Membres du pôle",
    "territory": "Territoire",
    "project": "Projet",
    "budget": "Budget",
    "attachments": "Pièces justificatives",
}

LEAD_LABELS = {
    "siret": "SIRET",
    "name": "Raison sociale",
    "legal_form": "Forme juridique",
    "is_ess": "Structure de l’ESS",
    "address": "Adresse",
    "postal_code": "Code postal",
    "city": "Commune",
    "commune": "Code INSEE de la commune du siège",
    "representative.name": "Représentant légal",
    "representative.title": "Qualité du représentant",
    "contact.name": "Personne à contacter",
    "contact.email": "Adresse électronique du contact",
    "contact.phone": "Téléphone du contact",
}

PROJECT_LABELS = {
    "pole_name": "Nom du pôle",
    "diagnosis": "Diagnostic territorial",
    "strategy": "Stratégie commune de mutualisation et de coopération",
    "projects": "Projets économiques et sociaux",
    "innovation": "Innovation sociale ou technologique",
    "sustainable_development": "Développement local durable",
    "governance": "Gouvernance",
    "jobs_existing_fte": "Emplois existants (ETP)",
    "jobs_planned_fte": "Emplois prévus (ETP)",
    "themes": "Thématiques",
    "maturity": "Maturité",
    "previous_state_support": "Déjà soutenu par l’État",
    "previous_state_support_details": "Précisions sur ce soutien",
}

MEMBER_LABELS = {
    "kind": "nature",
    "siret": "SIRET",
    "name": "nom",
    "category": "catégorie (article 9)",
    "role": "rôle dans le pôle",
    "commitment_letter": "lettre d’engagement",
}

CHOICES = {
    "legal_form": dict(LegalForm.choices),
    "maturity": dict(Maturity.choices),
    "category": dict(MemberCategory.choices),
    "kind": dict(MemberKind.choices),
    "themes": dict(Theme.choices),
}
BUDGET_LABELS = {
    **dict(ExpenseCategory.choices),
    **dict(Funder.choices),
}


@dataclass(frozen=True)
class Change:
    section: str  # French section title
    field: str  # French field label
    before: str
    after: str


# Numeric snapshot fields (stored as JSON numbers or Decimal strings): written the French way.
NUMBER_KEYS = frozenset({"jobs_existing_fte", "jobs_planned_fte"})
INTEGER_KEYS = frozenset({"population"})


def display(value, key: str = "") -> str:
    """A snapshot value as a person reads it (numbers in French: « 15 103 », « 6,5 »)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if key in NUMBER_KEYS or key in INTEGER_KEYS:
        try:
            if key in INTEGER_KEYS:
                return formatting.format_integer(value)
            return formatting.format_number(value)
        except ValueError:
            return str(value)
    if key in CHOICES:
        labels = CHOICES[key]
        if isinstance(value, list):
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(value, value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in (data or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _fields(section, labels, old, new) -> list[Change]:
    old_flat, new_flat = _flatten(old), _flatten(new)
    changes = []
    for key, label in labels.items():
        before, after = old_flat.get(key), new_flat.get(key)
        if before != after:
            short = key.rsplit(".", 1)[-1]
            changes.append(Change(section, label, display(before, short), display(after, short)))
    return changes


def _member_key(member) -> str:
    return member.get("siret") or f"personne:{(member.get('name') or '').strip().lower()}"


def _members(old, new) -> list[Change]:
    section = SECTIONS["members"]
    before = {_member_key(m): m for m in old or []}
    after = {_member_key(m): m for m in new or []}
    changes = []
    for key, member in after.items():
        if key not in before:
            changes.append(Change(section, f"Membre « {member.get('name')} »", "—", "ajouté"))
            continue
        for field, label in MEMBER_LABELS.items():
            a, b = before[key].get(field), member.get(field)
            if a != b:
                if field == "commitment_letter":
                    a, b = ("jointe" if a else "—"), ("jointe" if b else "—")
                    changes.append(
                        Change(section, f"Membre « {member.get('name')} » : {label}", a, b)
                    )
                else:
                    changes.append(
                        Change(
                            section,
                            f"Membre « {member.get('name')} » : {label}",
                            display(a, field),
                            display(b, field),
                        )
                    )
    for key, member in before.items():
        if key not in after:
            changes.append(Change(section, f"Membre « {member.get('name')} »", "présent", "retiré"))
    return changes


def _territory(old, new) -> list[Change]:
    section = SECTIONS["territory"]
    changes = []
    for key, label in (("communes", "Communes"), ("epcis", "EPCI")):
        a = {item["code"]: item["name"] for item in (old or {}).get(key, [])}
        b = {item["code"]: item["name"] for item in (new or {}).get(key, [])}
        added = [f"{b[c]} ({c})" for c in sorted(set(b) - set(a))]
        removed = [f"{a[c]} ({c})" for c in sorted(set(a) - set(b))]
        if added:
            changes.append(
                Change(
                    section,
                    f"{label} ajoutées" if key == "communes" else f"{label} ajoutés",
                    "—",
                    ", ".join(added),
                )
            )
        if removed:
            changes.append(
                Change(
                    section,
                    f"{label} retirées" if key == "communes" else f"{label} retirés",
                    ", ".join(removed),
                    "—",
                )
            )
    before_pop, after_pop = (old or {}).get("population"), (new or {}).get("population")
    if before_pop != after_pop:
        changes.append(
            Change(
                section,
                "Population couverte",
                display(before_pop, "population"),
                display(after_pop, "population"),
            )
        )
    return changes


def _budget(old, new) -> list[Change]:
    section = SECTIONS["budget"]

    def cells(data):
        return {
            (line["kind"], line["category"], line["year"]): line["amount"]
            for line in (data or {}).get("lines", [])
        }

    a, b = cells(old), cells(new)
    changes = []
    kinds = dict(BudgetKind.choices)
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            kind, category, year = key
            label = (
                f"{kinds.get(kind, kind)} « {BUDGET_LABELS.get(category, category)} », année {year}"
            )
            changes.append(Change(section, label, _euros(a.get(key)), _euros(b.get(key))))
    for key, label in (
        ("expenses", "Total des dépenses"),
        ("resources", "Total des ressources"),
        ("requested", "Subvention demandée"),
    ):
        if (old or {}).get(key) != (new or {}).get(key):
            changes.append(
                Change(section, label, _euros((old or {}).get(key)), _euros((new or {}).get(key)))
            )
    return changes


def _euros(value) -> str:
    if value in (None, ""):
        return "—"
    from decimal import Decimal

    from applications.amounts import format_amount

    return format_amount(Decimal(str(value)))


def _attachments(old, new) -> list[Change]:
    section = SECTIONS["attachments"]
    kinds = dict(AttachmentKind.choices)
    a = {item["sha256"]: item for item in old or []}
    b = {item["sha256"]: item for item in new or []}
    changes = []
    for sha, item in b.items():
        if sha not in a:
            label = f"Pièce « {kinds.get(item['kind'], item['kind'])} »"
            changes.append(Change(section, label, "—", f"{item['name']} (ajoutée)"))
    for sha, item in a.items():
        if sha not in b:
            label = f"Pièce « {kinds.get(item['kind'], item['kind'])} »"
            changes.append(Change(section, label, item["name"], "retirée"))
    return changes


def diff_snapshots(old: dict, new: dict) -> list[Change]:
    """Every difference between two snapshots, section by section, in the file's order."""
    return [
        *_fields(SECTIONS["lead"], LEAD_LABELS, old.get("lead"), new.get("lead")),
        *_members(old.get("members"), new.get("members")),
        *_territory(old.get("territory"), new.get("territory")),
        *_fields(SECTIONS["project"], PROJECT_LABELS, old.get("project"), new.get("project")),
        *_budget(old.get("budget"), new.get("budget")),
        *_attachments(old.get("attachments"), new.get("attachments")),
    ]


def _named(codes, names: dict[str, str]) -> str:
    """ "Auvergne-Rhône-Alpes (84)" when the name is known, the bare code otherwise."""
    return ", ".join(f"{names[code]} ({code})" if code in names else code for code in codes) or "—"


def snapshot_sections(
    data: dict, names: dict[str, dict[str, str]] | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """A submitted snapshot as (section title, [(label, value)]) for the staff file page and
    its PDF. ``names`` maps codes to names: ``{"regions": {"84": "Auvergne-Rhône-Alpes"},
    "departments": {...}}`` (looked up by the caller: this module reads no database)."""
    names = names or {}
    lead = _flatten(data.get("lead") or {})
    project = _flatten(data.get("project") or {})
    territory = data.get("territory") or {}
    budget = data.get("budget") or {}
    kinds = dict(AttachmentKind.choices)
    sections = [
        (
            SECTIONS["lead"],
            [
                (label, display(lead.get(key), key.rsplit(".", 1)[-1]))
                for key, label in LEAD_LABELS.items()
            ],
        ),
        (
            SECTIONS["members"],
            [
                (
                    member.get("name") or "—",
                    f"{display(member.get('category'), 'category')} — "
                    f"{display(member.get('kind'), 'kind')}"
                    + (f" — SIRET {member['siret']}" if member.get("siret") else "")
                    + (f" — {member['role']}" if member.get("role") else ""),
                )
                for member in data.get("members") or []
            ],
        ),
        (
            SECTIONS["territory"],
            [
                (
                    "Communes",
                    ", ".join(f"{c['name']} ({c['code']})" for c in territory.get("communes", []))
                    or "—",
                ),
                (
                    "EPCI",
                    ", ".join(f"{e['name']} ({e['code']})" for e in territory.get("epcis", []))
                    or "—",
                ),
                (
                    "Départements",
                    _named(territory.get("departments", []), names.get("departments", {})),
                ),
                ("Régions", _named(territory.get("regions", []), names.get("regions", {}))),
                ("Population couverte", display(territory.get("population"), "population")),
            ],
        ),
        (
            SECTIONS["project"],
            [(label, display(project.get(key), key)) for key, label in PROJECT_LABELS.items()],
        ),
        (
            SECTIONS["budget"],
            [
                ("Total des dépenses", _euros(budget.get("expenses"))),
                ("Total des ressources", _euros(budget.get("resources"))),
                ("Subvention demandée", _euros(budget.get("requested"))),
            ],
        ),
        (
            SECTIONS["attachments"],
            [
                (kinds.get(item["kind"], item["kind"]), item["name"])
                for item in data.get("attachments") or []
            ],
        ),
    ]
    return sections
