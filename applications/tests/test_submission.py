from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications import services
from applications.choices import ApplicationStatus, PhaseRequest
from applications.factories import CallFactory, complete_application, dated_call
from applications.models import Application, ImmutableError, ReferenceCounter, Submission
from applications.receipts import receipt_pdf
from calls.models import Call, RequiredAttachment

pytestmark = pytest.mark.django_db


def submit_url(application):
    return reverse("applications:submit", args=[application.uuid])


def pdf_text(content: bytes) -> str:
    """Text of a PDF (pypdf), line wrapping and no-break spaces folded into single spaces."""
    reader = PdfReader(BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_submit_freezes_snapshot_reference_round_region_and_sends_receipt(
    client, django_capture_on_commit_callbacks
):
    application = complete_application()
    client.force_login(application.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(application), {"certify": "on"})
    assert response.status_code == 302
    assert response.url == reverse("applications:submitted", args=[application.uuid])
    application.refresh_from_db()
    year = timezone.localtime().year
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == f"PTCE-{year}-0001"
    assert application.phase == "emergence"
    assert application.round == application.call.rounds.get()
    assert application.region_id == "84"
    submission = Submission.objects.get(application=application)
    assert submission.version == 1
    assert submission.data["reference"] == application.reference
    assert submission.data["lead"]["siret"] == application.lead_siret
    assert [c["code"] for c in submission.data["territory"]["communes"]] == ["69062", "69238"]
    assert services.snapshot_matches(submission)
    assert submission.receipt.name.endswith(f"{application.reference}-v1.pdf")
    [email] = mail.outbox
    assert email.subject == f"Dossier déposé : {application.reference}"
    assert submission.sha256 in email.body
    [(filename, content, mimetype)] = email.attachments
    assert filename == f"accuse-reception-{application.reference}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert submission.sha256 in pdf_text(content)
    assert application.status_changes.get().to_status == ApplicationStatus.SUBMITTED


def test_receipt_task_is_idempotent(django_capture_on_commit_callbacks):
    from applications.tasks import generate_receipt
    from core.models import OutboundEmail

    application = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(application, actor=application.owner)
    submission = Submission.objects.get(application=application)
    with django_capture_on_commit_callbacks(execute=True):
        generate_receipt.call(submission.pk)
    assert OutboundEmail.objects.filter(dedup_key=f"receipt:{submission.pk}").count() == 1


def test_snapshot_is_immutable_and_later_edits_do_not_change_it():
    application = complete_application()
    services.submit(application, actor=application.owner)
    submission = Submission.objects.get(application=application)
    frozen = dict(submission.data)
    Application.objects.filter(pk=application.pk).update(innovation="Réécrit plus tard")
    application.members.all().delete()
    submission.refresh_from_db()
    assert submission.data == frozen
    assert services.snapshot_matches(submission)
    submission.data["project"]["innovation"] = "falsifié"
    with pytest.raises(ImmutableError):
        submission.save()
    with pytest.raises(ImmutableError):
        submission.delete()


def test_references_follow_each_other_without_gaps():
    call = CallFactory()
    files = [complete_application(call=call) for _ in range(4)]
    for file in files:
        services.submit(file, actor=file.owner)
    year = timezone.localtime().year
    references = sorted(Application.objects.values_list("reference", flat=True))
    assert references == [f"PTCE-{year}-{n:04d}" for n in range(1, 5)]
    assert ReferenceCounter.objects.get(year=year).last_number == 4


def test_double_submission_yields_exactly_one(client, django_capture_on_commit_callbacks):
    application = complete_application()
    client.force_login(application.owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(submit_url(application), {"certify": "on"})
        second = client.post(submit_url(application), {"certify": "on"}, follow=True)
    assert first.status_code == 302
    assert "déjà déposé" in second.content.decode()
    assert Submission.objects.filter(application=application).count() == 1
    assert ReferenceCounter.objects.get().last_number == 1
    assert len(mail.outbox) == 1
    # The service itself refuses a second submission of a locked, submitted row.
    with pytest.raises(services.AlreadySubmitted):
        services.submit(application, actor=application.owner)


def test_submission_requires_certification_and_eligibility(client):
    application = complete_application(members=1)
    client.force_login(application.owner)
    missing = client.post(submit_url(application), {}, follow=True)
    assert "Cochez la case de certification" in missing.content.decode()
    refused = client.post(submit_url(application), {"certify": "on"}, follow=True)
    assert "il en faut au moins trois" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not Submission.objects.exists()


def test_missing_required_attachment_blocks_submission():
    call = CallFactory()
    RequiredAttachment.objects.create(call=call, kind="statutes", label="Statuts à jour")
    application = complete_application(call=call)
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit(application, actor=application.owner)
    assert "Joignez la pièce « Statuts à jour »." in refusal.value.reasons


def test_submission_after_cut_off_refused_and_draft_kept(client):
    call = dated_call(closes_in=timedelta(days=1))
    application = complete_application(call=call)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    client.force_login(application.owner)
    response = client.post(submit_url(application), {"certify": "on"}, follow=True)
    assert "L’appel est clos" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference is None


def test_round_is_first_cut_off_after_now():
    from calls.models import Round

    call = CallFactory(rounds=[])
    later = Round.objects.create(
        call=call, name="Relève 2", cut_off_at=timezone.now() + timedelta(days=60)
    )
    Round.objects.create(call=call, name="Relève 0", cut_off_at=timezone.now() - timedelta(days=1))
    sooner = Round.objects.create(
        call=call, name="Relève 1", cut_off_at=timezone.now() + timedelta(days=2)
    )
    application = complete_application(call=call)
    services.submit(application, actor=application.owner)
    application.refresh_from_db()
    assert application.round == sooner
    assert later != sooner


def test_phases_filed_together_give_two_linked_files(django_capture_on_commit_callbacks):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    with django_capture_on_commit_callbacks(execute=True):
        files = services.submit(application, actor=application.owner)
    phase_one, phase_two = files
    year = timezone.localtime().year
    assert (phase_one.phase, phase_one.reference) == ("emergence", f"PTCE-{year}-0001")
    assert (phase_two.phase, phase_two.reference) == ("funding", f"PTCE-{year}-0002")
    assert phase_two.linked_application == phase_one
    assert phase_two.status == ApplicationStatus.SUBMITTED
    assert phase_two.members.count() == phase_one.members.count() == 3
    assert phase_two.budget_lines.count() == 5
    assert Submission.objects.get(application=phase_two).data["budget"]["requested"] == "60000.00"
    # One e-mail citing both references, one receipt per file attached.
    [email] = mail.outbox
    assert email.subject == (
        f"Dossiers déposés : PTCE-{year}-0001 (phase 1) et PTCE-{year}-0002 (phase 2)"
    )
    assert "deux dossiers liés ont été créés" in email.body
    assert f"Références : PTCE-{year}-0001 (phase 1) et PTCE-{year}-0002 (phase 2)" in email.body
    assert [name for name, _content, _type in email.attachments] == [
        f"accuse-reception-PTCE-{year}-0001.pdf",
        f"accuse-reception-PTCE-{year}-0002.pdf",
    ]


def test_joint_filing_is_explained_before_and_confirmed_once_after(
    client, django_capture_on_commit_callbacks
):
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    client.force_login(application.owner)
    start = client.get(reverse("applications:start", args=[application.call.slug]))
    assert "deux dossiers liés sont créés" in start.content.decode()
    summary = client.get(reverse("applications:summary", args=[application.uuid]))
    content = summary.content.decode()
    assert "Au dépôt, deux dossiers liés seront créés" in content
    assert "Déposer les deux dossiers liés</button>" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(application), {"certify": "on"}, follow=True)
    year = timezone.localtime().year
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "applications:submitted", args=[application.uuid]
    )
    assert f"Références PTCE-{year}-0001 et PTCE-{year}-0002" in page
    assert page.count("Télécharger l’accusé de réception") == 2
    assert len(mail.outbox) == 1
    # The phase-2 file leads to the same confirmation.
    phase_two = Application.objects.get(reference=f"PTCE-{year}-0002")
    again = client.get(reverse("applications:submitted", args=[phase_two.uuid]))
    assert f"Références PTCE-{year}-0001 et PTCE-{year}-0002" in again.content.decode()


