"""Calls configured in the admin: validation in French, default grid, audit, Paris time."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError

from accounts.factories import UserFactory, login_staff
from calls import demo
from calls.eligibility import call_rules, evaluate
from calls.factories import CallFactory, RequiredAttachmentFactory, RoundFactory
from calls.models import (
    Call,
    CallDocument,
    CallFaq,
    Criterion,
    Grid,
    Phase,
    Round,
    create_default_grid,
)
from core.models import AuditLog

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


# --- Model validation -----------------------------------------------------------------------


def test_call_validation_messages_are_french():
    call = CallFactory.build(
        has_emergence_phase=False,
        has_funding_phase=False,
        min_award=90000,
        max_award=80000,
    )
    assert errors(call) == {"__all__": ["Un appel comporte au moins une phase."]}
    call.has_funding_phase = True
    assert errors(call) == {
        "max_award": ["Le montant maximal doit être supérieur ou égal au minimal."]
    }


def test_dated_call_needs_a_closing_date_unless_archived():
    call = CallFactory.build(is_permanent=False, closes_at=None)
    assert errors(call) == {"closes_at": ["Un appel daté a une date de clôture."]}
    call.publication_state = "archived"
    call.full_clean()


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ([{"label": "Signature", "share": 60}], "Les parts de l’échéancier totalisent 100 %."),
        ({"share": 100}, "L’échéancier est une liste de tranches"),
        ([{"share": 100}], "L’échéancier est une liste de tranches"),
        ([{"label": "x", "share": "100"}], "L’échéancier est une liste de tranches"),
    ],
)
def test_payment_schedule_validation(schedule, message):
    call = CallFactory.build(payment_schedule_template=schedule)
    assert errors(call)["payment_schedule_template"][0].startswith(message)


def test_priority_territories_validation():
    call = CallFactory.build(priority_territories=["montagne"])
    assert errors(call)["priority_territories"] == [
        "Valeurs possibles : rural (Territoires ruraux), qpv (Quartiers prioritaires de la "
        "politique de la ville), overseas (Outre-mer)."
    ]


def test_round_and_attachment_phase_must_belong_to_the_call():
    call = CallFactory(has_funding_phase=False)
    round_ = RoundFactory.build(call=call, phase=Phase.FUNDING)
    assert errors(round_) == {"phase": ["Cet appel ne comporte pas cette phase."]}
    attachment = RequiredAttachmentFactory.build(call=call, phase=Phase.FUNDING)
    assert errors(attachment) == {"phase": ["Cet appel ne comporte pas cette phase."]}


def test_round_of_a_dated_call_precedes_its_closing():
    call = CallFactory(dated=True)
    round_ = RoundFactory.build(call=call, cut_off_at=call.closes_at + datetime.timedelta(1))
    assert errors(round_) == {"cut_off_at": ["Une relève d’un appel daté précède sa clôture."]}


def test_document_is_a_link_or_a_file():
    call = CallFactory()
    assert errors(CallDocument(call=call, title="Vide")) == {
        "__all__": ["Indiquez soit un lien, soit un fichier (l’un des deux)."]
    }


def test_grid_and_eliminatory_threshold_within_scale():
    grid = create_default_grid(CallFactory())
    criterion = grid.criteria.first()
    criterion.eliminatory_threshold = 6
    assert errors(criterion) == {
        "eliminatory_threshold": [
            "Le seuil éliminatoire est compris entre 0 et 5 (l’échelle de la grille)."
        ]
    }
    grid.scale_max = 0
    assert errors(grid) == {
        "scale_max": ["La note maximale doit être supérieure à la note minimale."]
    }


def test_call_rules_feed_the_engine():
    call = CallFactory(has_emergence_phase=False, min_award=30000, max_award=80000)
    RequiredAttachmentFactory(call=call, kind="statutes", label="Statuts", phase="")
    RequiredAttachmentFactory(call=call, kind="budget", label="Budget", phase=Phase.FUNDING)
    call.refresh_from_db()
    assert call_rules(call) == {
        "phases": ["funding"],
        "min_award": "30000.00",
        "max_award": "80000.00",
        "allows_previous_support": False,
        "required_attachments": [
            {"kind": "statutes", "phase": "", "label": "Statuts"},
            {"kind": "budget", "phase": "funding", "label": "Budget"},
        ],
    }
    file = {"phases": ["emergence"], "lead": {"name": "A"}}
    assert evaluate(file, call_rules(call)).verdict("call_phases").passed is False


# --- Admin ------------------------------------------------------------------------------------


def inline_management(prefix: str) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def add_form(**overrides) -> dict:
    data = {
        "title": "AMI 2027",
        "slug": "ami-2027",
        "instrument": "ami",
        "year": "2027",
        "publication_state": "draft",
        "summary": "",
        "description": "",
        "legal_basis": "",
        "has_emergence_phase": "on",
        "has_funding_phase": "on",
        "is_permanent": "on",
        "envelope": "1500000",
        "min_award": "30000",
        "max_award": "80000",
        "award_duration_months": "24",
        "payment_schedule_template": "[]",
        "priority_territories": ["rural", "qpv"],
        "retention_years": "10",
        "review_days": "21",
        **inline_management("rounds"),
        **inline_management("required_attachments"),
        **inline_management("documents"),
        **inline_management("faqs"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client):
    login_staff(client, UserFactory(admin=True))
    return client


def test_new_call_in_admin_gets_the_default_grid_and_a_round_in_paris_time(admin_client):
    data = add_form(
        **{
            "rounds-TOTAL_FORMS": "1",
            "rounds-0-name": "Relève de février",
            "rounds-0-cut_off_at_0": "15/02/2027",
            "rounds-0-cut_off_at_1": "12:00:00",
            "rounds-0-phase": "",
            "rounds-0-envelope": "",
        }
    )
    response = admin_client.post("/admin/calls/call/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call = Call.objects.get(slug="ami-2027")
    assert call.priority_territories == ["rural", "qpv"]
    assert Round.objects.get(call=call).cut_off_at == datetime.datetime(
        2027, 2, 15, 11, 0, tzinfo=UTC
    )
    assert list(Criterion.objects.filter(grid__call=call).values_list("code", "weight")) == [
        ("animation", 20),
        ("cooperation", 20),
        ("impact", 20),
        ("innovation", 15),
        ("viability", 15),
        ("priority_territories", 10),
    ]
    entry = AuditLog.objects.get(action="call.created")
    assert entry.after["publication_state"] == "draft"


def test_admin_shows_french_validation_errors(admin_client):
    response = admin_client.post(
        "/admin/calls/call/add/", add_form(min_award="90000", max_award="80000")
    )
    assert response.status_code == 200
    assert "Le montant maximal doit être supérieur ou égal au minimal." in (
        response.content.decode()
    )
    assert not Call.objects.filter(slug="ami-2027").exists()


def test_admin_list_shows_next_cut_off_in_paris_time(admin_client):
    call = CallFactory(title="AMI liste")
    RoundFactory(call=call, cut_off_at=datetime.datetime(2099, 10, 17, 10, tzinfo=UTC))
    html = admin_client.get("/admin/calls/call/").content.decode()
    assert "17 octobre 2099 à 12h00" in html


def test_publishing_in_admin_is_audited(admin_client):
    call = CallFactory(slug="ami-2027", draft=True)
    create_default_grid(call)
    data = add_form(publication_state="published")
    response = admin_client.post(f"/admin/calls/call/{call.pk}/change/", data)
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="call.updated")
    assert (entry.before["publication_state"], entry.after["publication_state"]) == (
        "draft",
        "published",
    )


def test_grid_admin_page(admin_client):
    grid = create_default_grid(CallFactory(title="AMI grille"))
    response = admin_client.get(f"/admin/calls/grid/{grid.pk}/change/")
    assert response.status_code == 200
    assert "Animation territoriale et gouvernance" in response.content.decode()


def test_admin_is_refused_to_candidates(client):
    client.force_login(UserFactory())
    response = client.get("/admin/calls/call/")
    assert response.status_code == 302


# --- Demo ---------------------------------------------------------------------------------------


def test_demo_is_idempotent_valid_and_faithful():
    demo.load(StringIO())
    counts = (Call.objects.count(), Round.objects.count(), CallFaq.objects.count())
    demo.load(StringIO())
    assert (Call.objects.count(), Round.objects.count(), CallFaq.objects.count()) == counts
    assert Call.objects.count() == 7
    for call in Call.objects.all():
        call.full_clean()
        assert Grid.objects.get(call=call).criteria.count() == 6
        assert call.required_attachments.exists()
    emergents = Call.objects.get(slug="ami-ptce-emergents-2021")
    assert emergents.is_permanent and emergents.phases == ["emergence", "funding"]
    assert list(emergents.rounds.values_list("cut_off_at", flat=True)) == [
        datetime.datetime(2022, 10, 17, 10, 0, tzinfo=UTC)  # noon in Paris (CEST)
    ]
    assert emergents.payment_schedule_template[0]["share"] == 50
    financing = Call.objects.get(slug="ami-financer-developpement-ptce-2025")
    assert (financing.envelope, financing.min_award, financing.max_award) == (500000, 30000, 80000)
    assert financing.priority_territories == ["rural", "qpv"]


def test_demo_open_call_is_open_on_the_demo_day():
    demo.load(StringIO())
    today = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    open_calls = [call.slug for call in Call.objects.open_at(today)]
    assert open_calls == ["ami-permanent-ptce-2027-demo"]
    call = Call.objects.get(slug="ami-permanent-ptce-2027-demo")
    assert "(démo)" in call.title
    assert call.next_cut_off(today) == datetime.datetime(2027, 2, 15, 11, 0, tzinfo=UTC)


def test_level_descriptors_are_checked_by_the_model_as_in_the_admin():
    from calls.models import create_default_grid

    grid = create_default_grid(CallFactory())
    criterion = grid.criteria.get(code="impact")
    criterion.full_clean()  # the default descriptors fit the 0–5 scale
    criterion.level_descriptors = ["Un", "Deux"]
    with pytest.raises(ValidationError) as error:
        criterion.full_clean()
    assert error.value.message_dict["level_descriptors"] == [
        "Il faut une description par note de l’échelle (0 à 5), soit 6 lignes ; il y en a 2."
    ]
    criterion.level_descriptors = ["ok"] * 5 + ["a\x00b"]
    with pytest.raises(ValidationError) as error:
        criterion.full_clean()
    assert "La description de la note 5 contient un caractère interdit." in str(error.value)
    criterion.level_descriptors = {"0": "pas une liste"}
    with pytest.raises(ValidationError):
        criterion.full_clean()
    criterion.level_descriptors = []
    criterion.full_clean()  # no descriptors at all: bare notes


def test_admin_edits_level_descriptors_one_line_per_note(admin_client):
    from calls.models import create_default_grid

    grid = create_default_grid(CallFactory())
    page = admin_client.get(f"/admin/calls/grid/{grid.pk}/change/").content.decode()
    assert "Aucune coopération décrite.\nCoopération d’intention" in page
