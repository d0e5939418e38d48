"""Instructor tools (SPEC §5.6): saved views, opinion filter, bulk actions through the state
service, ODS export, PDF of a file, zip of its attachments, committee members of a session."""

import datetime
import hashlib
import zipfile
from io import BytesIO

import pytest
from django.core.files.base import ContentFile

from accounts.factories import UserFactory, login_staff
from applications import states
from applications.choices import ApplicationStatus as S
from applications.models import Attachment
from core.models import AuditLog
from core.ods import cell, write_ods
from reviews import archives, committee, instructor, opinions
from reviews.factories import call_with_grid, reviewers, submit_evaluation, submitted_file
from reviews.models import CommitteeSession, ConflictOfInterest, SavedView
from reviews.services import ReviewError

pytestmark = pytest.mark.django_db
LIST = "/instruction/dossiers/"


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# ------------------------------------------------------------------ saved views


def test_saved_views_are_per_person_cleaned_applied_and_deleted(client):
    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    response = client.post(
        "/instruction/dossiers/vues/",
        {"name": "  Désaccords   ARA ", "query": "disagreement=on&sort=-mean&page=3&evil=1"},
    )
    view = SavedView.objects.get(user=lead)
    assert view.name == "Désaccords ARA"
    assert view.query == "disagreement=on&sort=-mean"  # unknown keys and the page dropped
    assert response.url == f"{LIST}?disagreement=on&sort=-mean"
    page = client.get(LIST)
    assert [v.name for v in page.context["saved_views"]] == ["Désaccords ARA"]
    assert f'href="{LIST}?disagreement=on&amp;sort=-mean"' in page.content.decode()
    # Same name replaces; invalid filters are refused with a clear message.
    client.post("/instruction/dossiers/vues/", {"name": "Désaccords ARA", "query": "opinion=none"})
    assert SavedView.objects.get(user=lead).query == "opinion=none"
    response = client.post(
        "/instruction/dossiers/vues/", {"name": "Bizarre", "query": "score_min=abc"}, follow=True
    )
    assert any("Filtres invalides (Note moyenne minimale" in m for m in _messages(response))
    response = client.post("/instruction/dossiers/vues/", {"name": " ", "query": ""}, follow=True)
    assert "Donnez un nom à la vue." in _messages(response)
    # Another person neither sees nor deletes it.
    other = UserFactory(cell_lead=True)
    login_staff(client, other)
    assert client.get(LIST).context["saved_views"] == []
    assert client.post(f"/instruction/dossiers/vues/{view.pk}/supprimer/").status_code == 404
    login_staff(client, lead)
    client.post(f"/instruction/dossiers/vues/{view.pk}/supprimer/")
    assert not SavedView.objects.exists()
    assert AuditLog.objects.filter(action="review.saved_view_deleted").count() == 1


def test_nul_characters_in_views_and_filters_are_dropped(client):
    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    client.post(
        "/instruction/dossiers/vues/",
        {"name": "A\x00B", "query": "region=8\x004&status=sub\x00mitted"},
    )
    view = SavedView.objects.get(user=lead)
    assert (view.name, view.query) == ("AB", "region=84&status=submitted")
    for key in ("region", "call", "department", "status", "score_min", "opinion"):
        assert client.get(LIST, {key: "8\x004"}).status_code == 200, key


def test_saved_views_are_limited_per_person():
    user = UserFactory(reviewer=True)
    for number in range(instructor.MAX_SAVED_VIEWS):
        instructor.save_view(user, f"Vue {number}", "")
    with pytest.raises(ReviewError, match="déjà 30 vues"):
        instructor.save_view(user, "Une de trop", "")
    instructor.save_view(user, "Vue 3", "status=submitted")  # replacing stays possible


def test_saved_views_need_a_staff_login(client):
    assert client.post("/instruction/dossiers/vues/", {"name": "x"}).status_code == 302
    client.force_login(UserFactory())
    assert client.post("/instruction/dossiers/vues/", {"name": "x"}).status_code == 403


