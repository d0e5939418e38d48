"""Demo application files for the two demo candidates, on the open demo call.

Real communes, SIRET numbers with valid checksums (fictional organisations, names ending
« (démo) »). Idempotent: nothing is added for a candidate who already has files on the call.
"""

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from applications import services, states
from applications.choices import (
    ApplicationStatus,
    BudgetKind,
    ExpenseCategory,
    Funder,
    LegalForm,
    Maturity,
    MemberCategory,
    MemberKind,
    PhaseRequest,
)
from applications.models import Application, BudgetLine, Member
from calls.models import Call
from registry.validators import siren_with_valid_checksum, siret_with_valid_checksum
from territories.models import Commune


def _siret(seed: int) -> str:
    return siret_with_valid_checksum(siren_with_valid_checksum(f"{88100000 + seed:08d}"), 1)


LYONNAIS = {
    "lead": ("Coopérative des Monts du Lyonnais (démo)", "69238", "69590", "12 place du Marché"),
    "pole": "Pôle alimentaire des Monts du Lyonnais (démo)",
    "communes": ["69238", "69062", "69014", "69078", "69095", "69110", "69132", "69155", "69227"],
    "members": [
        ("Légumerie solidaire de la Coise (démo)", MemberCategory.ESS_ENTERPRISE),
        ("Transports Giraud et fils (démo)", MemberCategory.OTHER_ENTERPRISE),
        ("Communauté de communes des Monts du Lyonnais (démo)", MemberCategory.LOCAL_AUTHORITY),
        ("Lycée agricole de Saint-Genis (démo)", MemberCategory.TRAINING_BODY),
    ],
    "themes": ["food", "circular_economy"],
}
PICARDIE = {
    "lead": ("Association Terres de Liens Picardes (démo)", "80021", "80000", "3 rue des Jacobins"),
    "pole": "Pôle coopératif Somme solidaire (démo)",
    "communes": ["80021", "80001", "80016", "80253", "80561", "80620"],
    "members": [
        ("Recyclerie de la Somme (démo)", MemberCategory.ESS_ENTERPRISE),
        ("Menuiserie Lefèvre SARL (démo)", MemberCategory.OTHER_ENTERPRISE),
        ("Université de Picardie — laboratoire partenaire (démo)", MemberCategory.RESEARCH_CENTRE),
        ("Amiens Métropole (démo)", MemberCategory.LOCAL_AUTHORITY),
    ],
    "themes": ["circular_economy", "construction", "employment"],
}


def _build(owner, call, profile, *, seed, requested_phases, complete=True, suffix=""):
    name, commune_code, postal_code, address = profile["lead"]
    commune = Commune.objects.current().get(code=commune_code)
    application = Application.objects.create(
        call=call,
        owner=owner,
        requested_phases=requested_phases,
        lead_siret=_siret(seed),
        lead_name=name,
        lead_legal_form=LegalForm.ASSOCIATION if "Association" in name else LegalForm.COOPERATIVE,
        lead_legal_category="9220" if "Association" in name else "5458",
        lead_is_ess=True,
        lead_category=MemberCategory.ESS_ENTERPRISE,
        lead_address=address,
        lead_postal_code=postal_code,
        lead_city=commune.name,
        lead_commune=commune,
        representative_name=owner.full_name,
        representative_title="Président(e)",
        contact_name=owner.full_name,
        contact_email=owner.email,
        contact_phone="01 23 45 67 89",
        pole_name=profile["pole"] + suffix,
        diagnosis="Territoire rural à faible densité, perte de services et d’emplois locaux ; "
        "nombreuses initiatives isolées qui gagneraient à coopérer.",
        strategy="Mutualiser des moyens (logistique, locaux, fonctions support) et animer une "
        "coopération durable entre entreprises de l’ESS, entreprises locales et collectivités.",
        projects="Outil de transformation partagé, plateforme logistique, formation commune.",
        innovation=""
        if not complete
        else "Une gouvernance multi-collèges associant usagers, producteurs et collectivités, "
        "et un outil numérique ouvert de planification partagée.",
        sustainable_development="Circuits courts, réemploi des matériaux, emplois non "
        "délocalisables.",
        governance="Comité de pilotage trimestriel, un collège par catégorie de membres.",
        jobs_existing_fte=Decimal("6.5"),
        jobs_planned_fte=Decimal("11"),
        themes=profile["themes"],
        maturity=Maturity.EMERGING,
        previous_state_support=False,
    )
    members = profile["members"] if complete else profile["members"][:1]
    Member.objects.bulk_create(
        [
            Member(
                application=application,
                kind=MemberKind.ORGANISATION,
                siret=_siret(seed * 10 + index + 1),
                name=member_name,
                category=category,
                role="Membre fondateur du pôle",
                order=index + 1,
            )
            for index, (member_name, category) in enumerate(members)
        ]
        + [
            Member(
                application=application,
                kind=MemberKind.NATURAL_PERSON,
                name="Marie Dubois (démo)",
                category=MemberCategory.OTHER,
                role="Experte bénévole",
                order=len(members) + 1,
            )
        ]
    )
    application.communes.set(Commune.objects.current().filter(code__in=profile["communes"]))
    if application.asks_funding:
        lines = [
            (BudgetKind.EXPENSE, ExpenseCategory.STAFF, 1, "45000"),
            (BudgetKind.EXPENSE, ExpenseCategory.STAFF, 2, "45000"),
            (BudgetKind.EXPENSE, ExpenseCategory.OPERATING, 1, "15000"),
            (BudgetKind.EXPENSE, ExpenseCategory.OPERATING, 2, "15000"),
            (BudgetKind.RESOURCE, Funder.STATE, 1, "40000"),
            (BudgetKind.RESOURCE, Funder.STATE, 2, "40000"),
            (BudgetKind.RESOURCE, Funder.LOCAL_AUTHORITIES, 1, "10000"),
            (BudgetKind.RESOURCE, Funder.BANQUE_DES_TERRITOIRES, 2, "10000"),
            (BudgetKind.RESOURCE, Funder.OWN_RESOURCES, 1, "10000"),
            (BudgetKind.RESOURCE, Funder.OWN_RESOURCES, 2, "10000"),
        ]
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(application=application, kind=k, category=c, year=y, amount=Decimal(a))
                for k, c, y, a in lines
            ]
        )
    _attach_required(application)
    return application


