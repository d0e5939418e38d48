"""Business rules of the candidate side: budget totals, territory, completeness, snapshot,
reference numbering, submission, duplication and co-editor invitations."""

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from applications.choices import (
    EDITABLE_STATUSES,
    ApplicationStatus,
    BudgetKind,
    ExpenseCategory,
    Funder,
    LegalForm,
    MemberKind,
    PhaseRequest,
)
from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    CoEditorInvitation,
    Member,
    ReferenceCounter,
    Submission,
)
from calls.choices import Phase
from core import audit

ZERO = Decimal("0")

# ---------------------------------------------------------------- steps


@dataclass(frozen=True)
class Step:
    slug: str
    url_name: str
    number: int
    title: str


STEPS = [
    Step("structure", "applications:lead", 1, "Structure porteuse"),
    Step("membres", "applications:members", 2, "Membres du pôle"),
    Step("territoire", "applications:territory", 3, "Territoire"),
    Step("projet", "applications:project", 4, "Projet"),
    Step("budget", "applications:budget", 5, "Budget"),
    Step("pieces", "applications:attachments", 6, "Pièces justificatives"),
    Step("recapitulatif", "applications:summary", 7, "Récapitulatif et dépôt"),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def next_step(slug: str) -> Step:
    index = [s.slug for s in STEPS].index(slug)
    return STEPS[min(index + 1, len(STEPS) - 1)]


# ---------------------------------------------------------------- budget


def budget_years(call) -> list[int]:
    """Project years shown in the budget grid: the award duration in years (1 to 3)."""
    months = call.award_duration_months or 24
    return list(range(1, max(1, min(3, -(-months // 12))) + 1))


@dataclass
class BudgetSummary:
    expenses: Decimal
    resources: Decimal
    requested: Decimal
    self_financing: Decimal
    years: list[int]
    cells: dict = field(default_factory=dict)  # (kind, category, year) -> amount

    @property
    def difference(self) -> Decimal:
        return self.resources - self.expenses

    @property
    def is_balanced(self) -> bool:
        """Balanced to the euro: equal totals (the eligibility engine applies the same)."""
        return self.expenses == self.resources

    @property
    def is_empty(self) -> bool:
        return self.expenses == 0 and self.resources == 0

    @property
    def self_financing_share(self) -> Decimal | None:
        if not self.resources:
            return None
        return (self.self_financing * 100 / self.resources).quantize(Decimal("0.1"))

    def total_for(self, kind, category) -> Decimal:
        return sum((v for (k, c, _y), v in self.cells.items() if k == kind and c == category), ZERO)

    def year_total(self, kind, year) -> Decimal:
        return sum((v for (k, _c, y), v in self.cells.items() if k == kind and y == year), ZERO)


def budget_summary(application, lines=None) -> BudgetSummary:
    if lines is None:
        lines = list(application.budget_lines.all())
    cells = {(line.kind, line.category, line.year): line.amount for line in lines}
    expenses = sum((a for (k, _c, _y), a in cells.items() if k == BudgetKind.EXPENSE), ZERO)
    resources = sum((a for (k, _c, _y), a in cells.items() if k == BudgetKind.RESOURCE), ZERO)
    requested = sum(
        (a for (k, c, _y), a in cells.items() if k == BudgetKind.RESOURCE and c == Funder.STATE),
        ZERO,
    )
    self_financing = sum(
        (
            a
            for (k, c, _y), a in cells.items()
            if k == BudgetKind.RESOURCE and c in (Funder.OWN_RESOURCES, Funder.IN_KIND)
        ),
        ZERO,
    )
    return BudgetSummary(
        expenses=expenses,
        resources=resources,
        requested=requested,
        self_financing=self_financing,
        years=budget_years(application.call),
        cells=cells,
    )


def save_budget(application, cells: dict, *, actor) -> BudgetSummary:
    """Replace the budget with ``cells`` ({(kind, category, year): Decimal or None})."""
    rows = [
        BudgetLine(application=application, kind=kind, category=category, year=year, amount=amount)
        for (kind, category, year), amount in cells.items()
        if amount
    ]
    with transaction.atomic():
        application.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(rows)
        application.save(update_fields=["updated_at"])
    return budget_summary(application, rows)


def budget_rows():
    """(kind, category, label) for the grid, expenses then resources."""
    return [(BudgetKind.EXPENSE, c.value, c.label) for c in ExpenseCategory] + [
        (BudgetKind.RESOURCE, f.value, f.label) for f in Funder
    ]


# ---------------------------------------------------------------- territory


def territory_codes(application) -> tuple[list[str], list[str]]:
    communes = list(application.communes.order_by("code").values_list("code", flat=True))
    epcis = list(application.epcis.order_by("code").values_list("code", flat=True))
    return communes, epcis


def save_territory(application, communes, epcis) -> None:
    with transaction.atomic():
        application.communes.set(communes)
        application.epcis.set(epcis)
        application.save(update_fields=["updated_at"])


def instruction_region_id(application, summary) -> str | None:
    """The région of the territory; for a territory over several régions, the lead
    organisation's région (SPEC §5.1)."""
    regions = [region.code for region in summary.regions]
    if len(regions) == 1:
        return regions[0]
    if application.lead_commune_id:
        lead_region = application.lead_commune.region_id
        if lead_region:
            return lead_region
    return regions[0] if regions else None


# ---------------------------------------------------------------- members


def member_duplicate(application, *, siret: str, name: str, kind: str, exclude_pk=None) -> bool:
    """Same SIRET (organisations), or same name (natural persons), or the lead itself."""
    others = application.members.all()
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if kind == MemberKind.ORGANISATION and siret:
        return siret == application.lead_siret or others.filter(siret=siret).exists()
    return others.filter(kind=MemberKind.NATURAL_PERSON, name__iexact=name.strip()).exists()


def next_member_order(application) -> int:
    last = application.members.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


# ---------------------------------------------------------------- attachments


def attachments_total_bytes(application) -> int:
    return application.attachments.aggregate(total=Sum("size"))["total"] or 0


def delete_attachment(attachment) -> None:
    """Delete the row, and the stored file unless another file (copy, phase 2) shares it."""
    name = attachment.file.name
    storage = attachment.file.storage
    with transaction.atomic():
        Member.objects.filter(commitment_letter=attachment).update(commitment_letter=None)
        attachment.delete()
        shared = Attachment.objects.filter(file=name).exists()
    if not shared and name:
        transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------- input to correct


def pending_step(key: str) -> str:
    """The step a pending-input key belongs to (« membre-12 » belongs to « membres »)."""
    return "membres" if key.startswith("membre") else key


def keep_pending(application, key: str, data) -> None:
    """Keep the raw input of a step saved with invalid fields (``data``: a QueryDict or a
    dict of lists), so that it is shown again as typed, with its errors, even after a
    reload or on another day."""
    values = {
        name: [str(v).replace("\x00", "") for v in data.getlist(name)]
        for name in data
        if name not in ("csrfmiddlewaretoken", "action")
    }
    application.pending_input = {
        **application.pending_input,
        key: {"data": values, "at": timezone.now().isoformat()},
    }
    Application.objects.filter(pk=application.pk).update(
        pending_input=application.pending_input, updated_at=timezone.now()
    )


def clear_pending(application, key: str) -> None:
    if key not in application.pending_input:
        return
    application.pending_input = {k: v for k, v in application.pending_input.items() if k != key}
    Application.objects.filter(pk=application.pk).update(pending_input=application.pending_input)


def pending_data(application, key: str):
    """The kept input of ``key`` as a QueryDict (for a bound form), or None."""
    from django.http import QueryDict

    entry = application.pending_input.get(key)
    if not entry:
        return None
    data = QueryDict(mutable=True)
    for name, values in entry["data"].items():
        data.setlist(name, values)
    return data


def pending_steps(application) -> set[str]:
    return {pending_step(key) for key in application.pending_input}


# ---------------------------------------------------------------- completeness


def required_attachment_kinds(application) -> list:
    phase = application.phase or (
        Phase.FUNDING if application.requested_phases == PhaseRequest.FUNDING else Phase.EMERGENCE
    )
    phases = {phase}
    if application.requested_phases == PhaseRequest.BOTH and not application.phase:
        phases = {Phase.EMERGENCE, Phase.FUNDING}
    return [
        required
        for required in application.call.required_attachments.all()
        if not required.phase or required.phase in phases
    ]


def step_problems(application, *, members=None, budget=None, territory=None) -> dict:
    """Missing information per step (French sentences); eligibility rules come on top."""
    problems: dict[str, list[str]] = {step.slug: [] for step in STEPS}
    for slug in sorted(pending_steps(application)):
        problems[slug].append(
            "Des saisies de cette étape ne sont pas valides : corrigez-les puis enregistrez."
        )
    lead = problems["structure"]
    if not application.lead_siret:
        lead.append("Indiquez le SIRET de la structure porteuse.")
    for attr, label in (
        ("lead_name", "la raison sociale"),
        ("lead_legal_form", "la forme juridique"),
        ("lead_category", "la catégorie (article 9) de la structure"),
        ("lead_address", "l’adresse"),
        ("representative_name", "le représentant légal"),
        ("contact_name", "la personne à contacter"),
        ("contact_email", "l’adresse électronique du contact"),
    ):
        if not getattr(application, attr):
            lead.append(f"Indiquez {label}.")
    if application.lead_is_ess is None:
        lead.append("Précisez si la structure relève de l’ESS.")
    if not application.lead_commune_id:
        lead.append("Indiquez le code postal et la commune du siège.")
    members = members if members is not None else list(application.members.all())
    if not members:
        problems["membres"].append("Ajoutez les membres du pôle.")
    if territory is None:
        territory = territory_codes(application)
    if not (territory[0] or territory[1]):
        problems["territoire"].append("Choisissez au moins une commune ou un EPCI.")
    for attr, label in (
        ("pole_name", "le nom du pôle"),
        ("diagnosis", "le diagnostic territorial"),
        ("strategy", "la stratégie commune"),
        ("projects", "les projets économiques et sociaux"),
        ("innovation", "l’innovation du projet"),
        ("governance", "la gouvernance"),
        ("maturity", "la maturité du pôle"),
    ):
        if not getattr(application, attr):
            problems["projet"].append(f"Renseignez {label}.")
    if application.previous_state_support is None:
        problems["projet"].append("Précisez si le pôle a déjà été soutenu par l’État.")
    if application.asks_funding:
        budget = budget or budget_summary(application)
        if budget.is_empty:
            problems["budget"].append("Remplissez le budget prévisionnel (phase 2).")
        elif not budget.is_balanced:
            problems["budget"].append(
                "Le budget n’est pas équilibré : les ressources doivent égaler les dépenses."
            )
    kinds = set(application.attachments.values_list("kind", flat=True))
    for required in required_attachment_kinds(application):
        if required.kind not in kinds:
            problems["pieces"].append(f"Joignez la pièce « {required.label} ».")
    return problems


# ---------------------------------------------------------------- eligibility


def eligibility(application):
    """Run the shared eligibility engine on the file as it stands."""
    from applications.description import describe
    from calls.eligibility import evaluate

    return evaluate(describe(application), call_rules_for(application.call))


def call_rules_for(call):
    from calls.eligibility import call_rules

    return call_rules(call)


# ---------------------------------------------------------------- snapshot


def canonical_json(data) -> str:
    return json.dumps(
        data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def build_snapshot(
    application, *, reference, submitted_at, verdicts=(), summary=None, budget=None, members=None
) -> dict:
    """Everything submitted, as plain JSON (what reviewers will see)."""
    if summary is None:
        summary = _territory_summary(application)
    budget = budget or budget_summary(application)
    return {
        "reference": reference,
        "submitted_at": submitted_at.isoformat(),
        "call": {"slug": application.call.slug, "title": application.call.title},
        "phase": application.phase,
        "round": application.round.name if application.round_id else None,
        "lead": {
            "siret": application.lead_siret,
            "name": application.lead_name,
            "legal_form": application.lead_legal_form,
            "is_ess": application.lead_is_ess,
            "address": application.lead_address,
            "postal_code": application.lead_postal_code,
            "city": application.lead_city,
            "commune": application.lead_commune.code if application.lead_commune_id else None,
            "representative": {
                "name": application.representative_name,
                "title": application.representative_title,
            },
            "contact": {
                "name": application.contact_name,
                "email": application.contact_email,
                "phone": application.contact_phone,
            },
        },
        "members": [
            {
                "kind": m.kind,
                "siret": m.siret,
                "name": m.name,
                "category": m.category,
                "role": m.role,
                "commitment_letter": m.commitment_letter.sha256 if m.commitment_letter else None,
            }
            for m in (
                members
                if members is not None
                else application.members.select_related("commitment_letter")
            )
        ],
        "territory": {
            "communes": [
                {"code": code, "name": name}
                for code, name in application.communes.order_by("code").values_list("code", "name")
            ],
            "epcis": [
                {"code": code, "name": name}
                for code, name in application.epcis.order_by("code").values_list("code", "name")
            ],
            "departments": [d.code for d in summary.departments],
            "regions": [r.code for r in summary.regions],
            "population": summary.population,
        },
        "project": {
            "pole_name": application.pole_name,
            "diagnosis": application.diagnosis,
            "strategy": application.strategy,
            "projects": application.projects,
            "innovation": application.innovation,
            "sustainable_development": application.sustainable_development,
            "governance": application.governance,
            "jobs_existing_fte": application.jobs_existing_fte,
            "jobs_planned_fte": application.jobs_planned_fte,
            "themes": application.themes,
            "maturity": application.maturity,
            "previous_state_support": application.previous_state_support,
            "previous_state_support_details": application.previous_state_support_details,
        },
        "budget": {
            "lines": [
                {"kind": k, "category": c, "year": y, "amount": a}
                for (k, c, y), a in sorted(budget.cells.items())
            ],
            "expenses": budget.expenses,
            "resources": budget.resources,
            "requested": budget.requested,
        },
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "size": a.size, "sha256": a.sha256}
            for a in application.attachments.all()
        ],
        "eligibility": [
            {"code": v.code, "passed": v.passed, "message": v.message} for v in verdicts
        ],
    }


# ---------------------------------------------------------------- references


def next_reference(year: int) -> str:
    """``PTCE-<year>-<NNNN>``: the per-year counter row is locked inside the caller's
    transaction, so concurrent submissions get consecutive numbers, never the same one."""
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"PTCE-{year}-{counter.last_number:04d}"


# ---------------------------------------------------------------- submission


class SubmissionRefused(Exception):
    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


class AlreadySubmitted(Exception):
    pass


def call_accepts_now(call, now) -> tuple[bool, object]:
    """(open, round) at ``now`` by the server clock: the round is the first whose cut-off is
    after ``now``; a dated call is open until its closing date-time."""
    from calls.models import PublicationState

    round_ = call.round_for(now)
    if call.publication_state != PublicationState.PUBLISHED:
        return False, None
    if call.opens_at and call.opens_at > now:
        return False, None
    if call.is_permanent:
        return round_ is not None, round_
    return bool(call.closes_at and call.closes_at > now), round_


def has_phase_one_label(application) -> bool:
    """A phase-1 file of the same lead organisation was accepted (label « PTCE émergent »)."""
    if not application.lead_siret:
        return False
    return (
        Application.objects.filter(
            lead_siret=application.lead_siret,
            phase=Phase.EMERGENCE,
            status=ApplicationStatus.ACCEPTED,
        )
        .exclude(pk=application.pk)
        .exists()
    )


def submit(application, *, actor, now=None) -> list[Application]:
    """Submit a draft (or a corrected file): one submitted file per phase, each with its
    reference and frozen snapshot. Returns the submitted files.

    Locks the row first: a double click, a second tab or a replayed POST finds the file
    already submitted and raises ``AlreadySubmitted`` without creating anything.
    """
    from applications import states
    from applications.tasks import generate_receipt, send_receipts

    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "lead_commune")
            .get(pk=application.pk)
        )
        if locked.status not in EDITABLE_STATUSES:
            raise AlreadySubmitted
        if locked.owner_id != getattr(actor, "pk", None):
            raise SubmissionRefused(["Seul le titulaire du dossier peut le déposer."])
        resubmission = locked.status == ApplicationStatus.CORRECTION_REQUESTED
        if resubmission:
            from reviews.workload import resubmission_problem

            late = resubmission_problem(locked, timezone.localdate(now))
            if late:
                raise SubmissionRefused([late])
        is_open, round_ = call_accepts_now(locked.call, now)
        if not resubmission and not is_open:
            raise SubmissionRefused(
                [
                    "L’appel est clos : la date limite de dépôt est passée (heure du serveur). "
                    "Votre brouillon est conservé."
                ]
            )
        from applications.description import describe
        from calls.eligibility import evaluate

        members = list(locked.members.select_related("commitment_letter"))
        budget = budget_summary(locked)
        territory = territory_codes(locked)
        problems = [
            p
            for items in step_problems(
                locked, members=members, budget=budget, territory=territory
            ).values()
            for p in items
        ]
        result = evaluate(
            describe(locked, members=members, budget=budget, territory=territory),
            call_rules_for(locked.call),
        )
        problems += [v.message for v in result.verdicts if v.passed is False]
        if problems:
            raise SubmissionRefused(problems)
        from territories.services import summarise_territory

        summary = summarise_territory(*territory)

        files = [locked]
        if not resubmission:
            if locked.requested_phases == PhaseRequest.BOTH:
                locked.phase = Phase.EMERGENCE
                funding = clone_application(locked, phase=Phase.FUNDING)
                funding.linked_application = locked
                funding.save(update_fields=["linked_application"])
                files.append(funding)
            else:
                locked.phase = locked.requested_phases
            region_id = instruction_region_id(locked, summary)
            for file in files:
                file.round = round_
                file.region_id = region_id
                file.submitted_at = now
                file.reference = next_reference(timezone.localtime(now).year)
                file.save(update_fields=["phase", "round", "region", "submitted_at", "reference"])
        submissions = []
        content = build_snapshot(
            locked,
            reference=locked.reference,
            submitted_at=now,
            verdicts=result.verdicts,
            summary=summary,
            budget=budget,
            members=members,
        )
        for file in files:
            version = file.submissions.count() + 1 if resubmission else 1
            # Files filed together share their content; only phase and reference differ.
            data = {**content, "phase": file.phase, "reference": file.reference}
            data["version"] = version
            submission = Submission.objects.create(
                application=file,
                version=version,
                reference=file.reference,
                submitted_at=now,
                submitted_by=actor,
                data=json.loads(canonical_json(data)),
                sha256=hashlib.sha256(canonical_json(data).encode()).hexdigest(),
            )
            submissions.append(submission)
            states.change_status(
                file,
                ApplicationStatus.SUBMITTED,
                actor=actor,
                reason=f"Référence {file.reference}, version {version}",
            )
        # One acknowledgement e-mail for the files filed together, every receipt attached.
        ids = [submission.pk for submission in submissions]
        if len(ids) == 1:
            transaction.on_commit(lambda: generate_receipt.enqueue(ids[0]), robust=False)
        else:
            transaction.on_commit(lambda: send_receipts.enqueue(ids), robust=False)
    return files


def _territory_summary(application):
    from territories.services import summarise_territory

    communes, epcis = territory_codes(application)
    return summarise_territory(communes, epcis)


def snapshot_matches(submission) -> bool:
    return hashlib.sha256(canonical_json(submission.data).encode()).hexdigest() == (
        submission.sha256
    )


# ---------------------------------------------------------------- duplication

COPIED_FIELDS = [
    "lead_siret",
    "lead_name",
    "lead_legal_form",
    "lead_is_ess",
    "lead_category",
    "lead_legal_category",
    "lead_address",
    "lead_postal_code",
    "lead_city",
    "lead_commune",
    "representative_name",
    "representative_title",
    "contact_name",
    "contact_email",
    "contact_phone",
    "pole_name",
    "diagnosis",
    "strategy",
    "projects",
    "innovation",
    "sustainable_development",
    "governance",
    "jobs_existing_fte",
    "jobs_planned_fte",
    "themes",
    "maturity",
    "previous_state_support",
    "previous_state_support_details",
]


def clone_application(source, *, call=None, owner=None, phase="", duplicated=False):
    """A new draft copying every section of ``source`` (files are shared, not copied)."""
    copy = Application(
        call=call or source.call,
        owner_id=owner.pk if owner else source.owner_id,
        requested_phases=source.requested_phases
        if not phase
        else (PhaseRequest.FUNDING if phase == Phase.FUNDING else PhaseRequest.EMERGENCE),
        phase=phase,
        duplicated_from=source if duplicated else None,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    copy.save()
    if not duplicated:
        copy.co_editors.set(source.co_editors.all())
    copy.communes.set(list(source.communes.values_list("pk", flat=True)))
    copy.epcis.set(list(source.epcis.values_list("pk", flat=True)))
    attachments = {}
    for attachment in source.attachments.all():
        old_pk = attachment.pk
        attachment.pk = None
        attachment.id = None
        attachment.application = copy
        attachment.save()
        attachments[old_pk] = attachment
    Member.objects.bulk_create(
        [
            Member(
                application=copy,
                kind=m.kind,
                siret=m.siret,
                name=m.name,
                category=m.category,
                role=m.role,
                group_mostly_non_ess=m.group_mostly_non_ess,
                commitment_letter=attachments.get(m.commitment_letter_id),
                order=m.order,
            )
            for m in source.members.all()
        ]
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                application=copy,
                kind=b.kind,
                category=b.category,
                year=b.year,
                amount=b.amount,
            )
            for b in source.budget_lines.all()
        ]
    )
    return copy


def duplicate_into(source, call, *, actor):
    """Copy a past file into a new draft for another open call."""
    with transaction.atomic():
        copy = clone_application(source, call=call, owner=actor, duplicated=True)
        if copy.requested_phases != PhaseRequest.EMERGENCE and not call.has_funding_phase:
            copy.requested_phases = PhaseRequest.EMERGENCE
            copy.save(update_fields=["requested_phases"])
        if copy.requested_phases != PhaseRequest.FUNDING and not call.has_emergence_phase:
            copy.requested_phases = PhaseRequest.FUNDING
            copy.save(update_fields=["requested_phases"])
        audit.record(
            "application.duplicated",
            actor=actor,
            obj=copy,
            before={"source": str(source.uuid)},
            after={"call": call.slug},
        )
    return copy


def create_draft(call, *, owner, requested_phases=PhaseRequest.EMERGENCE):
    with transaction.atomic():
        application = Application.objects.create(
            call=call,
            owner=owner,
            requested_phases=requested_phases,
            contact_name=owner.full_name,
            contact_email=owner.email,
            lead_name=owner.organisation if owner.organisation else "",
        )
        audit.record(
            "application.created",
            actor=owner,
            obj=application,
            after={"call": call.slug, "requested_phases": requested_phases},
        )
    return application


# ---------------------------------------------------------------- co-editors


def invite_co_editor(application, email: str, *, actor) -> CoEditorInvitation:
    from django.urls import reverse

    from core.outbox import queue_templated_email

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = CoEditorInvitation.objects.create(
            application=application,
            email=email.lower(),
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            invited_by=actor,
        )
        audit.record(
            "application.co_editor_invited", actor=actor, obj=application, after={"email": email}
        )
        queue_templated_email(
            email,
            "co_editor_invitation",
            {
                "application": application,
                "inviter": actor,
                "path": reverse("applications:accept_invitation", args=[token]),
            },
        )
    return invitation


class InvitationError(Exception):
    pass


def accept_invitation(token: str, user) -> Application:
    digest = hashlib.sha256(token.encode()).hexdigest()
    with transaction.atomic():
        invitation = (
            CoEditorInvitation.objects.select_for_update()
            .select_related("application")
            .filter(token_hash=digest)
            .first()
        )
        if invitation is None:
            raise InvitationError("Ce lien d’invitation n’est pas valable.")
        if invitation.email.lower() != user.email.lower():
            raise InvitationError(
                "Cette invitation a été envoyée à une autre adresse : connectez-vous avec "
                "l’adresse invitée."
            )
        application = invitation.application
        if invitation.accepted_at is None:
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            if application.owner_id != user.pk:
                application.co_editors.add(user)
            audit.record(
                "application.co_editor_added",
                actor=user,
                obj=application,
                after={"email": user.email},
            )
    return application


def lead_is_private_law(application) -> bool:
    return application.lead_legal_form not in ("", LegalForm.PUBLIC_BODY)