# ------------------------------------------------------------------ opinion filter


def test_opinion_filter_and_column(client):
    with_opinion = submitted_file()
    without = submitted_file(call=with_opinion.call)
    [reviewer] = reviewers(count=1)
    opinions.save_opinion(
        with_opinion, actor=reviewer, opinion="reserved", reasons="Budget", expected_version=0
    )
    login_staff(client, UserFactory(national=True))

    def refs(**query):
        return [r.reference for r in client.get(LIST, query).context["rows"]]

    assert refs(opinion="reserved") == [with_opinion.reference]
    assert refs(opinion="favourable") == []
    assert refs(opinion="none") == [without.reference]
    assert "<td>Réservé</td>" in client.get(LIST).content.decode()


# ------------------------------------------------------------------ bulk actions


def test_bulk_status_change_goes_through_the_state_service_and_reports_each_refusal(client):
    first = submitted_file()
    second = submitted_file(call=first.call)
    withdrawn = submitted_file(call=first.call)
    states.change_status(withdrawn, S.WITHDRAWN, actor=withdrawn.owner)
    foreign = submitted_file(call=first.call, communes=["59350"])  # Hauts-de-France
    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    response = client.post(
        "/instruction/dossiers/actions/",
        {
            "action": "start_review",
            "files": [first.uuid, second.uuid, withdrawn.uuid, foreign.uuid, "pas-un-uuid"],
            "query": "status=submitted",
        },
    )
    assert response.url == f"{LIST}?status=submitted"
    texts = _messages(client.get(response.url))
    assert texts[0] == "2 dossier(s) introuvable(s) ignoré(s)."
    assert texts[1] == (
        f"2 dossier(s) désormais « En instruction » : {first.reference}, {second.reference}."
    )
    assert texts[2] == (
        f"{withdrawn.reference} : refusé — Un dossier « Retiré » ne peut pas passer à "
        "« En instruction »."
    )
    for application, status in ((first, S.UNDER_REVIEW), (withdrawn, S.WITHDRAWN)):
        application.refresh_from_db()
        assert application.status == status
    foreign.refresh_from_db()
    assert foreign.status == S.SUBMITTED
    assert first.status_changes.filter(to_status=S.UNDER_REVIEW, actor=lead).count() == 1
    entry = AuditLog.objects.get(action="review.bulk_status")
    assert entry.after["refused"] == [withdrawn.reference]
    # Then « Instruit »: allowed for the cell lead on files under review only.
    response = client.post(
        "/instruction/dossiers/actions/",
        {"action": "mark_reviewed", "files": [first.uuid, foreign.uuid]},
        follow=True,
    )
    assert f"1 dossier(s) désormais « Instruit » : {first.reference}." in _messages(response)


def test_bulk_actions_refused_to_reviewers_and_unknown_actions(client):
    application = submitted_file()
    login_staff(client, reviewers(count=1)[0])
    response = client.post(
        "/instruction/dossiers/actions/",
        {"action": "start_review", "files": [application.uuid]},
        follow=True,
    )
    assert "Les actions groupées sont réservées aux responsables de cellule." in _messages(response)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    login_staff(client, UserFactory(national=True))
    response = client.post(
        "/instruction/dossiers/actions/",
        {"action": "accept_everything", "files": [application.uuid]},
        follow=True,
    )
    assert "Choisissez une action." in _messages(response)


def test_bulk_assign_through_the_action_form(client):
    application = submitted_file()
    reviewers(count=2)
    login_staff(client, UserFactory(cell_lead=True))
    client.post("/instruction/dossiers/actions/", {"action": "assign", "files": [application.uuid]})
    assert application.assignments.count() == 2


# ------------------------------------------------------------------ ODS


