"""Previous State support and declared-versus-register checks shown to reviewers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import login_staff
from applications import services as application_services
from applications.choices import ApplicationStatus, LegalForm, MemberCategory
from applications.description import describe
from applications.factories import complete_application
from applications.models import Application, Member
from calls.choices import Phase
from calls.eligibility import evaluate
from laureates.factories import PtceFactory, PtceLabelFactory
from laureates.models import AwardStatus
from laureates.services import create_award
from registry.checks import previous_supports, register_checks
from registry.factories import EstablishmentFactory, LegalUnitFactory, siret_of
from reviews.factories import call_with_grid, reviewers

pytestmark = pytest.mark.django_db


def _file(call=None, **lead):
    application = complete_application(call=call or call_with_grid())
    for name, value in lead.items():
        setattr(application, name, value)
    application.pole_name = f"Pôle {application.pk}"
    application.lead_name = lead.get("lead_name", f"Structure {application.pk}")
    application.save()
    return application


def _accepted_funding_file(**lead):
    earlier = _file(**lead)
    Application.objects.filter(pk=earlier.pk).update(
        phase=Phase.FUNDING, status=ApplicationStatus.ACCEPTED, reference="PTCE-2023-0007"
    )
    earlier.refresh_from_db()
    return earlier


# --- previous State support -----------------------------------------------------------------


def test_award_of_an_earlier_call_is_found_by_the_lead_siret_once():
    earlier = _accepted_funding_file()
    earlier.call.title, earlier.call.year = "AMI 2023", 2023
    earlier.call.save()
    create_award(
        earlier,
        phase=Phase.FUNDING,
        amount=Decimal("80000"),
        decided_at=datetime.datetime(2023, 11, 6, tzinfo=datetime.UTC),
    )
    application = _file(lead_siret=earlier.lead_siret)
    [support] = previous_supports(application)  # award, label and accepted file: one decision
    assert (support.call_title, support.year, support.phase_label) == ("AMI 2023", 2023, "phase 2")
    assert (support.matched_by, support.source) == ("SIRET", "décision de soutien")
    assert support.amount == Decimal("80000.00")
    assert support.summary == "AMI 2023 phase 2"


def test_historical_label_found_by_siren_of_another_establishment():
    application = _file()
    siren = application.lead_siret[:9]
    ptce = PtceFactory(lead_organisation_siret=siret_of(siren, 2), name="Pôle historique")
    PtceLabelFactory(ptce=ptce, title="AAP 2013", year=2013, phase="")
    [support] = previous_supports(application)
    assert (support.call_title, support.year, support.phase_label) == ("AAP 2013", 2013, "")
    assert (support.matched_by, support.pole) == ("SIREN", "Pôle historique")
    assert support.summary == "AAP 2013"


def test_phase_one_label_cancelled_award_and_same_call_do_not_count():
    application = _file()
    ptce = PtceFactory(lead_organisation_siret=application.lead_siret)
    PtceLabelFactory(ptce=ptce, title="AMI 2021", year=2021, phase=Phase.EMERGENCE)
    earlier = _accepted_funding_file(lead_siret=application.lead_siret)
    award = create_award(earlier, phase=Phase.FUNDING, amount=Decimal("50000"))
    award.status = AwardStatus.CANCELLED
    award.save()
    Application.objects.filter(pk=earlier.pk).update(status=ApplicationStatus.REJECTED)
    ptce.labels.filter(phase=Phase.FUNDING).delete()
    assert previous_supports(application) == []
    # an accepted phase-2 file of the same call is not « an earlier call »
    Application.objects.filter(pk=earlier.pk).update(
        status=ApplicationStatus.ACCEPTED, call=application.call
    )
    assert previous_supports(application) == []


def test_match_by_name_when_the_siret_differs():
    _accepted_funding_file(lead_name="Association Terres de Liens du Bocage")
    application = _file(lead_name="association terres de liens du bocage")
    [support] = previous_supports(application)
    assert (support.matched_by, support.source) == ("nom", "dossier retenu PTCE-2023-0007")


def test_found_support_fails_the_eligibility_rule_unless_the_call_allows_it():
    application = _file()
    ptce = PtceFactory(lead_organisation_siret=application.lead_siret)
    PtceLabelFactory(ptce=ptce, title="AAP 2015", year=2015, phase="")
    description = describe(application)
    assert description["previous_state_support"] is False  # not declared by the candidate
    assert description["previous_state_support_found"] == ["AAP 2015"]
    rules = {"allows_previous_support": False}
    verdict = evaluate(description, rules).verdict("previous_state_support")
    assert verdict.passed is False
    assert "D’après les décisions enregistrées" in verdict.message
    assert "(AAP 2015)" in verdict.message
    allowed = evaluate(description, {"allows_previous_support": True})
    assert allowed.verdict("previous_state_support").passed is True
    with pytest.raises(application_services.SubmissionRefused):
        application_services.submit(application, actor=application.owner)


def test_no_support_and_no_lead_identity():
    application = _file()
    assert previous_supports(application) == []
    application.lead_siret = application.lead_name = application.pole_name = ""
    assert previous_supports(application) == []


# --- declared values next to the register's ---------------------------------------------------


def _with_members(application, *members):
    application.members.all().delete()
    Member.objects.bulk_create(
        Member(application=application, kind="organisation", order=i, **values)
        for i, values in enumerate(members)
    )
    return application


def test_declared_values_agreeing_with_the_register_give_no_warning():
    unit = LegalUnitFactory(name="LES JARDINS DU BOCAGE")  # association 9220, ESS
    lead = EstablishmentFactory(siren=unit.siren)
    commune_unit = LegalUnitFactory(legal_category="7210", is_ess=False, name="COMMUNE D’YFFINIAC")
    commune = EstablishmentFactory(siren=commune_unit.siren)
    application = _with_members(
        _file(lead_siret=lead.siret, lead_legal_category="9220"),
        {"siret": commune.siret, "name": "Commune", "category": MemberCategory.LOCAL_AUTHORITY},
    )
    checks = register_checks(application)
    assert [(c.role, c.siret, c.warnings) for c in checks] == [
        ("Structure porteuse", lead.siret, []),
        ("Membre", commune.siret, []),
    ]
    assert checks[0].declared == [
        "Forme juridique : Association loi 1901",
        "ESS : oui",
        "Catégorie juridique : 9220",
        "Catégorie (article 9) : Entreprise de l’économie sociale et solidaire",
    ]
    assert checks[0].register == [
        "LES JARDINS DU BOCAGE",
        "Catégorie juridique : Association déclarée (9220)",
        "Famille : Association",
        "ESS : oui",
        "État : actif",
        "Catégorie (article 9) suggérée : Entreprise de l’économie sociale et solidaire",
    ]


def test_differences_closed_and_unknown_sirets_are_warned():
    company = LegalUnitFactory(company=True)  # SAS 5710, not ESS
    lead = EstablishmentFactory(siren=company.siren)
    association = EstablishmentFactory()
    closed = EstablishmentFactory(closed=True)
    unknown = siret_of("732829320", 7)
    application = _with_members(
        _file(
            lead_siret=lead.siret,
            lead_legal_form=LegalForm.ASSOCIATION,
            lead_is_ess=True,
            lead_legal_category="9220",
            lead_category=MemberCategory.ESS_ENTERPRISE,
        ),
        {"siret": association.siret, "name": "Asso", "category": MemberCategory.OTHER_ENTERPRISE},
        {"siret": closed.siret, "name": "Fermée", "category": MemberCategory.ESS_ENTERPRISE},
        {"siret": unknown, "name": "Inconnue", "category": MemberCategory.OTHER_ENTERPRISE},
        {"siret": "", "name": "Personne", "category": MemberCategory.OTHER},
    )
    lead_check, association_check, closed_check, unknown_check = register_checks(application)
    assert lead_check.warnings == [
        "Forme juridique déclarée « Association loi 1901 », mais le répertoire indique "
        "« SAS, société par actions simplifiée ».",
        "Déclarée dans l’ESS, mais le répertoire ne l’y classe pas.",
        "Catégorie juridique déclarée 9220, celle du répertoire est 5710.",
        "Catégorie déclarée « Entreprise de l’économie sociale et solidaire », mais le "
        "répertoire ne la classe pas dans l’ESS.",
    ]
    assert association_check.warnings == [
        "Catégorie déclarée « Autre entreprise », mais le répertoire la classe dans l’ESS."
    ]
    assert closed_check.warnings == ["Cet établissement est fermé depuis le 12/03/2021."]
    assert unknown_check.warnings == [
        "SIRET « à vérifier » : inconnu du répertoire pour l’instant (revérifié "
        "automatiquement toutes les 6 heures)."
    ]
    assert unknown_check.register == ["À vérifier"]


# --- the reviewer's page ----------------------------------------------------------------------


def test_reviewer_page_shows_previous_support_and_register_warnings(client):
    company = LegalUnitFactory(company=True, name="BÉTON ET FILS")
    lead = EstablishmentFactory(siren=company.siren)
    application = _file(lead_siret=lead.siret, lead_legal_category="")
    ptce = PtceFactory(lead_organisation_siret=lead.siret, name="Pôle du Penthièvre")
    PtceLabelFactory(ptce=ptce, title="AAP 2015", year=2015, phase="")
    application.call.allows_previous_support = True  # lets the file be submitted
    application.call.save()
    [application] = application_services.submit(application, actor=application.owner)
    reviewer = reviewers(count=1)[0]
    login_staff(client, reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/instruction/dossiers/{application.uuid}/")
    assert page.status_code == 200
    html = page.content.decode()
    # the file page shows the register checks under « Signaux » and the supports in their section
    assert '<h2 class="fr-h3" id="soutiens-titre">Soutiens antérieurs</h2>' in html
    assert "Déclaré par le candidat et répertoire SIRENE" in html
    assert "Déjà soutenu par l’État au titre d’un autre appel" in html
    assert "(cet appel admet les pôles déjà soutenus)" in html
    assert "AAP 2015 — label de l’annuaire des PTCE, pôle « Pôle du Penthièvre »" in html
    assert "rapproché par le SIRET de la structure porteuse" in html
    assert "BÉTON ET FILS" in html
    assert "Déclarée dans l’ESS, mais le répertoire ne l’y classe pas." in html
    assert "écarts à examiner" in html
    assert "<caption>Structure porteuse et membres : valeurs déclarées" in html
    # members of the generated file are unknown to the register: « à vérifier », no extra query
    assert html.count("SIRET « à vérifier » : inconnu") == 3
    panel = [q["sql"] for q in queries.captured_queries if "registry_" in q["sql"]]
    assert len(panel) == 2  # lookup_many: establishments and legal units, whatever the count


def test_demo_register_knows_the_demo_file_and_shows_one_difference():
    """The demo's reviewer page has something to show (applications/demo.py, seed 1)."""
    import io

    from applications.demo import _siret
    from registry import demo

    assert [demo.demo_file_siret(seed) for seed in (1, 11, 12, 13)] == [
        _siret(seed) for seed in (1, 11, 12, 13)
    ]
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent
    application = _with_members(
        _file(
            lead_siret=_siret(1),
            lead_legal_form=LegalForm.COOPERATIVE,
            lead_legal_category="5458",
        ),
        {"siret": _siret(12), "name": "Transports", "category": MemberCategory.OTHER_ENTERPRISE},
        {"siret": _siret(13), "name": "CC", "category": MemberCategory.LOCAL_AUTHORITY},
        {"siret": _siret(14), "name": "Lycée", "category": MemberCategory.TRAINING_BODY},
    )
    assert [len(check.warnings) for check in register_checks(application)] == [0, 1, 0, 1]


