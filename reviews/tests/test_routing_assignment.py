"""Routing at submission, re-routing, assignment and conflicts of interest (SPEC §5.1)."""

import pytest
from django.core import mail

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus as S
from applications.models import Application
from core.models import AuditLog
from reviews import services
from reviews.conflicts import has_conflict, normalise_name
from reviews.factories import call_with_grid, reviewers, submitted_file
from reviews.models import Assignment, ConflictOfInterest, ConflictSource, RoutingChange
from territories.models import Region

pytestmark = pytest.mark.django_db


def test_submission_routes_to_the_region_of_the_territory():
    application = submitted_file(communes=["69238", "69062"])
    assert application.region_id == "84"
    [change] = RoutingChange.objects.filter(application=application)
    assert (change.from_region_id, change.to_region_id, change.by) == (None, "84", None)
    assert application.review_summary.department_id == "69"
    assert application.review_summary.is_overseas is False
    assert AuditLog.objects.filter(action="review.routed", object_id=str(application.pk)).exists()


def test_multi_region_territory_goes_to_the_lead_organisation_region():
    # Lead in Saint-Symphorien-sur-Coise (69, région 84); territory over Rhône (84) and
    # Amiens (80, région 32): the lead's région wins.
    application = submitted_file(communes=["80021", "69238"])
    assert application.region_id == "84"
    # Without the lead's commune in the territory the rule still uses the lead's région.
    other = submitted_file(communes=["80021", "75056"])
    assert other.region_id == "84"


def test_national_cell_reroutes_with_a_logged_reason():
    application = submitted_file()
    here = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=here)
    national = UserFactory(national=True)
    services.reroute(
        application, Region.objects.get(pk="32"), actor=national, reason="Siège réel à Amiens"
    )
    application.refresh_from_db()
    assert application.region_id == "32"
    last = RoutingChange.objects.filter(application=application).last()
    assert (last.from_region_id, last.to_region_id, last.by, last.reason) == (
        "84",
        "32",
        national,
        "Siège réel à Amiens",
    )
    assert not Assignment.objects.filter(application=application).exists()
    entry = AuditLog.objects.get(action="review.rerouted")
    assert entry.before == {"region": "84"}
    assert entry.after["region"] == "32"
    # The former région no longer sees it.
    assert not Application.objects.for_user(here).filter(pk=application.pk).exists()
    with pytest.raises(services.ReviewError, match="cellule nationale"):
        services.reroute(application, Region.objects.get(pk="84"), actor=here, reason="x")


def test_fewest_reviews_first_suggestion_and_assignment(django_capture_on_commit_callbacks):
    call = call_with_grid()
    busy, idle, also_idle = reviewers(count=3)
    elsewhere = UserFactory(reviewer=True, region_id="32")
    previous = submitted_file(call=call)
    Assignment.objects.create(application=previous, reviewer=busy)
    application = submitted_file(call=call)
    suggested = services.suggest_reviewers(application)
    assert [u.pk for u in suggested] == sorted([idle.pk, also_idle.pk])
    assert elsewhere not in services.eligible_reviewers(application)
    lead = UserFactory(cell_lead=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(application, suggested, actor=lead)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert set(application.assignments.values_list("reviewer", flat=True)) == {
        idle.pk,
        also_idle.pk,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([idle.email, also_idle.email])
    with pytest.raises(services.ReviewError, match="autre région ou conflit"):
        services.assign(application, [elsewhere], actor=lead)
    with pytest.raises(services.ReviewError, match="ne pouvez pas"):
        services.assign(application, [busy], actor=busy)


def test_bulk_assignment_balances_the_load():
    call = call_with_grid()
    team = reviewers(count=4)
    files = [submitted_file(call=call) for _ in range(4)]
    lead = UserFactory(cell_lead=True)
    result = services.bulk_assign(files, actor=lead)
    assert len(result["assigned"]) == 4 and result["skipped"] == {}
    loads = sorted(Assignment.objects.filter(reviewer__in=team).values_list("reviewer", flat=True))
    counts = {pk: loads.count(pk) for pk in loads}
    assert sorted(counts.values()) == [2, 2, 2, 2]
    for file in files:
        assert file.assignments.count() == 2


def test_bulk_assign_page_for_cell_lead(client):
    call = call_with_grid()
    reviewers(count=2)
    files = [submitted_file(call=call) for _ in range(2)]
    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    response = client.post("/instruction/attributions/", {"files": [str(f.uuid) for f in files]})
    assert response.status_code == 302
    assert Assignment.objects.filter(application__in=files).count() == 4


def test_normalised_names_match():
    assert normalise_name("L’Association Coopérer-en-Coise") == "cooperer en coise"
    assert normalise_name("COOPERER EN COISE (SCIC)") == "cooperer en coise"


def test_reviewer_whose_organisation_is_a_member_is_excluded_automatically(client):
    member_siret_holder = UserFactory(reviewer=True)
    by_name = UserFactory(reviewer=True, organisation="MEMBRE 1 (DÉMO)")
    call = call_with_grid()
    application = submitted_file(call=call)
    member = application.members.order_by("order").first()
    member_siret_holder.siret = member.siret[:9] + "99999"
    member_siret_holder.save()
    # SIREN matched live; the name match was stored at routing.
    assert has_conflict(member_siret_holder, application)
    conflict = ConflictOfInterest.objects.get(application=application, reviewer=by_name)
    assert conflict.source == ConflictSource.AUTOMATIC
    assert "membre du pôle" in conflict.reason
    assert member_siret_holder not in services.eligible_reviewers(application)
    assert by_name not in services.eligible_reviewers(application)
    for person in (member_siret_holder, by_name):
        assert not Application.objects.for_user(person).filter(pk=application.pk).exists()
        login_staff(client, person)
        attachment = application.attachments.first()
        urls = [
            f"/instruction/dossiers/{application.uuid}/",
            f"/instruction/dossiers/{application.uuid}/evaluation/",
            f"/instruction/dossiers/{application.uuid}/versions/",
            f"/instruction/dossiers/{application.uuid}/complements/",
            f"/dossiers/{application.uuid}/",
            f"/dossiers/{application.uuid}/messages/",
            f"/dossiers/{application.uuid}/accuse-de-reception/1/",
        ]
        if attachment:
            urls.append(f"/dossiers/{application.uuid}/pieces/{attachment.pk}/")
        for url in urls:
            assert client.get(url).status_code == 404, url
        listing = client.get("/instruction/dossiers/")
        assert application.reference not in listing.content.decode()


def test_declared_conflict_hides_the_file_and_unassigns(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    assert client.get(f"/instruction/dossiers/{application.uuid}/").status_code == 200
    response = client.post(
        f"/instruction/dossiers/{application.uuid}/conflit-d-interets/",
        {"reason": "Je suis salariée d’un membre"},
    )
    assert response.status_code == 302
    assert not Assignment.objects.filter(application=application, reviewer=reviewer).exists()
    conflict = ConflictOfInterest.objects.get(application=application, reviewer=reviewer)
    assert (conflict.source, conflict.reason) == (
        ConflictSource.DECLARED,
        "Je suis salariée d’un membre",
    )
    assert client.get(f"/instruction/dossiers/{application.uuid}/").status_code == 404
    assert AuditLog.objects.filter(action="review.conflict_declared").count() == 1
