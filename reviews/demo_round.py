"""A realistic review round for the demo (issue 5): six files in each of the 18 régions
(overseas included) on the open demo call, in every state, with two reviewers and a cell lead
per région, scores (some in clear disagreement), regional opinions, one published committee
session (decisions, letters, awards) and one open session, with its simulation, ready to
decide.

Everything goes through the real services (submission, routing, assignment, scoring, opinions,
state changes, committee), so the demo shows what the platform would hold. Idempotent: a
région whose demo candidate already has files is skipped; sessions are keyed by title.
Quick: one password hash for every new account, no per-file reference lookups.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD, demo_totp_key
from accounts.models import Role, User
from applications import states
from applications.choices import ApplicationStatus as S
from applications.choices import MemberCategory, PhaseRequest
from applications.models import Application
from calls.choices import Phase
from core.formatting import elide
from reviews import committee, national, opinions, services
from reviews.allocation import AllocationParameters
from reviews.models import CommitteeSession
from territories.models import Commune, Department, Region

# Région code: (slug, [reviewer 1, reviewer 2, cell lead, candidate] as (first, last)).
REGIONS = {
    "84": (
        "ara",
        [("Lucas", "Petit"), ("Sarah", "Roux"), ("Claire", "Fontaine"), ("Yanis", "Brun")],
    ),
    "27": ("bfc", [("Paul", "Girard"), ("Léa", "Bonnet"), ("Marc", "Dupuis"), ("Anaïs", "Roche")]),
    "53": (
        "bre",
        [("Yann", "Le Goff"), ("Maëlle", "Le Bihan"), ("Erwan", "Tanguy"), ("Gwen", "Morvan")],
    ),
    "24": (
        "cvl",
        [("Hélène", "Marchand"), ("Thomas", "Perrin"), ("Agnès", "Colin"), ("Rémi", "Masson")],
    ),
    "94": (
        "cor",
        [("Ange", "Santoni"), ("Marie", "Luciani"), ("Jean", "Casanova"), ("Lisa", "Paoli")],
    ),
    "44": (
        "ges",
        [("Mathieu", "Muller"), ("Julie", "Schmitt"), ("Pierre", "Klein"), ("Emma", "Weber")],
    ),
    "32": (
        "hdf",
        [("Hugo", "Lefebvre"), ("Manon", "Dubois"), ("Nicolas", "Morel"), ("Louis", "Lemaire")],
    ),
    "11": (
        "idf",
        [("Sophie", "Laurent"), ("Karim", "Benali"), ("Isabelle", "Mercier"), ("Nadia", "Haddad")],
    ),
    "28": (
        "nor",
        [("Antoine", "Leroy"), ("Camille", "Lecoq"), ("Franck", "Hamel"), ("Élodie", "Lebrun")],
    ),
    "75": (
        "naq",
        [("Jérôme", "Lafon"), ("Céline", "Dupré"), ("Olivier", "Castaing"), ("Inès", "Baudry")],
    ),
    "76": (
        "occ",
        [("Laurent", "Fabre"), ("Aurélie", "Vidal"), ("Sylvain", "Roques"), ("Clara", "Bosc")],
    ),
    "52": (
        "pdl",
        [("Damien", "Guérin"), ("Pauline", "Rivière"), ("Benoît", "Charrier"), ("Zoé", "Praud")],
    ),
    "93": (
        "pac",
        [("Fabrice", "Giraud"), ("Nathalie", "Arnaud"), ("Cyril", "Blanc"), ("Mélissa", "Rey")],
    ),
    "01": (
        "gua",
        [("Ruddy", "Jean-Louis"), ("Maryse", "Bélair"), ("Teddy", "Lubin"), ("Ketty", "Nelson")],
    ),
    "02": (
        "mar",
        [("Joël", "Marie-Sainte"), ("Ghislaine", "Saint-Louis"), ("Alex", "Jos"), ("Line", "Rose")],
    ),
    "03": (
        "guy",
        [("Patrick", "Horth"), ("Sandra", "Pindard"), ("Rodolphe", "Alexandre"), ("Ana", "Lopes")],
    ),
    "04": (
        "reu",
        [("Johan", "Payet"), ("Nadège", "Hoarau"), ("Thierry", "Grondin"), ("Noémie", "Técher")],
    ),
    "06": (
        "may",
        [("Ahmed", "Abdallah"), ("Zaïnaba", "Said"), ("Moussa", "Ali"), ("Fatima", "Madi")],
    ),
}
THEMES = [
    ("Pôle alimentaire", ["food"]),
    ("Ressourcerie coopérative", ["circular_economy"]),
    ("Coopérative bois et habitat", ["wood", "construction"]),
    ("Mobilités solidaires", ["mobility"]),
    ("Fabrique culturelle", ["culture"]),
    ("Tiers-lieu numérique", ["digital"]),
    ("Énergies citoyennes", ["energy"]),
    ("Pôle emploi et insertion", ["employment", "care"]),
]
# The six files of each région: what happens to them after submission.
PLAN = ["submitted", "one_score", "scored", "reviewed", "decided", "rotating"]
ROTATING = ["draft", "correction", "withdrawn", "closed", "accepted", "waiting", "rejected"]
PUBLISHED_TITLE = "Comité de sélection du 20 novembre 2026 (démo)"
OPEN_TITLE = "Comité de sélection du 17 décembre 2026 (démo)"
SEED_BASE = 200  # lead SIRET seeds 200…; members use seed × 10 + n (2 001…): never collide


_CODES = {}


def _grid_codes(application):
    if application.call_id not in _CODES:
        grid = services.grid_of(application)
        _CODES[application.call_id] = [c.code for c in services.criteria_of(grid)]
    return _CODES[application.call_id]


def _scores(generator, quality, spread=1):
    return [str(max(0, min(5, quality + generator.randint(-spread, spread)))) for _ in range(6)]


def _evaluate(application, reviewer, values):
    evaluation = services.evaluation_for(application, reviewer)
    if evaluation.is_submitted:
        return
    codes = _grid_codes(application)
    services.save_evaluation(
        evaluation,
        {code: (value, "") for code, value in zip(codes, values, strict=True)},
        submit=True,
        general_comment="Dossier solide sur la coopération ; le modèle économique reste à "
        "consolider."
        if int(values[4]) >= 3
        else "Gouvernance encore fragile, cofinancements peu sécurisés.",
    )


def _accounts(out):
    """Reviewers, cell lead and one candidate per région (existing accounts kept as they are)."""
    password = make_password(DEMO_PASSWORD)
    existing = set(
        User.objects.filter(email__endswith="@demo.ptce.fr").values_list("email", flat=True)
    )
    people = {}
    new = []
    for region_id, (slug, names) in REGIONS.items():
        emails = [
            (f"instructeur.{slug}@demo.ptce.fr", Role.REGIONAL_REVIEWER, "DREETS"),
            (f"instructrice.{slug}@demo.ptce.fr", Role.REGIONAL_REVIEWER, "CRESS"),
            (f"responsable.{slug}@demo.ptce.fr", Role.REGIONAL_CELL_LEAD, "DREETS"),
            (f"porteur.{slug}@demo.ptce.fr", Role.CANDIDATE, ""),
        ]
        region_name = Region.objects.get(code=region_id).name
        for (email, role, body), (first, last) in zip(emails, names, strict=True):
            if email not in existing:
                new.append(
                    User(
                        email=email,
                        first_name=first,
                        last_name=last,
                        role=role,
                        region_id=region_id if role != Role.CANDIDATE else None,
                        organisation=f"{body} {region_name} (démo)" if body else "",
                        email_confirmed_at=timezone.now(),
                        password=password,
                    )
                )
        people[region_id] = [email for email, _r, _b in emails]
    User.objects.bulk_create(new)
    staff = User.objects.filter(email__in=[u.email for u in new if u.role != Role.CANDIDATE])
    TOTPDevice.objects.bulk_create(
        [TOTPDevice(user=u, name="Démo", key=demo_totp_key(u.email), confirmed=True) for u in staff]
    )
    by_email = {
        u.email: u for u in User.objects.filter(email__in=[e for v in people.values() for e in v])
    }
    if new:
        out.write(
            f"  {len(new)} compte(s) ajouté(s) pour la relève : instructeur.<région>@, "
            "instructrice.<région>@, responsable.<région>@ et porteur.<région>@demo.ptce.fr "
            "(région : ara, bfc, bre, cvl, cor, ges, hdf, idf, nor, naq, occ, pdl, pac, gua, mar, "
            "guy, reu, may)"
        )
    return {region_id: [by_email[e] for e in emails] for region_id, emails in people.items()}


def _profiles(region_id):
    """Six territories of the région: chief towns of its départements (then again)."""
    departments = list(
        Department.objects.filter(region_id=region_id, retired=False).order_by("code")
    )
    profiles = []
    for number in range(len(PLAN)):
        department = departments[number % len(departments)]
        chief = Commune.objects.current().get(code=department.chief_town_code)
        neighbours = (
            list(
                Commune.objects.current()
                .filter(department=department, epci_id=chief.epci_id)
                .exclude(pk=chief.pk)
                .order_by("code")
                .values_list("code", flat=True)[: 2 + number % 4]
            )
            if chief.epci_id
            else []
        )
        label, themes = THEMES[(int(region_id) + number) % len(THEMES)]
        town = chief.name
        short = f"{town} {number + 1}" if number >= len(departments) else town
        profiles.append(
            {
                "lead": (
                    f"Coopérative {label.split()[-1].lower()} {elide('de', short)} (démo)",
                    chief.code,
                    (chief.postal_codes or [f"{department.code[:2]}000"])[0],
                    f"{3 + number} rue de la Coopération",
                ),
                "pole": f"{label} {elide('de', short)} (démo)",
                "communes": [chief.code, *neighbours],
                "members": [
                    (
                        f"Association solidaire {elide('de', short)} (démo)",
                        MemberCategory.ESS_ENTERPRISE,
                    ),
                    (f"SARL Atelier {short} (démo)", MemberCategory.OTHER_ENTERPRISE),
                    (
                        f"Communauté de communes partenaire — {town} (démo)",
                        MemberCategory.LOCAL_AUTHORITY,
                    ),
                    (
                        f"Lycée professionnel {elide('de', town)} (démo)",
                        MemberCategory.TRAINING_BODY,
                    ),
                ],
                "themes": themes,
            }
        )
    return profiles


def _opinion(application, writer, lead, *, validate):
    from reviews.models import ReviewSummary

    mean = (
        ReviewSummary.objects.filter(application=application).values_list("mean", flat=True).first()
    )
    if mean is None or mean >= Decimal("3.2"):
        choice, reasons = "favourable", "Partenariat solide et ancrage territorial avéré."
    elif mean >= Decimal("2.4"):
        choice, reasons = "reserved", "Projet pertinent, plan de financement à sécuriser."
    else:
        choice, reasons = "unfavourable", "Coopération trop embryonnaire à ce stade."
    row = opinions.save_opinion(
        application, actor=writer, opinion=choice, reasons=reasons, expected_version=0
    )
    if validate:
        opinions.validate_opinion(application, actor=lead, expected_version=row.version)


def _region(region_id, index, people, call, national_user, out):
    from applications import services as application_services
    from applications.demo import _build

    owner = people[3]
    generator = random.Random(f"demo-{region_id}")
    decided = []
    for number, (step, profile) in enumerate(zip(PLAN, _profiles(region_id), strict=True)):
        if step == "rotating":
            step = ROTATING[index % len(ROTATING)]
        # Phase 2 needs the phase-1 label: these poles ask for both phases in one file.
        both = (step == "decided" and index % 3 == 1) or (step == "reviewed" and index % 4 == 0)
        draft = _build(
            owner,
            call,
            profile,
            seed=SEED_BASE + index * 10 + number,
            requested_phases=PhaseRequest.BOTH if both else PhaseRequest.EMERGENCE,
        )
        if step == "draft":
            continue
        try:
            files = application_services.submit(draft, actor=owner)
        except application_services.SubmissionRefused as refusal:
            out.write(f"  ({profile['pole']} non déposé : {refusal.reasons[0]})")
            continue
        for application in files:
            if application.region_id == region_id:  # routed elsewhere: left as submitted
                decided += _follow(application, step, index, people, generator, national_user)
    return decided


def _follow(application, step, index, people, generator, national_user):
    """Take a submitted file through ``step``; returns [(file, outcome)] to decide."""
    reviewer_a, reviewer_b, lead, owner = people
    if step == "submitted":
        return []
    if step == "withdrawn":
        states.change_status(application, S.WITHDRAWN, actor=owner, reason="Projet reporté à 2027")
        return []
    if step == "closed":
        states.change_status(
            application,
            S.CLOSED,
            actor=national_user,
            reason="Structure porteuse dissoute avant l’instruction",
        )
        return []
    services.assign(application, [reviewer_a, reviewer_b], actor=lead)
    application.refresh_from_db()
    if step == "correction":
        services.request_correction(
            application,
            actor=reviewer_b,
            sections=["budget", "pieces"],
            message="Merci de détailler les cofinancements de la deuxième année et de joindre "
            "les lettres d’engagement signées des membres.",
            deadline=timezone.localdate() + timedelta(days=21),
        )
        return []
    quality = {"decided": 4, "accepted": 4, "rejected": 1}.get(step) or generator.randint(2, 4)
    first = _scores(generator, quality)
    _evaluate(application, reviewer_a, first)
    if step == "one_score":
        return []
    if index % 3 == 0 and step == "scored":  # a clear disagreement between the two reviewers
        second = [str(5 - int(v)) if int(v) >= 3 else "5" for v in first]
    else:
        second = _scores(generator, quality)
    _evaluate(application, reviewer_b, second)
    _opinion(application, reviewer_a, lead, validate=step != "scored")
    if step == "scored":
        return []
    states.change_status(application, S.REVIEWED, actor=lead, reason="Instruction terminée")
    application.refresh_from_db()
    if step == "reviewed":
        return []
    if step == "decided":
        step = "accepted" if index % 2 == 0 else "rejected"
    return [(application, step)]


def _decide_and_publish(call, decided, member, national_user, out):
    session, created = CommitteeSession.objects.get_or_create(
        call=call,
        title=PUBLISHED_TITLE,
        defaults={"date": date(2026, 11, 20), "place": "Paris, ministère chargé de l’ESS"},
    )
    if not created:
        return
    session.members_present.set([member])
    waiting = 0
    for application, outcome in decided:
        amount, reasons, position = None, "", None
        if outcome == "accepted":
            amount = Decimal(80000) if application.phase == Phase.FUNDING else None
            reasons = "Coopération exemplaire et forte implication des collectivités."
        elif outcome == "rejected":
            reasons = (
                "Le partenariat ne réunit pas encore d’entreprise hors ESS engagée ; le plan de "
                "financement repose sur une seule subvention."
            )
        else:
            waiting += 1
            position = waiting
            reasons = "Dossier de qualité, enveloppe de la relève épuisée."
        committee.record_decision(
            session,
            application,
            actor=member,
            decision={"accepted": "accepted", "rejected": "rejected"}.get(outcome, "waiting_list"),
            reasons=reasons,
            amount=amount,
            waiting_position=position,
        )
    count = committee.publish_session(session, actor=national_user)
    out.write(
        f"  séance publiée « {PUBLISHED_TITLE} » : {count} décision(s), lettres en file d’envoi"
    )


def _open_session(call, member, national_user, out):
    if CommitteeSession.objects.filter(call=call, title=OPEN_TITLE).exists():
        return
    result = national.simulate(
        call,
        AllocationParameters(
            envelope=Decimal(500000),
            min_award=Decimal(30000),
            max_award=Decimal(100000),
            priority_bonus=Decimal("0.3"),
            waiting_list_size=5,
        ),
    )
    simulation = national.save_simulation(
        call, "Relève de décembre — scénario 500 000 € (démo)", result, actor=national_user
    )
    session = CommitteeSession.objects.create(
        call=call,
        title=OPEN_TITLE,
        date=date(2026, 12, 17),
        place="Visioconférence",
        simulation=simulation,
    )
    session.members_present.set([member])
    proposed = len(committee.proposals(session))
    out.write(
        f"  séance ouverte « {OPEN_TITLE} » : {proposed} dossier(s) instruit(s) à décider — "
        f"/instruction/comite/{session.pk}/"
    )


def load(call, out, regions=None):
    """``regions``: codes of the régions to fill (all by default; tests take two)."""
    member = User.objects.filter(email="comite@demo.ptce.fr").first()
    national_user = User.objects.filter(email="cellule.nationale@demo.ptce.fr").first()
    if member is None or national_user is None:
        out.write("Relève de démonstration : comptes comité ou cellule nationale absents.")
        return
    _CODES.clear()
    people = _accounts(out)
    decided = []
    done = 0
    for index, region_id in enumerate(REGIONS):
        if regions is not None and region_id not in regions:
            continue
        owner = people[region_id][3]
        if Application.objects.filter(owner=owner, call=call).exists():
            continue
        decided += _region(region_id, index, people[region_id], call, national_user, out)
        done += 1
    if decided:
        _decide_and_publish(call, decided, member, national_user, out)
    _open_session(call, member, national_user, out)
    total = Application.objects.filter(call=call).count()
    out.write(
        f"Relève de démonstration : {done} région(s) ajoutée(s), {total} dossier(s) sur l’appel ; "
        "séances : /instruction/comite/"
    )
