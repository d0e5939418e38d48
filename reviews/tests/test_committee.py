"""Committee sessions: decisions pending until publication, letters, awards and poles."""

import datetime
from decimal import Decimal

import pytest

from accounts.factories import UserFactory
from applications import states
from applications.choices import ApplicationStatus as S
from core.models import OutboundEmail
from laureates.models import Award, Ptce, PtceStatus
from reviews import committee
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import CommitteeSession
from reviews.services import ReviewError

pytestmark = pytest.mark.django_db


def reviewed_file(call=None):
    application = submitted_file(call=call)
    [reviewer] = reviewers(count=1)
    submit_evaluation(application, reviewer)
    lead = UserFactory(cell_lead=True, region_id="84")
    states.change_status(application, S.REVIEWED, actor=lead)
    application.refresh_from_db()
    return application


@pytest.fixture
def session_with_files():
    first = reviewed_file()
    second = reviewed_file(call=first.call)
    session = CommitteeSession.objects.create(
        call=first.call, title="Comité de juin", date=datetime.date(2026, 6, 15)
    )
    return session, first, second


def test_refusal_requires_reasons_and_decisions_stay_pending(session_with_files):
    session, first, second = session_with_files
    member = UserFactory(committee=True)
    assert [a.pk for a in committee.proposals(session)] == [first.pk, second.pk]
    with pytest.raises(ReviewError, match="Un refus doit être motivé"):
        committee.record_decision(session, first, actor=member, decision="rejected")
    with pytest.raises(ReviewError, match="Seuls les membres du comité"):
        committee.record_decision(session, first, actor=reviewers(count=1)[0], decision="accepted")
    committee.record_decision(session, first, actor=member, decision="accepted")
    committee.record_decision(
        session, second, actor=member, decision="rejected", reasons="Gouvernance fragile"
    )
    first.refresh_from_db()
    assert first.status == S.REVIEWED  # pending until published
    assert Award.objects.count() == 0
    assert committee.minutes_pdf(session).startswith(b"%PDF")


def test_publish_applies_statuses_awards_and_queues_letters_once(
    session_with_files, django_capture_on_commit_callbacks
):
    session, first, second = session_with_files
    member = UserFactory(committee=True)
    national = UserFactory(national=True)
    committee.record_decision(session, first, actor=member, decision="accepted")
    committee.record_decision(
        session, second, actor=member, decision="rejected", reasons="Gouvernance fragile"
    )
    with pytest.raises(ReviewError, match="Seule la cellule nationale publie"):
        committee.publish_session(session, actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        assert committee.publish_session(session, actor=national) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.ACCEPTED, S.REJECTED)
    award = Award.objects.get()
    assert (award.application, award.phase, award.status) == (first, first.phase, "granted")
    ptce = Ptce.objects.get()
    assert award.ptce == ptce
    assert ptce.name == first.display_name
    assert ptce.status == (PtceStatus.FUNDED if first.phase == "funding" else PtceStatus.EMERGING)
    assert ptce.members.count() == first.members.count()
    assert ptce.labels.get().call == first.call
    letters = OutboundEmail.objects.filter(dedup_key__startswith="committee-decision-")
    assert letters.count() == 2
    assert {e.attachments.get().filename for e in letters} == {
        f"decision-{first.reference}.pdf",
        f"decision-{second.reference}.pdf",
    }
    with pytest.raises(ReviewError, match="déjà publiée"):
        committee.publish_session(session, actor=national)
    session.refresh_from_db()
    with pytest.raises(ReviewError, match="séance est close"):
        committee.record_decision(session, first, actor=member, decision="waiting_list")
    assert committee.decision_letter(session.decisions.get(application=second)).startswith(b"%PDF")


def test_letters_are_built_by_the_worker_after_publication_and_never_twice(
    session_with_files, django_capture_on_commit_callbacks
):
    session, first, second = session_with_files
    member = UserFactory(committee=True)
    committee.record_decision(session, first, actor=member, decision="accepted")
    committee.record_decision(session, second, actor=member, decision="waiting_list")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        committee.publish_session(session, actor=UserFactory(national=True))
    # Publishing itself builds no PDF: one task is queued once the transaction commits.
    assert not OutboundEmail.objects.filter(dedup_key__startswith="committee-decision-").exists()
    assert [c.__qualname__ for c in callbacks].count("publish_session.<locals>.<lambda>") == 1
    decision_ids = list(session.decisions.values_list("pk", flat=True))
    assert committee.send_decision_letters(session.pk, decision_ids) == 2
    # A worker restarted halfway runs the task again: nothing is queued twice.
    assert committee.send_decision_letters(session.pk, decision_ids) == 0
    letters = OutboundEmail.objects.filter(dedup_key__startswith="committee-decision-")
    assert sorted(e.attachments.get().filename for e in letters) == sorted(
        [f"decision-{first.reference}.pdf", f"decision-{second.reference}.pdf"]
    )


