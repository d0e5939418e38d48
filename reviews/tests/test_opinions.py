"""Régional opinion (optimistic locking, validation) and the régional ranking."""

from decimal import Decimal

import pytest

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog
from reviews import opinions
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import RegionalOpinion
from reviews.services import ReviewError

pytestmark = pytest.mark.django_db


def test_save_then_concurrent_save_is_refused_without_overwriting():
    application = submitted_file()
    first, second = reviewers(count=2)
    row = opinions.save_opinion(
        application, actor=first, opinion="favourable", reasons="Pôle solide", expected_version=0
    )
    assert row.version == 1
    # Both load version 1; the first saves, the second's save is refused.
    opinions.save_opinion(
        application, actor=first, opinion="reserved", reasons="Budget fragile", expected_version=1
    )
    with pytest.raises(opinions.OpinionConflict) as error:
        opinions.save_opinion(
            application,
            actor=second,
            opinion="unfavourable",
            reasons="Autre avis",
            expected_version=1,
        )
    assert str(error.value).startswith("L’avis régional a été modifié entre-temps par ")
    row = RegionalOpinion.objects.get(application=application)
    assert (row.opinion, row.reasons, row.version, row.author) == (
        "reserved",
        "Budget fragile",
        2,
        first,
    )


def test_two_first_opinions_at_once_second_is_a_conflict():
    application = submitted_file()
    first, second = reviewers(count=2)
    opinions.save_opinion(
        application, actor=first, opinion="favourable", reasons="Oui", expected_version=0
    )
    with pytest.raises(opinions.OpinionConflict):
        opinions.save_opinion(
            application, actor=second, opinion="reserved", reasons="Non", expected_version=0
        )
    assert RegionalOpinion.objects.get(application=application).opinion == "favourable"


def test_validation_by_cell_lead_only_and_reset_by_a_change():
    application = submitted_file()
    [reviewer] = reviewers(count=1)
    lead = UserFactory(cell_lead=True, region_id="84")
    row = opinions.save_opinion(
        application, actor=reviewer, opinion="favourable", reasons="Oui", expected_version=0
    )
    with pytest.raises(ReviewError, match="Seul le responsable"):
        opinions.validate_opinion(application, actor=reviewer, expected_version=row.version)
    row = opinions.validate_opinion(application, actor=lead, expected_version=row.version)
    assert row.is_validated and row.validated_by == lead and row.version == 2
    row = opinions.save_opinion(
        application, actor=reviewer, opinion="reserved", reasons="Revu", expected_version=2
    )
    assert not row.is_validated and row.validated_by is None
    assert list(
        AuditLog.objects.filter(action__startswith="review.opinion").values_list(
            "action", flat=True
        )
    ) == ["review.opinion_saved", "review.opinion_validated", "review.opinion_saved"]


def test_other_region_and_empty_reasons_are_refused():
    application = submitted_file()
    other = UserFactory(reviewer=True, region_id="11")
    with pytest.raises(ReviewError, match="Vous ne pouvez pas"):
        opinions.save_opinion(
            application, actor=other, opinion="favourable", reasons="x", expected_version=0
        )
    [reviewer] = reviewers(count=1)
    with pytest.raises(ReviewError, match="Indiquez les motifs"):
        opinions.save_opinion(
            application, actor=reviewer, opinion="favourable", reasons="  ", expected_version=0
        )


def test_opinion_page_conflict_is_a_409_with_french_message(client):
    application = submitted_file()
    first, second = reviewers(count=2)
    url = f"/instruction/dossiers/{application.uuid}/avis/"
    login_staff(client, first)
    assert client.get(url).context["form"].initial["version"] == 0
    response = client.post(url, {"opinion": "favourable", "reasons": "Solide", "version": 0})
    assert response.status_code == 302
    login_staff(client, second)
    response = client.post(url, {"opinion": "unfavourable", "reasons": "Faible", "version": 0})
    assert response.status_code == 409
    assert "modifié entre-temps" in response.content.decode()
    assert RegionalOpinion.objects.get(application=application).opinion == "favourable"


def test_opinion_page_permissions_and_validation(client):
    application = submitted_file()
    [reviewer] = reviewers(count=1)
    url = f"/instruction/dossiers/{application.uuid}/avis/"
    login_staff(client, UserFactory(reviewer=True, region_id="11"))
    assert client.get(url).status_code == 404
    national = UserFactory(national=True)
    login_staff(client, national)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"opinion": "favourable", "reasons": "x", "version": 0}).status_code == 403
    )
    login_staff(client, reviewer)
    client.post(url, {"opinion": "favourable", "reasons": "Solide", "version": 0})
    assert client.post(url + "valider/", {"version": 1}).status_code == 403
    lead = UserFactory(cell_lead=True, region_id="84")
    login_staff(client, lead)
    assert client.get(url).context["can_validate"] is True
    assert client.post(url + "valider/", {"version": 1}).status_code == 302
    assert RegionalOpinion.objects.get(application=application).validated_by == lead


def test_regional_ranking_uses_scores_then_opinion(client):
    call = submitted_file().call
    files = [submitted_file(call=call) for _ in range(3)]
    first, second = reviewers(count=2)
    for application in files[:2]:
        submit_evaluation(application, first)
    opinions.save_opinion(
        files[1], actor=first, opinion="favourable", reasons="Oui", expected_version=0
    )
    opinions.save_opinion(
        files[0], actor=first, opinion="reserved", reasons="Bof", expected_version=0
    )
    lead = UserFactory(cell_lead=True, region_id="84")
    rows = opinions.ranked_files(opinions.regional_files("84", call.pk))
    assert [(line.rank, app.pk, line.decided_by) for line, app, _ in rows][:2] == [
        (1, files[1].pk, None),
        (2, files[0].pk, "avis régional"),
    ]
    assert rows[0][0].score == Decimal("3.40")
    login_staff(client, lead)
    page = client.get("/instruction/classement-regional/")
    assert page.status_code == 200
    assert [line.reference for line, _, _ in page.context["rows"]][:2] == [
        files[1].reference,
        files[0].reference,
    ]
    login_staff(client, first)
    assert client.get("/instruction/classement-regional/").status_code == 403
    login_staff(client, UserFactory(national=True))
    page = client.get("/instruction/classement-regional/?region=11")
    assert page.status_code == 200 and page.context["rows"] == []