def _ods_rows(content: bytes):
    archive = zipfile.ZipFile(BytesIO(content))
    assert archive.namelist()[0] == "mimetype"
    assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    from xml.etree import ElementTree

    ns = {
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    }
    root = ElementTree.fromstring(archive.read("content.xml"))  # noqa: S314 (our own output)
    return [
        ["".join(c.itertext()) for c in row.findall("table:table-cell", ns)]
        for row in root.iter(f"{{{ns['table']}}}table-row")
    ]


def test_ods_export_scoped_with_scores_opinions_neutralised_and_audited(client):
    application = submitted_file()
    application.pole_name = "=cmd|' /C calc'!A0"
    application.save(update_fields=["pole_name"])
    [reviewer] = reviewers(count=1)
    submit_evaluation(application, reviewer)
    opinions.save_opinion(
        application, actor=reviewer, opinion="favourable", reasons="+ solide", expected_version=0
    )
    login_staff(client, reviewer)
    response = client.get("/instruction/dossiers/export.ods")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert 'filename="dossiers-instruction.ods"' in response["Content-Disposition"]
    rows = _ods_rows(b"".join(response.streaming_content))
    assert rows[0][:3] == ["Référence", "Pôle", "Appel"]
    assert len(rows) == 2
    assert rows[1][0] == application.reference
    assert rows[1][1] == "'=cmd|' /C calc'!A0"  # neutralised
    assert rows[1][8] == "3.40" and rows[1][12] == "Favorable"
    assert rows[1][-1] == "'+ solide"
    login_staff(client, UserFactory(reviewer=True, region_id="32"))
    other = client.get("/instruction/dossiers/export.ods")
    assert len(_ods_rows(b"".join(other.streaming_content))) == 1
    entries = AuditLog.objects.filter(action="review.export")
    assert [e.after["format"] for e in entries] == ["ods", "ods"]
    client.force_login(UserFactory())
    assert client.get("/instruction/dossiers/export.ods").status_code == 403


def test_ods_cells_are_typed():
    assert cell(None) == "<table:table-cell/>"
    assert 'office:value-type="float" office:value="3.40"' in cell(
        __import__("decimal").Decimal("3.40")
    )
    assert 'office:date-value="2026-06-01"' in cell(datetime.date(2026, 6, 1))
    assert "<text:p>'-1+1 &lt;b&gt;</text:p>" in cell("-1+1 <b>")
    assert "<text:p>ab</text:p>" in cell("a\x00b\x0c")  # not allowed in XML
    buffer = BytesIO()
    assert write_ods(buffer, ["A"], ([n] for n in range(1000))) == 1000
    assert len(_ods_rows(buffer.getvalue())) == 1001


# ------------------------------------------------------------------ PDF and zip


def _attach(application, name, content=b"%PDF-1.4 demo", kind="statutes"):
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save("x.pdf", ContentFile(content), save=False)
    attachment.save()
    return attachment


