"""What the register and earlier decisions say about a file, for reviewers and eligibility.

- ``previous_supports(application)``: State support already given to the same pole under
  another call: a granted phase-2 award (``laureates.Award``), a funding label of the directory
  (``laureates.PtceLabel``: phase 2, or a historical call for projects without phases such as
  « AAP 2013 »), or an accepted phase-2 file of another call. Matched by the lead's SIRET, by its
  SIREN (another establishment of the same legal unit) and by name (lead or pole). Feeds the
  eligibility rule « Pas de soutien antérieur de l’État » (``applications.description``). A
  phase-1 label (« PTCE émergent ») is not State funding and is the prerequisite of phase 2: it
  does not count.
- ``register_checks(application, snapshot)``: for the lead and each member with a SIRET, what
  was declared next to what the register says (ESS flag, legal category family, article 9
  category it suggests), with a warning for each difference, for a closed establishment and for
  a SIRET still « à vérifier ». Uses ``lookup_many``: local table and API cache, no network call
  while a page renders.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from registry.legal_categories import Family
from registry.services import (
    CompanyRecord,
    Status,
    closed_message,
    lookup_many,
    suggested_category,
)
from registry.validators import clean_number

# --- previous State support ------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousSupport:
    call_title: str
    year: int | None
    phase_label: str
    matched_by: str  # "SIRET", "SIREN" or "nom"
    source: str  # what was found, in French: « décision de soutien », « label de l’annuaire »…
    pole: str = ""
    amount: Decimal | None = None

    @property
    def summary(self) -> str:
        """« AMI 2023 phase 2 (2023) » — short, for the eligibility message."""
        title = f"{self.call_title} {self.phase_label}".strip()
        if self.year and str(self.year) not in title:
            title += f" ({self.year})"
        return title


def _lead_keys(application) -> tuple[str, str, str, str]:
    siret = (application.lead_siret or "").strip()
    return (
        siret,
        siret[:9] if len(siret) == 14 else "",
        application.lead_name.strip(),
        application.pole_name.strip(),
    )


def _matched_by(siret_found: str, siret: str, siren: str) -> str:
    if siret and siret_found == siret:
        return "SIRET"
    if siren and siret_found[:9] == siren:
        return "SIREN"
    return "nom"


def previous_supports(application) -> list[PreviousSupport]:
    """State support already received by this pole under another call (see module docstring).
    Three queries at most; an empty list when nothing identifies the lead."""
    from applications.choices import ApplicationStatus
    from applications.models import Application
    from calls.choices import Phase
    from laureates.models import Award, AwardStatus, PtceLabel

    siret, siren, lead_name, pole_name = _lead_keys(application)
    by_application = Q()
    by_ptce = Q()
    if siren:
        by_application |= Q(lead_siret__startswith=siren)
        by_ptce |= Q(lead_organisation_siret__startswith=siren)
    if lead_name:
        by_application |= Q(lead_name__iexact=lead_name)
        by_ptce |= Q(lead_organisation_name__iexact=lead_name)
    if pole_name:
        by_application |= Q(pole_name__iexact=pole_name)
        by_ptce |= Q(name__iexact=pole_name)
    if not by_application:
        return []
    phase_2 = "phase 2"
    found: dict[tuple, PreviousSupport] = {}

    def add(key, support):
        # the same decision is often an award, a label and an accepted file: keep the first
        found.setdefault(key, support)

    awards = (
        Award.objects.filter(status=AwardStatus.GRANTED, phase=Phase.FUNDING)
        .filter(_prefixed(by_application))
        .exclude(call_id=application.call_id)
        .exclude(application_id=application.pk)
        .select_related("call", "application", "ptce")
    )
    for award in awards:
        add(
            (award.call_id, Phase.FUNDING.value),
            PreviousSupport(
                call_title=award.call.title,
                year=award.call.year or award.decided_at.year,
                phase_label=phase_2,
                matched_by=_matched_by(award.application.lead_siret, siret, siren),
                source="décision de soutien",
                pole=award.ptce.name if award.ptce_id else award.application.display_name,
                amount=award.amount,
            ),
        )
    labels = (
        PtceLabel.objects.filter(Q(phase=Phase.FUNDING) | Q(phase=""))
        .filter(_prefixed(by_ptce, "ptce__"))
        .exclude(call_id=application.call_id, call__isnull=False)
        .select_related("ptce")
    )
    for label in labels:
        key = (label.call_id, label.phase or "") if label.call_id else (label.title, label.year)
        add(
            key,
            PreviousSupport(
                call_title=label.title,
                year=label.year,
                phase_label=phase_2 if label.phase else "",
                matched_by=_matched_by(label.ptce.lead_organisation_siret, siret, siren),
                source="label de l’annuaire des PTCE",
                pole=label.ptce.name,
            ),
        )
    earlier = (
        Application.objects.filter(by_application)
        .filter(phase=Phase.FUNDING, status=ApplicationStatus.ACCEPTED)
        .exclude(call_id=application.call_id)
        .exclude(pk=application.pk)
        .select_related("call")
    )
    for other in earlier:
        add(
            (other.call_id, Phase.FUNDING.value),
            PreviousSupport(
                call_title=other.call.title,
                year=other.call.year,
                phase_label=phase_2,
                matched_by=_matched_by(other.lead_siret, siret, siren),
                source=f"dossier retenu {other.reference}".strip(),
                pole=other.display_name,
            ),
        )
    return sorted(found.values(), key=lambda s: (s.year or 0, s.call_title))


def _prefixed(condition: Q, prefix: str = "application__") -> Q:
    """``condition`` with every lookup prefixed, to filter through a relation."""
    clone = Q()
    clone.connector, clone.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            clone.children.append(_prefixed(child, prefix))
        else:
            clone.children.append((prefix + child[0], child[1]))
    return clone


# --- declared values next to the register's ----------------------------------------------------

# Legal form declared for the lead → register families that agree with it.
LEGAL_FORM_FAMILIES = {
    "association": {Family.ASSOCIATION},
    "cooperative": {Family.COOPERATIVE},
    "mutual": {Family.MUTUAL},
    # Fonds de dotation (9970) are registered as other private-law bodies.
    "foundation": {Family.FOUNDATION, Family.OTHER_PRIVATE},
    "commercial_company": {Family.COMMERCIAL_COMPANY, Family.COOPERATIVE},
    "public_body": {Family.PUBLIC_BODY, Family.LOCAL_AUTHORITY},
}


@dataclass
class RegisterCheck:
    role: str  # « Structure porteuse », « Membre »
    name: str
    siret: str
    declared: list[str]  # « Catégorie (article 9) : Entreprise de l’ESS »…
    record: CompanyRecord
    register: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _label(choices, value) -> str:
    """The French label of a stored value; the value itself if it is no longer a choice (a
    version filed before the list changed)."""
    return dict(choices.choices).get(value, value or "")


def _yes_no(value) -> str:
    return {True: "oui", False: "non"}.get(value, "non renseigné")


def _register_is_ess(record: CompanyRecord) -> bool | None:
    if record.is_ess or record.ess_by_status:
        return True
    return None if record.is_ess is None else False


def _category_warning(declared: str, record: CompanyRecord) -> str:
    """A warning when the declared article 9 category contradicts the register (ESS or not,
    local authority or not). Other categories (research centre, training body…) cannot be read
    from the register: both values are shown, without a warning."""
    from applications.choices import MemberCategory

    if not declared or not record.found:
        return ""
    ess = _register_is_ess(record)
    local_authority = record.family == Family.LOCAL_AUTHORITY.value
    label = _label(MemberCategory, declared)
    if declared == MemberCategory.ESS_ENTERPRISE and ess is False:
        reason = "le répertoire ne la classe pas dans l’ESS"
    elif declared == MemberCategory.OTHER_ENTERPRISE and ess:
        reason = "le répertoire la classe dans l’ESS"
    elif declared == MemberCategory.LOCAL_AUTHORITY and not local_authority:
        reason = f"le répertoire indique « {record.family_label} »"
    elif declared != MemberCategory.LOCAL_AUTHORITY and local_authority:
        reason = "le répertoire indique une collectivité territoriale ou un groupement"
    else:
        return ""
    return f"Catégorie déclarée « {label} », mais {reason}."


def _status_warnings(record: CompanyRecord) -> list[str]:
    if record.status == Status.INVALID:
        return [f"SIRET invalide : {record.message}"]
    if record.status == Status.TO_VERIFY:
        return [
            "SIRET « à vérifier » : inconnu du répertoire pour l’instant (revérifié "
            "automatiquement toutes les 6 heures)."
        ]
    if record.is_closed:
        return [closed_message(record).split(" : ")[0] + "."]
    return []


def _register_lines(record: CompanyRecord) -> list[str]:
    if not record.found:
        return [record.status_label.capitalize()]
    lines = [
        record.name or "—",
        f"Catégorie juridique : {record.legal_category_label or 'non renseignée'}"
        + (f" ({record.legal_category_code})" if record.legal_category_code else ""),
        f"Famille : {record.family_label}",
        f"ESS : {_yes_no(_register_is_ess(record))}"
        + (" (par son statut)" if record.ess_by_status and not record.is_ess else ""),
        "État : actif" if record.is_active else "État : fermé ou cessé",
    ]
    from applications.choices import MemberCategory

    suggestion = suggested_category(record)
    if suggestion:
        lines.append(f"Catégorie (article 9) suggérée : {MemberCategory(suggestion).label}")
    return lines


def register_checks(application, snapshot: dict | None = None) -> list[RegisterCheck]:
    """Lead first, then members with a SIRET, in file order. ``snapshot`` (the submitted
    version's data) is preferred to the live file so that reviewers compare what was filed."""
    from applications.choices import LegalForm, MemberCategory

    snapshot = snapshot or {}
    lead = snapshot.get("lead") or {}
    lead_siret = lead.get("siret", application.lead_siret) or ""
    members = snapshot.get("members")
    if members is None:
        members = [
            {"siret": m.siret, "name": m.name, "category": m.category}
            for m in application.members.all()
        ]
    members = [m for m in members if m.get("siret")]
    found = lookup_many([s for s in [lead_siret, *(m["siret"] for m in members)] if s])

    def records(siret):
        return found[clean_number(siret)]

    checks = []
    if lead_siret:
        record = records(lead_siret)
        legal_form = lead.get("legal_form", application.lead_legal_form) or ""
        declared_ess = lead.get("is_ess", application.lead_is_ess)
        category = application.lead_category
        declared = [
            f"Forme juridique : {_label(LegalForm, legal_form) or 'non renseignée'}",
            f"ESS : {_yes_no(declared_ess)}",
        ]
        if application.lead_legal_category:
            declared.append(f"Catégorie juridique : {application.lead_legal_category}")
        if category:
            declared.append(f"Catégorie (article 9) : {_label(MemberCategory, category)}")
        check = RegisterCheck(
            "Structure porteuse",
            lead.get("name", application.lead_name),
            lead_siret,
            declared,
            record,
            _register_lines(record),
            _status_warnings(record),
        )
        if record.found:
            families = LEGAL_FORM_FAMILIES.get(legal_form)
            ess = _register_is_ess(record)
            if (
                families
                and Family(record.family) not in families
                and not (legal_form == "cooperative" and record.is_ess)
            ):
                check.warnings.append(
                    f"Forme juridique déclarée « {_label(LegalForm, legal_form)} », mais le "
                    f"répertoire indique « {record.legal_category_label} »."
                )
            if declared_ess is not None and ess is not None and declared_ess != ess:
                check.warnings.append(
                    "Déclarée dans l’ESS, mais le répertoire ne l’y classe pas."
                    if declared_ess
                    else "Déclarée hors ESS, mais le répertoire la classe dans l’ESS."
                )
            code = application.lead_legal_category
            if code and record.legal_category_code and code != record.legal_category_code:
                check.warnings.append(
                    f"Catégorie juridique déclarée {code}, celle du répertoire est "
                    f"{record.legal_category_code}."
                )
            if warning := _category_warning(category, record):
                check.warnings.append(warning)
        checks.append(check)
    for member in members:
        record = records(member["siret"])
        category = member.get("category") or ""
        check = RegisterCheck(
            "Membre",
            member.get("name", ""),
            member["siret"],
            ["Catégorie (article 9) : " + (_label(MemberCategory, category) or "non renseignée")],
            record,
            _register_lines(record),
            _status_warnings(record),
        )
        if warning := _category_warning(category, record):
            check.warnings.append(warning)
        checks.append(check)
    return checks
