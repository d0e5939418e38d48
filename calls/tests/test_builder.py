"""The call builder: a call created, completed, duplicated and published in staff screens,
with no raw JSON and every change audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from calls import builder
from calls.choices import PublicationState
from calls.factories import CallFactory, RoundFactory
from calls.models import Call, Criterion, Grid, create_default_grid
from core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(national=True)
    login_staff(client, user)
    return user


def _call_data(**overrides) -> dict:
    data = {
        "title": "AMI PTCE 2027",
        "slug": "",
        "instrument": "ami",
        "year": "2027",
        "summary": "Accompagner les PTCE émergents.",
        "description": "L’appel soutient les pôles en émergence.",
        "legal_basis": "Article 9 de la loi n° 2014-856.",
        "has_emergence_phase": "on",
        "has_funding_phase": "on",
        "is_permanent": "on",
        "opens_at": "",
        "closes_at": "",
        "envelope": "1500000",
        "min_award": "30000",
        "max_award": "100000",
        "award_duration_months": "24",
        "priority_territories": ["rural", "qpv"],
        "retention_years": "10",
        "review_days": "21",
    }
    data.update(overrides)
    return data


def test_only_the_national_cell_and_admins_build_calls(client):
    url = reverse("calls:builder_list")
    assert client.get(url).status_code == 302
    login_staff(client, UserFactory(reviewer=True))
    assert client.get(url).status_code == 403


def test_a_call_is_created_as_a_draft_with_the_default_grid(client, staff):
    response = client.post(reverse("calls:builder_create"), _call_data())
    call = Call.objects.get(title="AMI PTCE 2027")
    assert response["Location"] == reverse("calls:builder_call", args=[call.pk])
    assert call.slug == "ami-ptce-2027"
    assert call.publication_state == PublicationState.DRAFT
    assert call.priority_territories == ["rural", "qpv"]
    assert Grid.objects.get(call=call).criteria.count() == 6
    assert AuditLog.objects.get(action="call.created").actor == staff


def test_the_schedule_is_typed_as_rows_with_french_triggers(client, staff):
    call = CallFactory(draft=True)
    url = reverse("calls:builder_schedule", args=[call.pk])
    page = client.get(url).content.decode()
    assert "Après le bilan intermédiaire accepté" in page
    assert "[{" not in page  # no JSON for staff
    data = {
        "tranches-TOTAL_FORMS": "3",
        "tranches-INITIAL_FORMS": "0",
        "tranches-0-label": "À la signature",
        "tranches-0-share": "50",
        "tranches-0-trigger": "signature",
        "tranches-1-label": "Après le bilan intermédiaire",
        "tranches-1-share": "49",
        "tranches-1-trigger": "interim_report",
        "tranches-2-label": "",
        "tranches-2-share": "",
        "tranches-2-trigger": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Les parts totalisent 99 % : elles doivent totaliser 100 %." in (
        refused.content.decode()
    )
    negative = client.post(url, {**data, "tranches-1-share": "-50"})
    assert "Une part est positive (0,01 % au moins)." in negative.content.decode()
    call.refresh_from_db()
    assert call.payment_schedule_template == []
    client.post(url, {**data, "tranches-1-share": "50"})
    call.refresh_from_db()
    assert call.payment_schedule_template == [
        {"label": "À la signature", "share": 50, "trigger": "signature"},
        {"label": "Après le bilan intermédiaire", "share": 50, "trigger": "interim_report"},
    ]
    assert AuditLog.objects.filter(action="call.schedule_updated").count() == 1


def test_rounds_are_typed_in_paris_time(client, staff):
    call = CallFactory(draft=True)
    response = client.post(
        reverse("calls:builder_section", args=[call.pk, "releves"]),
        {
            "releves-TOTAL_FORMS": "1",
            "releves-INITIAL_FORMS": "0",
            "releves-0-name": "Relève d’automne",
            "releves-0-cut_off_at": "2027-10-17T12:00",
            "releves-0-phase": "",
            "releves-0-envelope": "",
        },
    )
    assert response.status_code == 302
    cut_off = call.rounds.get().cut_off_at
    assert cut_off.isoformat() == "2027-10-17T10:00:00+00:00"  # noon in Paris (summer time)
    assert AuditLog.objects.filter(action="call.rounds_updated").exists()


def test_publishing_explains_what_is_missing(client, staff):
    call = CallFactory(draft=True, description="")
    grid = create_default_grid(call)
    Criterion.objects.filter(grid=grid).update(weight=0)
    overview = client.get(reverse("calls:builder_call", args=[call.pk])).content.decode()
    assert "Les pondérations de la grille sont toutes nulles." in overview
    assert "Aucune relève à venir" in overview
    response = client.post(reverse("calls:builder_publish", args=[call.pk]), follow=True)
    page = response.content.decode()
    assert "L’appel n’est pas publié" in page
    assert "La description de l’appel est vide." in page
    assert "L’échéancier des versements de la phase 2 est vide." in page
    call.refresh_from_db()
    assert call.publication_state == PublicationState.DRAFT


def test_a_complete_call_is_published_then_open_to_candidates(client, staff):
    call = CallFactory(
        draft=True,
        description="Soutenir les pôles.",
        payment_schedule_template=[{"label": "Signature", "share": 100, "trigger": "signature"}],
    )
    create_default_grid(call)
    RoundFactory(call=call, cut_off_at=timezone.now() + timedelta(days=40))
    assert builder.publication_problems(call) == []
    client.post(reverse("calls:builder_publish", args=[call.pk]))
    call.refresh_from_db()
    assert call.publication_state == PublicationState.PUBLISHED
    assert AuditLog.objects.get(action="call.published").actor == staff
    assert client.get(reverse("calls:detail", args=[call.slug])).status_code == 200


def test_duplicating_copies_everything_one_year_later_as_a_draft(client, staff):
    source = CallFactory(
        title="AMI PTCE 2026",
        year=2026,
        payment_schedule_template=[{"label": "Signature", "share": 100, "trigger": "signature"}],
    )
    grid = create_default_grid(source)
    Criterion.objects.filter(grid=grid, code="innovation").update(weight=Decimal("30"))
    cut_off = timezone.now() + timedelta(days=10)
    RoundFactory(call=source, cut_off_at=cut_off, name="Relève de printemps")
    source.faqs.create(question="Qui peut candidater ?", answer="Un groupement.", order=1)
    response = client.post(reverse("calls:builder_duplicate", args=[source.pk]))
    copy = Call.objects.exclude(pk=source.pk).get()
    assert response["Location"] == reverse("calls:builder_call", args=[copy.pk])
    assert (copy.title, copy.year, copy.publication_state) == (
        "AMI PTCE 2026 (copie)",
        2027,
        PublicationState.DRAFT,
    )
    assert copy.payment_schedule_template == source.payment_schedule_template
    [round_] = copy.rounds.all()
    assert (round_.name, round_.cut_off_at.year) == ("Relève de printemps", cut_off.year + 1)
    assert Grid.objects.get(call=copy).criteria.get(code="innovation").weight == 30
    assert copy.faqs.get().question == "Qui peut candidater ?"
    assert AuditLog.objects.get(action="call.duplicated").after["source"] == source.slug


def test_grid_criteria_are_added_with_a_generated_code(client, staff):
    call = CallFactory(draft=True)
    grid = create_default_grid(call)
    criteria = list(grid.criteria.all())
    data = {
        "grille-scale_min": "0",
        "grille-scale_max": "5",
        "grille-disagreement_threshold": "1.00",
        "criteres-TOTAL_FORMS": str(len(criteria) + 1),
        "criteres-INITIAL_FORMS": str(len(criteria)),
    }
    for index, criterion in enumerate(criteria):
        data |= {
            f"criteres-{index}-id": str(criterion.pk),
            f"criteres-{index}-grid": str(grid.pk),
            f"criteres-{index}-label": criterion.label,
            f"criteres-{index}-guidance": "",
            f"criteres-{index}-weight": str(criterion.weight),
            f"criteres-{index}-eliminatory_threshold": "",
            f"criteres-{index}-order": str(criterion.order),
        }
    last = len(criteria)
    data |= {
        f"criteres-{last}-label": "Égalité femmes-hommes",
        f"criteres-{last}-weight": "5",
        f"criteres-{last}-order": "9",
        f"criteres-{last}-eliminatory_threshold": "7",
    }
    refused = client.post(reverse("calls:builder_grid", args=[call.pk]), data)
    assert "Le seuil éliminatoire est compris entre 0 et 5" in refused.content.decode()
    data[f"criteres-{last}-eliminatory_threshold"] = "1"
    client.post(reverse("calls:builder_grid", args=[call.pk]), data)
    added = grid.criteria.get(label="Égalité femmes-hommes")
    assert (added.code, added.weight, added.eliminatory_threshold) == (
        "egalite-femmes-hommes",
        5,
        1,
    )


def test_a_stale_presentation_form_changes_nothing(client, staff):
    call = CallFactory(draft=True, title="Titre d’origine")
    data = _call_data(title="Ma version", slug=call.slug, version="2000-01-01T00:00:00+00:00")
    response = client.post(reverse("calls:builder_edit", args=[call.pk]), data)
    assert response.status_code == 400
    assert "Quelqu’un d’autre a modifié cet appel" in response.content.decode()
    call.refresh_from_db()
    assert call.title == "Titre d’origine"


def _grid_data(grid, descriptors: dict[int, str], scale=("0", "5")) -> dict:
    criteria = list(grid.criteria.all())
    data = {
        "grille-scale_min": scale[0],
        "grille-scale_max": scale[1],
        "grille-disagreement_threshold": "1.00",
        "criteres-TOTAL_FORMS": str(len(criteria)),
        "criteres-INITIAL_FORMS": str(len(criteria)),
    }
    for index, criterion in enumerate(criteria):
        data |= {
            f"criteres-{index}-id": str(criterion.pk),
            f"criteres-{index}-grid": str(grid.pk),
            f"criteres-{index}-label": criterion.label,
            f"criteres-{index}-guidance": "",
            f"criteres-{index}-weight": str(criterion.weight),
            f"criteres-{index}-eliminatory_threshold": "",
            f"criteres-{index}-order": str(criterion.order),
            f"criteres-{index}-level_descriptors": descriptors.get(
                index, "\n".join(criterion.level_descriptors)
            ),
        }
    return data


def test_the_default_grid_describes_every_note_of_every_criterion(client, staff):
    call = CallFactory(draft=True)
    grid = create_default_grid(call)
    cooperation = grid.criteria.get(code="cooperation")
    assert len(cooperation.level_descriptors) == 6
    assert cooperation.level_descriptors[0] == "Aucune coopération décrite."
    assert cooperation.level_descriptors[5] == (
        "Gouvernance partagée effective, décisions collectives documentées."
    )
    assert all(len(c.level_descriptors) == 6 for c in grid.criteria.all())
    page = client.get(reverse("calls:builder_grid", args=[call.pk])).content.decode()
    assert "Description de chaque note" in page
    assert "Aucune coopération décrite.\nCoopération d’intention" in page


def test_level_descriptors_are_edited_one_line_per_note(client, staff):
    call = CallFactory(draft=True)
    grid = create_default_grid(call)
    lines = [f"Niveau {note} décrit." for note in range(6)]
    data = _grid_data(grid, {1: "\r\n".join(lines) + "\r\n"})
    response = client.post(reverse("calls:builder_grid", args=[call.pk]), data)
    assert response.status_code == 302
    second = grid.criteria.order_by("order")[1]
    assert second.level_descriptors == lines


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Un\nDeux\nTrois", "soit 6 lignes ; il y en a 3."),
        ("\n".join(["x" * 301] + ["ok"] * 5), "La description de la note 0 compte 301 caractères"),
        (
            "\n".join(["<b>fort</b>"] + ["ok"] * 5),
            "La description de la note 0 contient du code HTML",
        ),
        ("\n".join(["ok", "", "ok", "ok", "ok", "ok"]), "La description de la note 1 est vide."),
    ],
)
def test_bad_level_descriptors_are_refused_with_nothing_saved(client, staff, text, message):
    call = CallFactory(draft=True)
    grid = create_default_grid(call)
    before = {c.pk: c.level_descriptors for c in grid.criteria.all()}
    response = client.post(
        reverse("calls:builder_grid", args=[call.pk]), _grid_data(grid, {0: text})
    )
    assert response.status_code == 400
    assert message in " ".join(response.content.decode().split()).replace("&#x27;", "’")
    assert {c.pk: c.level_descriptors for c in grid.criteria.all()} == before


def test_changing_the_scale_requires_matching_descriptors(client, staff):
    call = CallFactory(draft=True)
    grid = create_default_grid(call)
    response = client.post(
        reverse("calls:builder_grid", args=[call.pk]), _grid_data(grid, {}, scale=("1", "4"))
    )
    assert response.status_code == 400
    assert "Il faut une description par note de l’échelle (1 à 4), soit 4 lignes" in (
        response.content.decode()
    )
    grid.refresh_from_db()
    assert (grid.scale_min, grid.scale_max) == (0, 5)
    data = _grid_data(grid, {}, scale=("1", "4"))
    for key in [k for k in data if k.endswith("level_descriptors")]:
        data[key] = ""
    assert client.post(reverse("calls:builder_grid", args=[call.pk]), data).status_code == 302
    grid.refresh_from_db()
    assert (grid.scale_min, grid.scale_max) == (1, 4)
