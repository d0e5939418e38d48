"""Scoring against the call's grid, independence and figures (SPEC §5.2)."""

from decimal import Decimal

import pytest

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus as S
from core.models import AuditLog
from reviews import services
from reviews.factories import call_with_grid, reviewers, submit_evaluation, submitted_file
from reviews.models import Assignment, EvaluationStatus

pytestmark = pytest.mark.django_db


def _post_scores(client, application, values, action="submit"):
    grid = services.grid_of(application)
    data = {"action": action, "general_comment": "Dossier solide."}
    for criterion, value in zip(services.criteria_of(grid), values, strict=True):
        data[f"score_{criterion.code}"] = value
        data[f"comment_{criterion.code}"] = f"Avis sur {criterion.label}"
    return client.post(f"/instruction/dossiers/{application.uuid}/evaluation/", data)


def test_scoring_page_saves_draft_then_submits_and_audits(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    page = client.get(f"/instruction/dossiers/{application.uuid}/evaluation/")
    assert page.status_code == 200
    assert "Coopération et mutualisation (pondération 20)" in page.content.decode()
    response = _post_scores(client, application, ["4", "", "", "", "", ""], action="draft")
    assert response.status_code == 302
    evaluation = application.evaluations.get(reviewer=reviewer)
    assert evaluation.status == EvaluationStatus.DRAFT
    response = _post_scores(client, application, ["4", "3", "5", "2", "4", "1"])
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.weighted_total == Decimal("3.40")
    assert evaluation.scores.get(criterion__code="cooperation").comment == (
        "Avis sur Coopération et mutualisation"
    )
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    entry = AuditLog.objects.get(action="review.evaluation_submitted")
    assert entry.after["weighted_total"] == "3.40"
    assert entry.after["scores"]["impact"] == "5"


def test_scores_are_labelled_as_needed_to_send_comments_as_optional(client):
    """A draft may leave notes empty, but the labels do not call them « (Optionnel) »."""
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    page = client.get(f"/instruction/dossiers/{application.uuid}/evaluation/").content.decode()
    page = " ".join(page.split())
    label = "Coopération et mutualisation (pondération 20)"
    assert f"{label} (Optionnel)" not in page
    assert (
        f'{label}<span class="fr-hint-text">Obligatoire pour transmettre l’évaluation. '
        "Note de 0 à 5</span></legend>"
    ) in page
    assert "Commentaire — Coopération et mutualisation (Optionnel)" in page
    assert "Appréciation générale (Optionnel)" in page
    assert 'name="score_cooperation" ' in page and " required " not in page


def test_each_criterion_is_a_group_of_radios_with_the_grid_descriptors(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    page = client.get(f"/instruction/dossiers/{application.uuid}/evaluation/").content.decode()
    page = " ".join(page.split())
    assert (
        '<fieldset class="fr-fieldset ptce-criterion" id="critere-cooperation" '
        'aria-labelledby="legend-cooperation" data-ptce-weight="2000">'
    ) in page
    assert page.count('type="radio" name="score_cooperation"') == 6
    # The note is shown on the radio; its descriptor is in the radio's name (for screen
    # readers), on the line under the notes for the note chosen, and under « Échelle ».
    assert (
        '<input type="radio" name="score_cooperation" value="0" id="id_score_cooperation_0" '
        'data-ptce-descriptor="Aucune coopération décrite."> '
        '<label class="fr-label" for="id_score_cooperation_0"><strong>0</strong>'
        '<span class="fr-sr-only">&nbsp;— Aucune coopération décrite.</span></label>'
    ) in page
    assert (
        '<strong>5</strong><span class="fr-sr-only">&nbsp;— Gouvernance partagée effective, '
        "décisions collectives documentées.</span></label>"
    ) in page
    assert page.count('<summary class="fr-text--sm">Échelle du critère</summary>') == 6
    assert (
        "<li><strong>5</strong> — Gouvernance partagée effective, décisions collectives "
        "documentées.</li>"
    ) in page
    # No note chosen yet: the descriptor line is empty until one is.
    assert (
        page.count(
            '<p class="fr-text--sm ptce-criterion__level" data-ptce-level aria-hidden="true"></p>'
        )
        == 6
    )
    # No note yet: the total waits; the script that recomputes it is a static file.
    assert "Note pondérée provisoire :</span> <strong data-ptce-total>—</strong> sur 5" in page
    assert '<script src="/static/js/scoring.js" defer nonce="' in page
    assert " onchange=" not in page and " onclick=" not in page


def test_a_criterion_without_descriptors_offers_bare_notes(client):
    from calls.models import Criterion

    application = submitted_file()
    Criterion.objects.filter(code="impact").update(level_descriptors=[])
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    page = client.get(f"/instruction/dossiers/{application.uuid}/evaluation/").content.decode()
    assert '<label class="fr-label" for="id_score_impact_3"><strong>3</strong></label>' in page
    # No descriptor line nor scale for this criterion, both for the others.
    assert page.count("Échelle du critère") == 5
    assert (
        "data-ptce-descriptor=" not in page.split('id="critere-impact"')[1].split("</fieldset>")[0]
    )


def test_a_draft_keeps_its_notes_and_shows_their_running_total(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    response = _post_scores(client, application, ["4", "", "5", "", "", ""], action="draft")
    assert response.status_code == 302
    page = client.get(f"/instruction/dossiers/{application.uuid}/evaluation/").content.decode()
    page = " ".join(page.split())
    assert 'value="4" id="id_score_animation_4" checked data-ptce-descriptor=' in page
    assert 'value="5" id="id_score_impact_5" checked data-ptce-descriptor=' in page
    assert page.count(" checked data-ptce-descriptor=") == 2
    # The descriptor of the note chosen is shown under the notes (before any script runs).
    assert (
        'data-ptce-level aria-hidden="true"><strong>4</strong> — '
        "Animation dédiée et financée, gouvernance associant les membres et les collectivités."
        "</p>"
    ) in page
    # (20 × 4 + 20 × 5) / 40 = 4.50, on the criteria scored so far.
    assert (
        page.count("Note pondérée provisoire :</span> <strong data-ptce-total>4,50</strong>") == 2
    )


def test_out_of_scale_values_are_refused_by_the_radios(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    response = _post_scores(client, application, ["7", "", "3", "-1", "abc", "2,5"])
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["score_animation"] == [
        "Critère « Animation territoriale et gouvernance » : « 7 » n’est pas une note de "
        "l’échelle (de 0 à 5)."
    ]
    assert form.errors["score_innovation"] == [
        "Critère « Innovation sociale ou technologique » : « -1 » n’est pas une note de "
        "l’échelle (de 0 à 5)."
    ]
    assert "« abc » n’est pas une note" in form.errors["score_viability"][0]
    assert "« 2,5 » n’est pas une note" in form.errors["score_priority_territories"][0]
    html = " ".join(response.content.decode().split())
    assert (
        'class="fr-fieldset ptce-criterion fr-fieldset--error" id="critere-animation" '
        'aria-labelledby="legend-animation messages-animation"'
    ) in html
    assert (
        'id="id_score_animation_0" aria-invalid="true" aria-describedby="messages-animation" '
        'data-ptce-descriptor="Aucune animation du pôle décrite.">'
    ) in html
    assert '<a href="#critere-animation">Animation territoriale et gouvernance</a>' in html
    evaluation = application.evaluations.get(reviewer=reviewer)
    assert evaluation.status == EvaluationStatus.DRAFT
    assert not evaluation.scores.exclude(value=None).exists()  # nothing saved
    # A draft may be incomplete but never out of the scale.
    response = _post_scores(client, application, ["9", "", "", "", "", ""], action="draft")
    assert response.status_code == 200
    assert "score_animation" in response.context["form"].errors


def test_missing_notes_are_refused_at_submission_on_their_criteria(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    response = _post_scores(client, application, ["4", "", "3", "", "5", "2"])
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["score_cooperation"] == [
        "Critère « Coopération et mutualisation » : la note est obligatoire."
    ]
    assert list(form.errors) == ["score_cooperation", "score_innovation"]
    html = response.content.decode()
    # The first radio carrying aria-invalid is the one ptce.js focuses: the first criterion
    # in error.
    first_invalid = html.index('aria-invalid="true"')
    assert html.rindex("<input", 0, first_invalid) == html.index(
        '<input type="radio" name="score_cooperation" value="0"'
    )
    # The notes given stay chosen.
    assert 'value="4" id="id_score_animation_4" checked' in html
    assert application.evaluations.get(reviewer=reviewer).status == EvaluationStatus.DRAFT


def test_the_page_total_equals_the_total_computed_on_submission(client):
    from reviews import scoring

    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    values = ["3", "5", "2", "4", "1", "5"]
    _post_scores(client, application, values, action="draft")
    page = " ".join(
        client.get(f"/instruction/dossiers/{application.uuid}/evaluation/").content.decode().split()
    )
    spec = scoring.grid_spec(services.grid_of(application))
    expected = scoring.evaluate(
        spec, dict(zip([c.code for c in spec.criteria], values, strict=True))
    ).weighted_total
    # (60 + 100 + 40 + 60 + 15 + 50) / 100 = 3.25
    assert expected == Decimal("3.25")
    assert "Note pondérée :</span> <strong data-ptce-total>3,25</strong>" in page
    _post_scores(client, application, values)
    assert application.evaluations.get(reviewer=reviewer).weighted_total == expected


def test_running_total_rounds_as_the_evaluation_and_ignores_what_is_not_scored():
    from reviews import scoring

    spec = scoring.GridSpec.from_dict(
        {
            "criteria": [
                {"code": "a", "weight": "15"},
                {"code": "b", "weight": "20"},
                {"code": "c", "weight": "10"},
            ]
        }
    )
    assert scoring.running_total(spec, {}) is None
    assert scoring.running_total(spec, {"a": "3", "b": "", "c": "9"}) == Decimal("3.00")
    # (15 × 4 + 20 × 3 + 10 × 4) / 45 = 3.5555… → 3.56, as evaluate() gives.
    scores = {"a": "4", "b": "3", "c": "4"}
    assert scoring.running_total(spec, scores) == scoring.evaluate(spec, scores).weighted_total
    assert scoring.running_total(spec, scores) == Decimal("3.56")


def test_independence_others_hidden_until_own_submitted(client):
    application = submitted_file()
    first, second = reviewers(count=2)
    submit_evaluation(application, first, ["5", "5", "5", "5", "5", "5"])
    Assignment.objects.create(application=application, reviewer=second)
    login_staff(client, second)
    page = client.get(f"/instruction/dossiers/{application.uuid}/")
    html = page.content.decode()
    assert page.context["figures"] is None
    assert page.context["evaluations"] == []
    assert "Les notes des autres évaluateurs (1)" in html
    listing = client.get("/instruction/dossiers/").content.decode()
    assert "visibles après votre évaluation" in listing
    submit_evaluation(application, second, ["1", "1", "1", "1", "1", "1"])
    page = client.get(f"/instruction/dossiers/{application.uuid}/")
    figures = page.context["figures"]
    assert (figures.review_count, figures.mean, figures.median, figures.std_dev) == (
        2,
        Decimal("3.00"),
        Decimal("3.00"),
        Decimal("2.00"),
    )
    assert figures.disagreement is True
    assert len(page.context["evaluations"]) == 2
    # The national cell sees everything, without scoring.
    national = UserFactory(national=True)
    login_staff(client, national)
    page = client.get(f"/instruction/dossiers/{application.uuid}/")
    assert page.context["figures"].review_count == 2


def test_file_figures_and_eliminatory_flag_are_kept_for_lists():
    from calls.models import Criterion

    call = call_with_grid()
    Criterion.objects.filter(grid__call=call, code="viability").update(eliminatory_threshold=2)
    application = submitted_file(call=call)
    one, two, three = reviewers(count=3)
    submit_evaluation(application, one, ["4", "3", "5", "2", "4", "1"])
    submit_evaluation(application, two, ["4", "4", "4", "4", "1", "4"])
    submit_evaluation(application, three, ["3", "3", "3", "3", "3", "3"])
    summary = application.review_summary
    summary.refresh_from_db()
    # Totals 3.40, 3.55, 3.00 → mean 3.32, median 3.40, σ 0.23.
    assert (summary.review_count, summary.mean, summary.median, summary.std_dev) == (
        3,
        Decimal("3.32"),
        Decimal("3.40"),
        Decimal("0.23"),
    )
    assert summary.disagreement is False
    assert summary.eliminated is True


def test_z_scores_shown_with_raw_values(client):
    call = call_with_grid()
    harsh, lenient = reviewers(count=2)
    files = [submitted_file(call=call) for _ in range(3)]
    for file, (low, high) in zip(files, [("1", "3"), ("2", "4"), ("3", "5")], strict=True):
        submit_evaluation(file, harsh, [low] * 6)
        submit_evaluation(file, lenient, [high] * 6)
    login_staff(client, UserFactory(national=True))
    page = client.get(f"/instruction/dossiers/{files[0].uuid}/?normalisation=1")
    views = {v.evaluation.reviewer_id: v for v in page.context["evaluations"]}
    assert views[harsh.pk].evaluation.weighted_total == Decimal("1.00")
    assert views[lenient.pk].evaluation.weighted_total == Decimal("3.00")
    assert views[harsh.pk].z_score == views[lenient.pk].z_score == Decimal("-1.225")
    assert views[harsh.pk].normalised_total == views[lenient.pk].normalised_total
    assert "score z −1,225" in page.content.decode()


def test_reviewer_of_another_region_gets_404_everywhere(client):
    application = submitted_file()
    Assignment.objects.create(application=application, reviewer=reviewers(count=1)[0])
    stranger = UserFactory(reviewer=True, region_id="32")
    login_staff(client, stranger)
    attachment = application.attachments.first()
    urls = [
        f"/instruction/dossiers/{application.uuid}/",
        f"/instruction/dossiers/{application.uuid}/evaluation/",
        f"/instruction/dossiers/{application.uuid}/attribution/",
        f"/instruction/dossiers/{application.uuid}/versions/",
        f"/instruction/dossiers/{application.uuid}/complements/",
        f"/dossiers/{application.uuid}/",
        f"/dossiers/{application.uuid}/messages/",
    ]
    if attachment:
        urls.append(f"/dossiers/{application.uuid}/pieces/{attachment.pk}/")
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/instruction/dossiers/{application.uuid}/evaluation/",
        f"/instruction/dossiers/{application.uuid}/conflit-d-interets/",
        f"/instruction/dossiers/{application.uuid}/etat/",
        f"/dossiers/{application.uuid}/messages/",
    ]:
        assert client.post(url, {"reason": "x", "body": "x", "target": "closed"}).status_code == 404
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not application.conflicts.exists()


def test_unassigned_reviewer_cannot_score():
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    assert services.can_score(reviewer, application) is False
    lead = UserFactory(cell_lead=True)
    assert services.can_score(lead, application) is True


def test_a_half_point_saved_before_the_radios_is_shown_and_must_be_chosen_again(client):
    from reviews.models import Score

    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    _post_scores(client, application, ["4", "", "", "", "", ""], action="draft")
    Score.objects.filter(criterion__code="animation").update(value=Decimal("3.5"))
    page = client.get(f"/instruction/dossiers/{application.uuid}/evaluation/").content.decode()
    assert "Note enregistrée auparavant : 3,5. L’échelle ne compte que des notes entières" in page
    assert " checked" not in page
    assert "<strong data-ptce-total>—</strong>" in page  # what the script shows too