def test_snapshot_values_are_compared_and_an_old_category_does_not_break_the_page():
    association = EstablishmentFactory()
    application = _file()
    snapshot = {
        "lead": {"siret": association.siret, "name": "Déposé", "legal_form": "ancienne_forme"},
        "members": [{"siret": association.siret, "name": "Membre", "category": "ancienne"}],
    }
    lead_check, member_check = register_checks(application, snapshot)
    assert (lead_check.name, lead_check.declared[0]) == (
        "Déposé",
        "Forme juridique : ancienne_forme",
    )
    assert member_check.declared == ["Catégorie (article 9) : ancienne"]
    assert member_check.warnings == []


def test_file_page_shows_previous_award_amount_in_french_in_its_section(client):
    earlier = _accepted_funding_file()
    earlier.call.title, earlier.call.year = "AMI 2023", 2023
    earlier.call.save()
    create_award(
        earlier,
        phase=Phase.FUNDING,
        amount=Decimal("80000"),
        decided_at=datetime.datetime(2023, 11, 6, tzinfo=datetime.UTC),
    )
    application = _file(lead_siret=earlier.lead_siret)
    application.call.allows_previous_support = True
    application.call.save()
    [application] = application_services.submit(application, actor=application.owner)
    login_staff(client, reviewers(count=1)[0])
    html = client.get(f"/instruction/dossiers/{application.uuid}/").content.decode()
    section = html[html.index('id="soutiens-anterieurs"') : html.index('id="dossier"')]
    assert "AMI 2023 phase 2 — décision de soutien" in section
    assert ", 80\u00a0000\u00a0€ — rapproché par le SIRET de la structure porteuse" in section
