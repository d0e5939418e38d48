"""A realistic demo directory: forty fictional poles « (démo) » in every région, overseas
included, placed in real communes (chief towns of real départements)."""

from applications.choices import MemberCategory
from calls.models import Phase
from laureates.models import Ptce, PtceLabel, PtceMember, PtceStatus, PtceStatusChange
from laureates.services import refresh_search, set_ptce_territory, unique_slug
from territories.models import Commune, Department

E, F, A, X = PtceStatus.EMERGING, PtceStatus.FUNDED, PtceStatus.ACTIVE, PtceStatus.INACTIVE
AAP13, AAP15 = ("AAP 2013", 2013, ""), ("AAP 2015", 2015, "")
AMI21_1, AMI21_2 = ("AMI 2021", 2021, Phase.EMERGENCE), ("AMI 2021", 2021, Phase.FUNDING)
AMI23_1, AMI23_2 = ("AMI 2023", 2023, Phase.EMERGENCE), ("AMI 2023", 2023, Phase.FUNDING)
AMI24_2, AMI25_2 = ("AMI 2024", 2024, Phase.FUNDING), ("AMI 2025", 2025, Phase.FUNDING)

# (name, département, themes, status, labels)
POLES = [
    ("Ressourcerie coopérative du Bugey", "01", ["circular_economy"], A, [AAP13]),
    ("Pôle alimentaire de la Thiérache", "02", ["food"], F, [AMI21_1, AMI21_2]),
    ("Bois et habitat des Monts d’Ardèche", "07", ["wood", "construction"], A, [AAP15]),
    ("Mobilités solidaires du Cantal", "15", ["mobility"], E, [AMI23_1]),
    ("Fabrique culturelle de Bourgogne", "21", ["culture"], A, [AAP13, AMI21_1]),
    ("Tiers-lieu numérique du Haut-Doubs", "25", ["digital"], E, [AMI24_2]),
    ("Coopérative textile des Vosges", "88", ["textile"], F, [AMI21_1, AMI23_2]),
    ("Pôle réemploi du Val de Loire", "37", ["circular_economy"], A, [AAP15, AMI21_1]),
    ("Saveurs du Berry", "18", ["food"], X, [AAP13]),
    ("Éco-construction du Cotentin", "50", ["construction"], A, [AMI21_1]),
    ("Énergies citoyennes de Normandie", "76", ["energy"], E, [AMI23_1]),
    ("Cap Insertion Hauts-de-France", "59", ["employment"], F, [AMI21_1, AMI21_2]),
    ("Pôle de la Côte d’Opale", "62", ["tourism", "food"], A, [AAP15]),
    ("Archipel des solidarités franciliennes", "93", ["care", "employment"], F, [AMI23_2]),
    ("Coopérative numérique du Val-de-Marne", "94", ["digital"], E, [AMI25_2]),
    ("Alimentation durable de l’Essonne", "91", ["food"], A, [AMI21_1]),
    ("Pôle lorrain du réemploi", "54", ["circular_economy"], A, [AAP13]),
    ("Vignes et coopération de Champagne", "51", ["food", "tourism"], E, [AMI23_1]),
    ("Alsace bois coopération", "67", ["wood"], F, [AMI21_1, AMI24_2]),
    ("Pôle nantais des mobilités", "44", ["mobility"], A, [AAP15]),
    ("Coopérations vendéennes", "85", ["employment", "care"], E, [AMI21_1]),
    ("Pays de Morlaix solidaire", "29", ["food", "circular_economy"], A, [AAP13, AMI21_1]),
    ("Breizh énergie partagée", "56", ["energy"], F, [AMI23_1, AMI23_2]),
    ("Pôle landais du bois", "40", ["wood"], A, [AAP15]),
    ("Culture en Limousin", "87", ["culture"], X, [AAP13]),
    ("Coopérative du Pays basque intérieur", "64", ["food", "tourism"], E, [AMI24_2]),
    ("Pôle textile des Cévennes", "30", ["textile"], E, [AMI21_1]),
    ("Toulouse coopération numérique", "31", ["digital"], A, [AMI21_1, AMI21_2]),
    ("Solidarités de l’Aveyron", "12", ["care"], F, [AMI23_2]),
    ("Ressourcerie du Vaucluse", "84", ["circular_economy"], A, [AAP15]),
    ("Alpes du Sud mobilité partagée", "05", ["mobility", "tourism"], E, [AMI25_2]),
    ("Pôle marseillais de l’habitat", "13", ["construction"], A, [AMI21_1]),
    ("Corsica cooperazione", "2A", ["food", "tourism"], E, [AMI23_1]),
    ("Pôle agricole de Haute-Corse", "2B", ["food"], F, [AMI21_1, AMI24_2]),
    ("Karukera solidaire", "971", ["food", "employment"], E, [AMI21_1]),
    ("Madinina réemploi", "972", ["circular_economy"], A, [AMI21_1]),
    ("Guyane bois et savoir-faire", "973", ["wood", "employment"], E, [AMI23_1]),
    ("La Réunion coopérative alimentaire", "974", ["food"], F, [AMI21_1, AMI21_2]),
    ("Mayotte mobilités solidaires", "976", ["mobility"], E, [AMI25_2]),
    ("Culture partagée de l’Hérault", "34", ["culture", "digital"], A, [AAP15, AMI23_1]),
]