def test_phase_two_alone_needs_a_phase_one_label():
    application = complete_application(requested_phases=PhaseRequest.FUNDING)
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit(application, actor=application.owner)
    assert any("label « PTCE émergent »" in r for r in refusal.value.reasons)
    # A laureate of phase 1 (same lead SIRET) may file phase 2 alone.
    label = complete_application(owner=application.owner)
    Application.objects.filter(pk=label.pk).update(
        phase="emergence", status=ApplicationStatus.ACCEPTED, lead_siret=application.lead_siret
    )
    services.submit(application, actor=application.owner)
    application.refresh_from_db()
    assert application.phase == "funding"


def test_requested_amount_outside_call_bounds_blocks_submission():
    application = complete_application(requested_phases=PhaseRequest.BOTH)
    application.budget_lines.all().delete()
    from applications.factories import fill_budget

    fill_budget(application, requested=__import__("decimal").Decimal("90000"))
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit(application, actor=application.owner)
    assert any("dépasse le maximum" in r for r in refusal.value.reasons)


def test_html_and_markup_in_text_are_escaped_in_the_pdf():
    application = complete_application()
    application.pole_name = "<script>alert(1)</script>"
    application.innovation = "<font name='x'><b>pas ferme & <para>"
    application.save()
    services.submit(application, actor=application.owner)
    submission = Submission.objects.get(application=application)
    content = receipt_pdf(submission)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    # Printed literally (the template autoescapes; nothing is interpreted as markup).
    assert "<script>alert(1)</script>" in text
    assert "<font name='x'><b>pas ferme & <para>" in text


def test_only_owner_submits(client):
    application = complete_application()
    from accounts.factories import UserFactory

    co_editor = UserFactory()
    application.co_editors.add(co_editor)
    client.force_login(co_editor)
    assert client.post(submit_url(application), {"certify": "on"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_previous_state_support_found_by_lead_siret_or_name_even_if_not_declared():
    from applications.description import describe

    earlier = complete_application()
    Application.objects.filter(pk=earlier.pk).update(
        phase="funding", status=ApplicationStatus.ACCEPTED
    )
    application = complete_application(call=CallFactory())
    application.lead_name = earlier.lead_name.upper()
    application.save()
    assert application.previous_state_support is False
    assert describe(application)["previous_state_support"] is False
    assert describe(application)["previous_state_support_found"] == [
        f"{earlier.call.title} phase 2 ({earlier.call.year})"
    ]
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit(application, actor=application.owner)
    assert any("déjà été soutenu" in r for r in refusal.value.reasons)
    # A call open to previously supported poles accepts it.
    Call.objects.filter(pk=application.call_id).update(allows_previous_support=True)
    application.refresh_from_db()
    services.submit(application, actor=application.owner)
