"""The eligibility engine: every rule, its edge cases, and malformed input."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.eligibility import RULES, MalformedFile, euros, evaluate

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eligibility-file.json"

RULES_2025 = {
    "phases": ["emergence", "funding"],
    "min_award": "30000",
    "max_award": "80000",
    "allows_previous_support": False,
    "required_attachments": [
        {"kind": "statutes", "phase": ""},
        {"kind": "budget", "phase": "funding"},
    ],
}


def org(name, category, siret=None, **extra):
    return {"name": name, "kind": "organisation", "siret": siret, "category": category, **extra}


def person(name, category="other"):
    return {"name": name, "kind": "natural_person", "siret": None, "category": category}


def make_file(**overrides):
    """An eligible phase 1 + phase 2 file with exactly three legal persons (lead included)."""
    file = {
        "phases": ["emergence", "funding"],
        "has_emergence_label": False,
        "lead": {
            "name": "Association Porteuse",
            "siret": "41234567000019",
            "legal_form": "Association déclarée",
            "legal_category": "9220",
            "is_public_body": False,
            "category": "ess_enterprise",
        },
        "members": [
            org("Menuiserie Dupré", "other_enterprise", "51234567900017"),
            org("Communauté de communes", "local_authority"),
        ],
        "territory": {"communes": ["01053"], "epcis": []},
        "project": {"innovation": "Une ressourcerie partagée."},
        "previous_state_support": False,
        "budget": {
            "requested_amount": "80000",
            "total_expenses": "120000",
            "total_resources": "120000",
        },
        "attachments": ["statutes", "budget"],
    }
    file.update(overrides)
    return file


def verdict(file, code, rules=RULES_2025):
    return evaluate(file, rules).verdict(code)


def test_baseline_file_is_eligible_with_every_rule_met_or_not_applicable():
    result = evaluate(make_file(), RULES_2025)
    assert result.eligible is True
    assert [v.code for v in result.verdicts] == list(RULES)
    assert [v.passed for v in result.verdicts] == [True] * 13
    assert result.unmet == []


def test_documented_example_is_eligible_under_its_embedded_rules():
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    result = evaluate(data, data["rules"])
    assert result.eligible is True
    assert result.verdict("three_legal_persons").message == (
        "Le groupement compte 4 personnes morales, structure porteuse comprise. 1 personne "
        "physique participe au pôle mais ne compte pas parmi les personnes morales."
    )


def test_to_dict_is_json_ready():
    result = evaluate(make_file(members=[]), RULES_2025)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["eligible"] is False
    assert data["unmet"] == ["three_legal_persons", "non_ess_enterprise", "other_article_9_actor"]
    assert data["verdicts"][0] == {
        "code": "lead_private_legal_person",
        "label": "Structure porteuse : personne morale de droit privé",
        "passed": True,
        "message": "La structure porteuse est une personne morale de droit privé.",
    }


# --- Lead -----------------------------------------------------------------------------------


def test_lead_that_is_a_public_body_is_refused():
    file = make_file()
    file["lead"]["is_public_body"] = True
    result = evaluate(file, RULES_2025)
    assert result.eligible is False
    rule = result.verdict("lead_private_legal_person")
    assert rule.passed is False
    assert "personne morale de droit public" in rule.message
    assert "désignez un autre membre comme structure porteuse" in rule.message


@pytest.mark.parametrize("legal_category", ["7210", "4110"])
def test_lead_with_a_public_law_insee_category_is_refused(legal_category):
    file = make_file()
    file["lead"]["legal_category"] = legal_category
    assert verdict(file, "lead_private_legal_person").passed is False


def test_natural_person_lead_is_refused_and_not_counted_as_legal_person():
    file = make_file()
    file["lead"] = {"name": "Jeanne Martin", "kind": "natural_person", "category": "other"}
    result = evaluate(file, RULES_2025)
    rule = result.verdict("lead_private_legal_person")
    assert rule.passed is False
    assert rule.message.startswith("La structure porteuse est une personne physique")
    assert result.verdict("three_legal_persons").passed is False


def test_sole_trader_lead_by_insee_category_is_a_natural_person():
    file = make_file()
    file["lead"]["legal_category"] = "1000"
    assert verdict(file, "lead_private_legal_person").passed is False


# --- Composition of the grouping ------------------------------------------------------------


def test_exactly_three_legal_persons_with_the_lead_counted():
    rule = verdict(make_file(), "three_legal_persons")
    assert rule.passed is True
    assert rule.message == "Le groupement compte 3 personnes morales, structure porteuse comprise."


def test_two_legal_persons_are_not_enough_and_the_message_says_how_many_to_add():
    file = make_file(members=[org("Menuiserie Dupré", "other_enterprise")])
    rule = verdict(file, "three_legal_persons")
    assert rule.passed is False
    assert rule.message == (
        "Le groupement compte 2 personnes morales, structure porteuse comprise ; il en faut au "
        "moins trois. Ajoutez 1 membre personne morale (organisation, avec son numéro SIRET)."
    )


def test_natural_persons_never_count_as_legal_persons():
    file = make_file(
        members=[
            org("Menuiserie Dupré", "other_enterprise"),
            person("Jeanne Martin"),
            person("Paul Durand"),
        ]
    )
    rule = verdict(file, "three_legal_persons")
    assert rule.passed is False
    assert rule.message.startswith("Le groupement compte 2 personnes morales")
    assert "2 personnes physiques participent au pôle mais ne comptent pas" in rule.message


def test_the_lead_repeated_among_members_counts_once():
    file = make_file(
        members=[
            org("Menuiserie Dupré", "other_enterprise", "51234567900017"),
            org("Association Porteuse (antenne)", "ess_enterprise", "41234567000027"),
        ]
    )
    rule = verdict(file, "three_legal_persons")
    assert rule.passed is False
    assert "1 membre déclaré en double" in rule.message


def test_no_ess_enterprise():
    file = make_file()
    file["lead"]["category"] = "other"
    rule = verdict(file, "ess_enterprise")
    assert rule.passed is False
    assert "Aucune entreprise de l’économie sociale et solidaire" in rule.message


def test_natural_person_cannot_be_the_ess_enterprise():
    file = make_file()
    file["lead"]["category"] = "other"
    file["members"].append(person("Jeanne Martin", "ess_enterprise"))
    rule = verdict(file, "ess_enterprise")
    assert rule.passed is False
    assert "« Jeanne Martin » ne compte(nt) pas" in rule.message


def test_no_non_ess_enterprise():
    file = make_file(members=[org("Coop", "ess_enterprise"), org("Commune", "local_authority")])
    rule = verdict(file, "non_ess_enterprise")
    assert rule.passed is False
    assert "ajoutez un membre de catégorie « Autre entreprise »" in rule.message


def test_a_member_of_a_group_mostly_non_ess_counts_as_non_ess_enterprise():
    file = make_file(
        members=[
            org("Filiale d’insertion du groupe", "ess_enterprise", group_mostly_non_ess=True),
            org("Commune", "local_authority"),
        ]
    )
    result = evaluate(file, RULES_2025)
    assert result.eligible is True
    assert result.verdict("non_ess_enterprise").message == (
        "Entreprise(s) hors ESS dans le groupement : « Filiale d’insertion du groupe » (dont "
        "« Filiale d’insertion du groupe » au titre d’un groupe majoritairement hors ESS)."
    )


def test_a_group_mostly_non_ess_is_not_the_ess_enterprise_too():
    file = make_file(
        members=[
            org("Filiale du groupe", "ess_enterprise", group_mostly_non_ess=True),
            org("Commune", "local_authority"),
        ]
    )
    file["lead"]["category"] = "other"
    result = evaluate(file, RULES_2025)
    assert result.verdict("ess_enterprise").passed is False
    assert result.verdict("non_ess_enterprise").passed is True


def test_natural_person_flagged_group_mostly_non_ess_does_not_count():
    file = make_file(
        members=[
            {**person("Jeanne Martin", "other_enterprise"), "group_mostly_non_ess": True},
            org("Commune", "local_authority"),
        ]
    )
    assert verdict(file, "non_ess_enterprise").passed is False


@pytest.mark.parametrize(
    "category",
    ["local_authority", "research_centre", "higher_education", "training_body", "other"],
)
def test_each_other_article_9_actor_category_is_accepted(category):
    file = make_file(members=[org("Entreprise", "other_enterprise"), org("Acteur", category)])
    assert verdict(file, "other_article_9_actor").passed is True


def test_no_other_article_9_actor():
    file = make_file(
        members=[
            org("Entreprise", "other_enterprise"),
            org("Autre entreprise", "other_enterprise"),
        ]
    )
    rule = verdict(file, "other_article_9_actor")
    assert rule.passed is False
    assert rule.message == (
        "Le groupement doit associer au moins un autre acteur de l’article 9 de la loi ESS : "
        "collectivité territoriale ou groupement, centre de recherche, établissement "
        "d’enseignement supérieur et de recherche, organisme de formation, ou toute autre "
        "personne physique ou morale. Ajoutez un tel membre avec sa catégorie (une personne "
        "physique membre du pôle remplit aussi cette condition)."
    )


@pytest.mark.parametrize("category", ["other", "research_centre", None, "other_enterprise"])
def test_a_natural_person_is_an_other_article_9_actor(category):
    """Law n° 2014-856, art. 9: « … des organismes de formation ou toute autre personne physique
    ou morale »: a natural person member fills the condition, whatever category was ticked."""
    file = make_file(
        members=[
            org("Entreprise", "other_enterprise"),
            org("Autre entreprise", "other_enterprise"),
            person("Jeanne Martin", category),
        ]
    )
    result = evaluate(file, RULES_2025)
    rule = result.verdict("other_article_9_actor")
    assert rule.passed is True
    assert rule.message == (
        "Autre(s) acteur(s) de l’article 9 : « Jeanne Martin » (personne physique, au titre de "
        "« toute autre personne physique ou morale » de l’article 9 ; une personne physique ne "
        "compte pas parmi les trois personnes morales)."
    )
    # … but never among the three legal persons: lead + two enterprises = 3, not 4.
    assert result.verdict("three_legal_persons").message.startswith(
        "Le groupement compte 3 personnes morales, structure porteuse comprise. "
        "1 personne physique participe au pôle mais ne compte pas"
    )
    assert result.eligible is True


def test_a_natural_person_does_not_make_up_for_a_missing_legal_person():
    file = make_file(members=[org("Entreprise", "other_enterprise"), person("Jeanne Martin")])
    result = evaluate(file, RULES_2025)
    assert result.verdict("other_article_9_actor").passed is True
    assert result.verdict("three_legal_persons").passed is False
    assert result.eligible is False
    assert result.to_dict()["unmet"] == ["three_legal_persons"]


def test_legal_and_natural_other_actors_are_both_named():
    file = make_file(
        members=[
            org("Entreprise", "other_enterprise"),
            org("Commune", "local_authority"),
            person("Jeanne Martin"),
            person("Paul Durand"),
        ]
    )
    assert verdict(file, "other_article_9_actor").message == (
        "Autre(s) acteur(s) de l’article 9 : « Commune », « Jeanne Martin », « Paul Durand » "
        "(personnes physiques, au titre de « toute autre personne physique ou morale » de "
        "l’article 9 ; une personne physique ne compte pas parmi les trois personnes morales)."
    )


def test_a_natural_person_lead_is_not_its_own_other_actor():
    file = make_file(members=[org("Entreprise", "other_enterprise"), org("Coop", "ess_enterprise")])
    file["lead"] = {"name": "Jeanne Martin", "kind": "natural_person", "category": "other"}
    result = evaluate(file, RULES_2025)
    assert result.verdict("lead_private_legal_person").passed is False
    assert result.verdict("other_article_9_actor").passed is False


def test_member_without_category_counts_as_legal_person_only():
    file = make_file(members=[org("A", None), org("B", "")])
    result = evaluate(file, RULES_2025)
    assert result.verdict("three_legal_persons").passed is True
    assert result.verdict("non_ess_enterprise").passed is False


# --- Territory, innovation, previous support -------------------------------------------------


def test_empty_territory():
    rule = verdict(make_file(territory={"communes": [], "epcis": []}), "territory")
    assert rule.passed is False
    assert rule.message.startswith("Aucun territoire n’est défini.")


def test_blank_codes_do_not_define_a_territory():
    assert verdict(make_file(territory={"communes": ["  "]}), "territory").passed is False


def test_epci_alone_defines_a_territory():
    rule = verdict(make_file(territory={"epcis": ["200071751"]}), "territory")
    assert (rule.passed, rule.message) == (True, "Territoire défini : 1 EPCI.")


def test_missing_territory_is_an_unmet_rule_not_a_malformed_file():
    file = make_file()
    del file["territory"]
    assert verdict(file, "territory").passed is False


@pytest.mark.parametrize("innovation", ["", "   \n\t ", None])
def test_whitespace_only_innovation_is_not_described(innovation):
    rule = verdict(make_file(project={"innovation": innovation}), "innovation")
    assert rule.passed is False
    assert "« Innovation sociale ou technologique »" in rule.message


def test_previous_support_refused_unless_the_call_allows_it():
    file = make_file(previous_state_support=True)
    refused = verdict(file, "previous_state_support")
    assert refused.passed is False
    assert "n’est pas ouvert aux pôles déjà soutenus" in refused.message
    allowed = verdict(
        file, "previous_state_support", {**RULES_2025, "allows_previous_support": True}
    )
    assert allowed.passed is True
    assert evaluate(file, None).verdict("previous_state_support").passed is False


def test_previous_support_found_by_the_caller_is_named_in_the_message():
    file = make_file(previous_state_support_found=["AAP 2015", "AMI 2023 phase 2"])
    refused = verdict(file, "previous_state_support")
    assert refused.passed is False
    assert refused.message.startswith(
        "D’après les décisions enregistrées, ce pôle ou sa structure porteuse a déjà été "
        "soutenu par l’État au titre d’un appel précédent (AAP 2015 ; AMI 2023 phase 2)"
    )
    allowed = verdict(
        file, "previous_state_support", {**RULES_2025, "allows_previous_support": True}
    )
    assert allowed.passed is True
    assert "(AAP 2015 ; AMI 2023 phase 2)" in allowed.message
    with pytest.raises(MalformedFile) as error:
        evaluate(make_file(previous_state_support_found="AAP 2015"), RULES_2025)
    assert error.value.field == "previous_state_support_found"


# --- Call-specific rules -----------------------------------------------------------------------


def test_phase_not_offered_by_the_call():
    rule = verdict(make_file(), "call_phases", {**RULES_2025, "phases": ["emergence"]})
    assert rule.passed is False
    assert rule.message == (
        "Cet appel ne propose pas : phase 2. Phases ouvertes : phase 1 (label). Retirez la "
        "phase non proposée ou choisissez un autre appel."
    )


def test_phase_2_alone_without_label_is_refused():
    rule = verdict(make_file(phases=["funding"]), "emergence_prerequisite")
    assert rule.passed is False
    assert "demandez la phase 1 en même temps" in rule.message


def test_phase_2_alone_with_label_is_accepted():
    file = make_file(phases=["funding"], has_emergence_label=True)
    assert evaluate(file, RULES_2025).eligible is True
    assert verdict(file, "emergence_prerequisite").message == (
        "Le pôle a déjà obtenu le label « PTCE émergent »."
    )


def test_phase_1_alone_skips_money_rules_and_phase_2_attachments():
    file = make_file(phases=["emergence"], budget=None, attachments=["statutes"])
    result = evaluate(file, RULES_2025)
    assert result.eligible is True
    assert [
        result.verdict(code).passed
        for code in ("emergence_prerequisite", "amount_bounds", "balanced_budget")
    ] == [None, None, None]
    assert result.verdict("required_attachments").message == (
        "Pièces obligatoires jointes : « Statuts »."
    )


@pytest.mark.parametrize(
    ("amount", "passed"),
    [
        ("29999.99", False),
        ("30000", True),
        (30000, True),
        ("80 000,00", True),
        (80000.0, True),
        ("80000.01", False),
    ],
)
def test_amount_bounds_are_inclusive(amount, passed):
    file = make_file(
        budget={"requested_amount": amount, "total_expenses": "1", "total_resources": "1"}
    )
    assert verdict(file, "amount_bounds").passed is passed


def test_amount_above_max_message():
    file = make_file(
        budget={"requested_amount": "100000", "total_expenses": 1, "total_resources": 1}
    )
    assert verdict(file, "amount_bounds").message == (
        "Le montant demandé (100\u00a0000\u00a0€) dépasse le maximum de l’appel "
        "(80\u00a0000\u00a0€). Réduisez la demande et complétez les ressources par d’autres "
        "financeurs."
    )


def test_missing_or_zero_amount_is_unmet_for_phase_2():
    for budget in (None, {"requested_amount": "0"}):
        assert verdict(make_file(budget=budget), "amount_bounds").passed is False


def test_amount_without_call_bounds_only_needs_to_be_positive():
    rule = verdict(make_file(), "amount_bounds", None)
    assert (rule.passed, rule.message) == (
        True,
        "Montant demandé : 80\u00a0000\u00a0€, dans les limites de l’appel.",
    )


def test_budget_unbalanced_by_one_euro():
    file = make_file(
        budget={"requested_amount": "80000", "total_expenses": "120000", "total_resources": 119999}
    )
    rule = verdict(file, "balanced_budget")
    assert rule.passed is False
    assert rule.message == (
        "Le budget n’est pas équilibré : dépenses 120\u00a0000\u00a0€, ressources "
        "119\u00a0999\u00a0€ ; il manque 1\u00a0€ de ressources : ajoutez un cofinancement ou "
        "réduisez les dépenses. Les deux totaux doivent être égaux à l’euro près."
    )


def test_budget_with_too_many_resources():
    file = make_file(
        budget={"requested_amount": "80000", "total_expenses": "1000", "total_resources": "1250,5"}
    )
    assert "les ressources dépassent les dépenses de 250,50\u00a0€" in (
        verdict(file, "balanced_budget").message
    )


def test_balanced_budget_with_different_spellings():
    file = make_file(
        budget={
            "requested_amount": 80000,
            "total_expenses": "120 000,00 €",
            "total_resources": "120000",
        }
    )
    assert verdict(file, "balanced_budget").passed is True


def test_empty_budget_is_not_balanced():
    file = make_file(budget={"requested_amount": "80000", "total_expenses": 0})
    assert verdict(file, "balanced_budget").message.startswith("Le budget prévisionnel est vide.")


def test_missing_required_attachments_are_named():
    rule = verdict(make_file(attachments=[]), "required_attachments")
    assert rule.passed is False
    assert rule.message == (
        "Pièce(s) obligatoire(s) manquante(s) : « Statuts », « Budget prévisionnel ». "
        "Joignez-les au dossier."
    )


def test_required_attachment_uses_the_call_label():
    rules = {"required_attachments": [{"kind": "other", "phase": "", "label": "Charte du pôle"}]}
    assert "« Charte du pôle »" in verdict(make_file(), "required_attachments", rules).message


def test_without_rules_call_rules_are_not_applicable():
    result = evaluate(make_file(), None)
    assert result.eligible is True
    assert result.verdict("call_phases").passed is None
    assert result.verdict("required_attachments").passed is None


# --- Malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda f: f.pop("phases"), "phases", "au moins une phase est attendue"),
        (lambda f: f.update(phases=["phase3"]), "phases[0]", "phase inconnue 'phase3'"),
        (lambda f: f.update(phases="emergence"), "phases", "une liste JSON"),
        (lambda f: f.pop("lead"), "lead", "un objet JSON"),
        (lambda f: f.update(members={}), "members", "une liste JSON"),
        (lambda f: f["members"].append("x"), "members[2]", "un objet JSON"),
        (
            lambda f: f["members"][1].update(category="mairie"),
            "members[1].category",
            "catégorie inconnue 'mairie'",
        ),
        (lambda f: f["members"][0].update(kind="robot"), "members[0].kind", "valeurs possibles"),
        (lambda f: f["lead"].update(is_public_body="non"), "lead.is_public_body", "true ou false"),
        (
            lambda f: f["budget"].update(requested_amount="beaucoup"),
            "budget.requested_amount",
            "n’est pas un montant",
        ),
        (
            lambda f: f["budget"].update(total_expenses="-5"),
            "budget.total_expenses",
            "ne peut pas être négatif",
        ),
        (
            lambda f: f["budget"].update(total_expenses=True),
            "budget.total_expenses",
            "pas true/false",
        ),
        (
            lambda f: f["budget"].update(total_resources=1e15),
            "budget.total_resources",
            "invraisemblable",
        ),
        (
            lambda f: f["territory"].update(communes=[1053]),
            "territory.communes[0]",
            "un texte",
        ),
        (lambda f: f.update(project="texte"), "project", "un objet JSON"),
        (lambda f: f.update(attachments="statutes"), "attachments", "une liste JSON"),
    ],
)
def test_malformed_file_names_the_field(mutate, field, message):
    file = make_file()
    mutate(file)
    with pytest.raises(MalformedFile) as caught:
        evaluate(file, RULES_2025)
    assert caught.value.field == field
    assert message in caught.value.message
    assert caught.value.message.startswith(f"Champ « {field} » : ")


def test_non_object_file():
    with pytest.raises(MalformedFile) as caught:
        evaluate([], None)
    assert caught.value.message == "La description du dossier doit être un objet JSON ({…})."


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ("x", "rules"),
        ({"min_award": "90000", "max_award": "80000"}, "rules.max_award"),
        ({"required_attachments": [{"phase": ""}]}, "rules.required_attachments[0].kind"),
        (
            {"required_attachments": [{"kind": "x", "phase": "p"}]},
            "rules.required_attachments[0].phase",
        ),
        ({"phases": []}, "rules.phases"),
        ({"allows_previous_support": 1}, "rules.allows_previous_support"),
    ],
)
def test_malformed_rules(rules, field):
    with pytest.raises(MalformedFile) as caught:
        evaluate(make_file(), rules)
    assert caught.value.field == field


def test_input_is_not_modified():
    file = make_file()
    before = copy.deepcopy(file)
    evaluate(file, RULES_2025)
    assert file == before


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("80000"), "80\u00a0000\u00a0€"),
        (Decimal("1234.5"), "1\u00a0234,50\u00a0€"),
        (Decimal("0"), "0\u00a0€"),
        (Decimal("1500000"), "1\u00a0500\u00a0000\u00a0€"),
    ],
)
def test_euros_formatting(amount, text):
    assert euros(amount) == text


def test_verdicts_include_renders_every_rule():
    from django.template.loader import render_to_string

    file = make_file(members=[])
    for eligibility in (evaluate(file, RULES_2025), evaluate(file, RULES_2025).to_dict()):
        html = render_to_string(
            "calls/includes/eligibility_verdicts.html", {"eligibility": eligibility}
        )
        assert html.count('<li class="fr-mb-2w"') == 13
        assert html.count(">Non remplie</p>") == 3
        assert "ne remplit pas encore toutes les conditions" in html
        assert 'id="eligibilite-non_ess_enterprise"' in html


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(
        [
            ("phases",),
            ("has_emergence_label",),
            ("lead",),
            ("lead", "category"),
            ("lead", "legal_category"),
            ("members",),
            ("territory",),
            ("territory", "communes"),
            ("project", "innovation"),
            ("budget",),
            ("budget", "requested_amount"),
            ("budget", "total_expenses"),
            ("attachments",),
            ("previous_state_support",),
            ("previous_state_support_found",),
        ]
    ),
    value=json_values,
    rules=st.none() | json_values,
)
def test_any_json_gives_a_result_or_malformed_file_never_another_error(field, value, rules):
    file = make_file()
    target = file
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = value
    try:
        result = evaluate(file, rules)
    except MalformedFile as error:
        assert error.message
    else:
        assert isinstance(result.eligible, bool)
        json.dumps(result.to_dict())