_DEMO_PDFS: dict[str, bytes] = {}


def _attach_required(application):
    """A small generated PDF for each attachment the call requires (demo content)."""

    from django.core.files.base import ContentFile
    from django.utils.html import escape

    from applications.models import Attachment
    from applications.uploads import ALLOWED_TYPES
    from core.pdf import html_to_pdf

    for required in services.required_attachment_kinds(application):
        content = _DEMO_PDFS.get(required.label)
        if content is None:  # one small PDF per kind of document, reused by every file
            content = _DEMO_PDFS[required.label] = html_to_pdf(
                f"<p>{escape(required.label)} — document de démonstration</p>"
            )
        import hashlib

        attachment = Attachment(
            application=application,
            kind=required.kind,
            original_name=f"{required.kind}-demo.pdf",
            content_type=ALLOWED_TYPES["pdf"][0],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        attachment.file.save(f"{required.kind}-demo.pdf", ContentFile(content), save=False)
        attachment.save()


def _try_submit(application, actor, out):
    try:
        return services.submit(application, actor=actor)
    except services.SubmissionRefused as refusal:
        out.write(f"  (dépôt de démonstration refusé, reste en brouillon : {refusal.reasons[0]})")
        return [application]


def load(out):
    call = Call.objects.open_at().order_by("pk").first()
    if call is None:
        out.write(
            "Dossiers de démonstration : aucun appel ouvert (l’appel de démonstration est créé "
            "par les données de démonstration des appels) — aucun dossier créé."
        )
        return
    owners = {
        email: User.objects.filter(email=email).first()
        for email in ("porteur@demo.ptce.fr", "porteuse2@demo.ptce.fr")
    }
    if not all(owners.values()):
        out.write("Dossiers de démonstration : comptes candidats absents — aucun dossier créé.")
        return
    created = []
    porteur, porteuse = owners["porteur@demo.ptce.fr"], owners["porteuse2@demo.ptce.fr"]
    with transaction.atomic():
        if not Application.objects.filter(owner=porteur, call=call).exists():
            submitted = _build(porteur, call, LYONNAIS, seed=1, requested_phases="emergence")
            _try_submit(submitted, porteur, out)
            draft = _build(
                porteur,
                call,
                LYONNAIS,
                seed=2,
                requested_phases=PhaseRequest.BOTH
                if call.has_funding_phase and call.has_emergence_phase
                else "emergence",
                complete=False,
                suffix=" — extension",
            )
            withdrawn = _build(
                porteur, call, LYONNAIS, seed=3, requested_phases="emergence", suffix=" — 2e"
            )
            _try_submit(withdrawn, porteur, out)
            withdrawn.refresh_from_db()
            states.change_status(
                withdrawn,
                ApplicationStatus.WITHDRAWN,
                actor=porteur,
                reason="Dossier déposé en double (démo)",
            )
            created += [submitted, draft, withdrawn]
        if not Application.objects.filter(owner=porteuse, call=call).exists():
            both = call.has_funding_phase and call.has_emergence_phase
            filed = _build(
                porteuse,
                call,
                PICARDIE,
                seed=4,
                requested_phases=PhaseRequest.BOTH if both else "emergence",
            )
            created += _try_submit(filed, porteuse, out)
            draft = _build(
                porteuse,
                call,
                PICARDIE,
                seed=5,
                requested_phases="emergence",
                complete=False,
                suffix=" — volet mobilité",
            )
            created.append(draft)
    out.write(f"Dossiers de démonstration sur « {call.title} » : {len(created)} créé(s).")
    for application in created:
        application.refresh_from_db()
        out.write(
            f"  {application.owner.email:26} {application.get_status_display():10} "
            f"{application.reference or '(brouillon)':16} /dossiers/{application.uuid}/"
        )