MEMBER_PATTERNS = [
    ("Association {short}", MemberCategory.ESS_ENTERPRISE, True),
    ("SCIC {short}", MemberCategory.ESS_ENTERPRISE, True),
    ("SARL Atelier {short}", MemberCategory.OTHER_ENTERPRISE, False),
    ("Communauté de communes partenaire ({dept})", MemberCategory.LOCAL_AUTHORITY, True),
    ("Lycée professionnel {short}", MemberCategory.TRAINING_BODY, False),
]


def load(out):
    created = 0
    for index, (name, department_code, themes, status, labels) in enumerate(POLES):
        full_name = f"{name} (démo)"
        if Ptce.objects.filter(name=full_name).exists():
            continue
        department = Department.objects.get(code=department_code)
        chief_town = Commune.objects.current().get(code=department.chief_town_code)
        neighbours = list(
            Commune.objects.current()
            .filter(epci_id=chief_town.epci_id, department=department)
            .exclude(pk=chief_town.pk)
            .order_by("-population")
            .values_list("code", flat=True)[: index % 3]
        )
        short = name.split(" ", 1)[-1]
        ptce = Ptce.objects.create(
            name=full_name,
            slug=unique_slug(full_name),
            description=(
                f"Pôle fictif de démonstration à {chief_town.name}. Il réunit des entreprises "
                "de l’économie sociale et solidaire, des entreprises classiques, la collectivité "
                "et un organisme de formation autour d’une stratégie commune de coopération."
            ),
            lead_organisation_name=f"Association {short} (démo)",
            contact_email=f"contact{index + 1}@ptce-demo.example" if index % 2 == 0 else "",
            website=f"https://ptce-demo.example/{index + 1}" if index % 3 == 0 else "",
            themes=themes,
            status=status,
        )
        PtceStatusChange.objects.create(
            ptce=ptce, to_status=PtceStatus.EMERGING, reason="Label de démonstration"
        )
        if status != PtceStatus.EMERGING:
            PtceStatusChange.objects.create(
                ptce=ptce,
                from_status=PtceStatus.EMERGING,
                to_status=status,
                reason="Fermeture du pôle (démo)" if status == PtceStatus.INACTIVE else "",
            )
        for title, year, phase in labels:
            PtceLabel.objects.create(ptce=ptce, title=title, year=year, phase=phase)
        for position, (pattern, category, public) in enumerate(MEMBER_PATTERNS):
            PtceMember.objects.create(
                ptce=ptce,
                name=pattern.format(short=short, dept=department.name) + " (démo)",
                category=category,
                is_public=public and (index + position) % 4 != 0,
            )
        set_ptce_territory(ptce, commune_codes=[chief_town.code, *neighbours])
        refresh_search(ptce)
        created += 1
    total = Ptce.objects.count()
    out.write(f"Annuaire : {created} PTCE de démonstration créés ({total} au total)\n")
    from laureates.demo_support import load as load_support

    load_support(out)
    from laureates.demo_followup import load as load_followup

    load_followup(out)