def test_phase_two_acceptance_needs_an_amount(session_with_files):
    session, first, _ = session_with_files
    first.phase = "funding"
    first.save(update_fields=["phase"])
    member = UserFactory(committee=True)
    with pytest.raises(ReviewError, match="montant accordé"):
        committee.record_decision(session, first, actor=member, decision="accepted")
    row = committee.record_decision(
        session, first, actor=member, decision="accepted", amount=Decimal("90000")
    )
    assert row.amount == Decimal("90000")


def test_session_pages_decide_publish_and_candidate_letter(
    client, session_with_files, django_capture_on_commit_callbacks
):
    from accounts.factories import login_staff

    session, first, second = session_with_files
    login_staff(client, UserFactory(cell_lead=True, region_id="84"))
    assert client.get("/instruction/comite/").status_code == 403
    member = UserFactory(committee=True)
    login_staff(client, member)
    assert client.get("/instruction/comite/").context["form"] is None
    url = f"/instruction/comite/{session.pk}/"
    page = client.get(url)
    assert [row["application"].pk for row in page.context["rows"]] == [first.pk, second.pk]
    response = client.post(url, {"application": second.pk, f"d{second.pk}-decision": "rejected"})
    assert response.status_code == 400
    assert "Un refus doit être motivé" in response.content.decode()
    client.post(url, {"application": first.pk, f"d{first.pk}-decision": "accepted"})
    client.post(
        url,
        {
            "application": second.pk,
            f"d{second.pk}-decision": "rejected",
            f"d{second.pk}-reasons": "Budget",
        },
    )
    assert session.decisions.count() == 2
    minutes = client.get(f"{url}proces-verbal.pdf")
    assert minutes["Content-Type"] == "application/pdf"
    assert client.post(f"{url}publier/").status_code == 403
    login_staff(client, UserFactory(national=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{url}publier/").status_code == 302
    first.refresh_from_db()
    assert first.status == S.ACCEPTED
    client.force_login(first.owner)
    dashboard = client.get("/mes-dossiers/").content.decode()
    assert f"/dossiers/{first.uuid}/lettre-de-decision.pdf" in dashboard
    letter = client.get(f"/dossiers/{first.uuid}/lettre-de-decision.pdf")
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF")
    client.force_login(UserFactory())
    assert client.get(f"/dossiers/{first.uuid}/lettre-de-decision.pdf").status_code == 404


def test_national_creates_a_session(client):
    application = reviewed_file()
    login_staff_national = UserFactory(national=True)
    from accounts.factories import login_staff

    login_staff(client, login_staff_national)
    response = client.post(
        "/instruction/comite/",
        {"call": application.call.pk, "title": "Comité", "date": "2026-06-15", "place": "Paris"},
    )
    session = CommitteeSession.objects.get()
    assert response["Location"] == f"/instruction/comite/{session.pk}/"
    assert session.date == datetime.date(2026, 6, 15)


# ------------------------------------------------------------------ the decision table


def _login_member(client):
    from accounts.factories import login_staff

    member = UserFactory(committee=True)
    login_staff(client, member)
    return member


def test_the_table_decides_several_rows_at_once_and_counts_what_is_left(client, session_with_files):
    session, first, second = session_with_files
    _login_member(client)
    url = f"/instruction/comite/{session.pk}/"
    page = client.get(url)
    assert page.context["left_to_decide"] == 2
    assert "2\u00a0dossiers à décider sur 2" in page.content.decode()
    response = client.post(
        url,
        {
            f"d{first.pk}-decision": "accepted",
            f"d{first.pk}-version": "",
            f"d{second.pk}-decision": "waiting_list",
            f"d{second.pk}-version": "",
        },
        follow=True,
    )
    assert f"2 décisions enregistrées : {first.reference}, {second.reference}." in (
        response.content.decode()
    )
    assert {d.decision for d in session.decisions.all()} == {"accepted", "waiting_list"}
    assert response.context["left_to_decide"] == 0


def test_a_refusal_without_reasons_keeps_the_row_and_saves_the_others(client, session_with_files):
    session, first, second = session_with_files
    _login_member(client)
    url = f"/instruction/comite/{session.pk}/"
    response = client.post(
        url,
        {
            f"d{first.pk}-decision": "accepted",
            f"d{second.pk}-decision": "rejected",
            f"d{second.pk}-reasons": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Certaines décisions ne sont pas enregistrées" in page
    assert "Un refus doit être motivé" in page
    assert [d.application_id for d in session.decisions.all()] == [first.pk]


def test_an_amount_on_a_phase_one_file_is_refused(session_with_files):
    session, first, _ = session_with_files
    assert first.phase != "funding"
    member = UserFactory(committee=True)
    with pytest.raises(ReviewError, match="Un dossier de phase 1 reçoit un label"):
        committee.record_decision(
            session, first, actor=member, decision="accepted", amount=Decimal("90000")
        )
    assert not session.decisions.exists()


def test_two_members_deciding_the_same_row_never_overwrite_each_other(client, session_with_files):
    session, first, _ = session_with_files
    colleague = UserFactory(committee=True)
    _login_member(client)
    url = f"/instruction/comite/{session.pk}/"
    loaded_version = client.get(url).context["rows"][0]["form"].initial["version"]
    assert loaded_version == ""
    # The colleague decides first, from her own screen.
    committee.record_decision(
        session,
        first,
        actor=colleague,
        decision="rejected",
        reasons="Gouvernance fragile",
        expected_version="",
    )
    response = client.post(
        url, {f"d{first.pk}-decision": "accepted", f"d{first.pk}-version": loaded_version}
    )
    assert response.status_code == 400
    assert "un autre membre a enregistré une décision pendant que vous décidiez" in (
        response.content.decode()
    )
    decision = session.decisions.get()
    assert (decision.decision, decision.recorded_by) == ("rejected", colleague)


def test_simulation_proposals_are_applied_to_undecided_rows(client, session_with_files):
    from reviews.models import Simulation

    session, first, second = session_with_files
    for application in (first, second):
        application.phase = "funding"
        application.save(update_fields=["phase"])
    session.simulation = Simulation.objects.create(
        call=session.call,
        name="Enveloppe 1,5 M€",
        parameters={},
        result={
            "decisions": [
                {"reference": first.reference, "outcome": "funded", "granted_amount": "80000"},
                {"reference": second.reference, "outcome": "funded", "granted_amount": "60000"},
            ]
        },
    )
    session.save(update_fields=["simulation"])
    member = _login_member(client)
    committee.record_decision(
        session, second, actor=member, decision="waiting_list", expected_version=""
    )
    url = f"/instruction/comite/{session.pk}/"
    assert "Appliquer les propositions de la simulation" in client.get(url).content.decode()
    response = client.post(url, {"action": "apply_simulation"}, follow=True)
    assert "Propositions de la simulation appliquées : 1 décision(s)." in (
        response.content.decode()
    )
    decisions = {d.application_id: (d.decision, d.amount) for d in session.decisions.all()}
    assert decisions == {
        first.pk: ("accepted", Decimal("80000.00")),
        second.pk: ("waiting_list", None),  # already decided: untouched
    }


def test_label_proposals_of_the_simulation_are_applied_without_amount(client, session_with_files):
    from reviews.models import Simulation

    session, first, second = session_with_files  # both phase 1
    session.simulation = Simulation.objects.create(
        call=session.call,
        name="Labels",
        parameters={},
        result={
            "decisions": [
                {"reference": first.reference, "outcome": "label", "granted_amount": "0"},
                {"reference": second.reference, "outcome": "not_funded", "granted_amount": "0"},
            ]
        },
    )
    session.save(update_fields=["simulation"])
    member = _login_member(client)
    url = f"/instruction/comite/{session.pk}/"
    page = client.get(url).content.decode()
    assert "label proposé" in page and "non retenu" in page
    recorded, refused = committee.apply_simulation(session, actor=member)
    assert (recorded, refused) == (1, [])
    decisions = {d.application_id: (d.decision, d.amount) for d in session.decisions.all()}
    assert decisions == {first.pk: ("accepted", None)}


def test_an_amount_posted_on_a_phase_one_row_is_refused_and_nothing_is_saved(
    client, session_with_files
):
    session, first, second = session_with_files
    assert first.phase != "funding"
    _login_member(client)
    url = f"/instruction/comite/{session.pk}/"
    response = client.post(
        url,
        {
            f"d{first.pk}-decision": "accepted",
            f"d{first.pk}-amount": "90 000",
            f"d{first.pk}-version": "",
            f"d{second.pk}-decision": "rejected",
            f"d{second.pk}-reasons": "",
            f"d{second.pk}-version": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Un dossier de phase 1 reçoit un label, pas un montant" in page
    # The row's message is read with its decision; the refusal's with its reasons field.
    assert f'aria-describedby="d{first.pk}-erreurs"' in page
    assert f'id="d{first.pk}-erreurs"' in page
    assert f'id="id_d{second.pk}-reasons_error"' in page
    assert "Un refus doit être motivé : indiquez les motifs." in page
    assert not session.decisions.exists()