def test_file_pdf_of_the_submitted_snapshot(client):
    application = submitted_file()
    [reviewer] = reviewers(count=1)
    login_staff(client, reviewer)
    response = client.get(f"/instruction/dossiers/{application.uuid}/dossier.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="dossier-{application.reference}-v1.pdf"' in response["Content-Disposition"]
    assert AuditLog.objects.filter(action="review.file_pdf", object_id=str(application.pk)).count()
    url = f"/instruction/dossiers/{application.uuid}/dossier.pdf"
    assert client.get(url, {"version": "2"}).status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_file_pdf_survives_long_and_hostile_texts():
    from reviews.file_pdf import file_pdf

    application = submitted_file()
    submission = application.submissions.get()
    submission.data["project"]["diagnosis"] = "<b>Très</b> long & « riche » — Łukasz. " * 400
    assert file_pdf(submission, status_label="Déposé").startswith(b"%PDF")


def test_attachments_zip_streamed_with_sanitised_unique_names(client):
    application = submitted_file()
    application.attachments.all().delete()
    _attach(application, "../../etc/passwd", b"un")
    _attach(application, "Statuts signés «2026».pdf", b"deux")
    _attach(application, "Statuts signés «2026».pdf", b"trois")
    login_staff(client, UserFactory(national=True))
    response = client.get(f"/instruction/dossiers/{application.uuid}/pieces.zip")
    assert response.status_code == 200
    assert response.streaming
    archive = zipfile.ZipFile(BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == [
        "statutes-Statuts signes 2026-2.pdf",
        "statutes-Statuts signes 2026.pdf",
        "statutes-passwd",
    ]
    assert archive.read("statutes-passwd") == b"un"
    assert archive.read("statutes-Statuts signes 2026-2.pdf") == b"trois"
    assert AuditLog.objects.filter(action="review.attachments_zip").get().after == {"count": 3}


def test_safe_name():
    assert archives.safe_name("..") == "piece"
    assert archives.safe_name("C:\\Users\\x\\rapport final.PDF") == "rapport final.PDF"
    assert archives.safe_name("a" * 300 + ".pdf") == "a" * 96 + ".pdf"
    assert archives.safe_name(".htaccess") == "htaccess"


def test_new_file_urls_denied_to_other_region_conflicted_reviewer_and_candidates(client):
    application = submitted_file()
    _attach(application, "statuts.pdf")
    [reviewer] = reviewers(count=1)
    ConflictOfInterest.objects.create(
        application=application, reviewer=reviewer, source="declared", reason="Administrateur"
    )
    urls = [
        f"/instruction/dossiers/{application.uuid}/dossier.pdf",
        f"/instruction/dossiers/{application.uuid}/pieces.zip",
    ]
    for person in (reviewer, UserFactory(reviewer=True, region_id="32")):
        login_staff(client, person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
    for person in (application.owner, UserFactory()):  # candidates: not staff
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 403, url
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302
    assert not AuditLog.objects.filter(
        action__in=["review.file_pdf", "review.attachments_zip"]
    ).exists()


# ------------------------------------------------------------------ committee members


def _reviewed(call=None):
    application = submitted_file(call=call)
    submit_evaluation(application, reviewers(count=1)[0])
    states.change_status(application, S.REVIEWED, actor=UserFactory(cell_lead=True))
    application.refresh_from_db()
    return application


def test_session_created_with_its_members_who_alone_decide(client):
    application = _reviewed()
    sitting, absent = UserFactory(committee=True), UserFactory(committee=True)
    login_staff(client, UserFactory(national=True))
    response = client.post(
        "/instruction/comite/",
        {
            "call": application.call.pk,
            "title": "Comité d’automne",
            "date": "2026-10-15",
            "members": [sitting.pk],
        },
    )
    session = CommitteeSession.objects.get()
    assert response.url == f"/instruction/comite/{session.pk}/"
    assert list(session.members_present.all()) == [sitting]
    with pytest.raises(ReviewError, match="Vous ne siégez pas à cette séance"):
        committee.record_decision(session, application, actor=absent, decision="accepted")
    committee.record_decision(session, application, actor=sitting, decision="accepted")
    # The national cell changes the members while the session is open.
    client.post(f"/instruction/comite/{session.pk}/membres/", {"members": [sitting.pk, absent.pk]})
    assert set(session.members_present.all()) == {sitting, absent}
    assert AuditLog.objects.filter(action="review.session_members").count() == 1
    page = client.get(f"/instruction/comite/{session.pk}/")
    assert "Membres de la séance" in page.content.decode()
    # Only committee members can sit; a member cannot change the list.
    with pytest.raises(ReviewError, match="Seuls des membres du comité"):
        committee.set_members(session, [reviewers(count=1)[0]], actor=UserFactory(national=True))
    login_staff(client, sitting)
    assert client.post(f"/instruction/comite/{session.pk}/membres/", {}).status_code == 403


# ------------------------------------------------------------------ decisions in the wrong state


def test_decision_on_a_file_in_the_wrong_state_is_refused():
    submitted = submitted_file()
    session = CommitteeSession.objects.create(
        call=submitted.call, title="Comité", date=datetime.date(2026, 6, 15)
    )
    member = UserFactory(committee=True)
    with pytest.raises(ReviewError, match="Ce dossier n’est pas proposé à cette séance."):
        committee.record_decision(session, submitted, actor=member, decision="accepted")
    assert not session.decisions.exists()
    with pytest.raises(states.TransitionNotAllowed):
        states.change_status(submitted, S.ACCEPTED, actor=UserFactory(national=True))


def test_publication_leaves_a_file_withdrawn_since_its_decision_untouched(client):
    kept = _reviewed()
    withdrawn = _reviewed(call=kept.call)
    session = CommitteeSession.objects.create(
        call=kept.call, title="Comité", date=datetime.date(2026, 6, 15)
    )
    member = UserFactory(committee=True)
    for application in (kept, withdrawn):
        committee.record_decision(session, application, actor=member, decision="accepted")
    states.change_status(withdrawn, S.WITHDRAWN, actor=withdrawn.owner)
    login_staff(client, UserFactory(national=True))
    response = client.post(f"/instruction/comite/{session.pk}/publier/", follow=True)
    assert "Séance publiée : 1 candidat(s) prévenu(s)." in _messages(response)
    assert (
        f"Décisions non appliquées (dossier qui n’est plus « Instruit ») : "
        f"{withdrawn.reference} (« Retiré »)." in _messages(response)
    )
    kept.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (kept.status, withdrawn.status) == (S.ACCEPTED, S.WITHDRAWN)


def test_reviewer_of_another_region_guessing_urls_is_denied_everywhere(client):
    application = submitted_file()
    _attach(application, "statuts.pdf")
    [reviewer] = reviewers(count=1)
    submit_evaluation(application, reviewer)
    opinions.save_opinion(
        application, actor=reviewer, opinion="favourable", reasons="Oui", expected_version=0
    )
    stranger = UserFactory(reviewer=True, region_id="32")
    login_staff(client, stranger)
    base = f"/instruction/dossiers/{application.uuid}"
    for url in [
        f"{base}/dossier.pdf",
        f"{base}/dossier.pdf?version=1",
        f"{base}/pieces.zip",
        f"{base}/avis/",
        f"/dossiers/{application.uuid}/lettre-de-decision.pdf",
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"{base}/avis/", {"opinion": "unfavourable", "reasons": "Non", "version": 1}
        ).status_code
        == 404
    )
    assert client.post(f"{base}/avis/valider/", {"version": 1}).status_code in (403, 404)
    # Lists and exports never include the file.
    assert client.get(LIST).context["rows"] == []
    ods = client.get("/instruction/dossiers/export.ods")
    assert len(_ods_rows(b"".join(ods.streaming_content))) == 1
    csv = b"".join(client.get("/instruction/dossiers/export.csv").streaming_content)
    assert application.reference.encode() not in csv
    # Committee pages are not theirs.
    assert client.get("/instruction/comite/").status_code == 403
    application.regional_opinion.refresh_from_db()
    assert application.regional_opinion.opinion == "favourable"


def test_filters_and_saved_views_add_no_query_per_row(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    instructor.save_view(lead, "Réservés", "opinion=reserved")
    query = {"opinion": "favourable", "disagreement": "on", "priority": "on", "sort": "-mean"}
    submitted_file()

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST, query).status_code == 200
        return len(context.captured_queries)

    few = count()
    call = call_with_grid()
    for _number in range(6):
        submitted_file(call=call)
    assert count() == few


def test_file_page_links_to_the_pdf_and_the_zip(client):
    application = submitted_file()
    _attach(application, "statuts.pdf")
    login_staff(client, UserFactory(national=True))
    page = client.get(f"/instruction/dossiers/{application.uuid}/").content.decode()
    assert f'href="/instruction/dossiers/{application.uuid}/dossier.pdf"' in page
    assert f'href="/instruction/dossiers/{application.uuid}/pieces.zip"' in page
