import icalendar
import pytest
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from accounts.models import Role
from core.models import AuditLog, OutboundEmail
from events import audiences, services
from events.factories import DialInNumberFactory, EventFactory, RegistrationFactory
from events.models import EventStatus, Invitation
from territories.models import Region

pytestmark = pytest.mark.django_db


def _calendar(email: OutboundEmail):
    attachment = email.attachments.get()
    return attachment, icalendar.Calendar.from_ical(bytes(attachment.content))


# Audiences ------------------------------------------------------------------------------------


def test_pasted_list_keeps_valid_reports_invalid_and_merges_duplicates():
    valid, invalid = audiences.parse_email_list(
        "ana@exemple.fr, Bob@Exemple.fr; pas-une-adresse\n"
        "Chloé Martin <chloe@exemple.fr>\n"
        "ana@exemple.fr  ANA@EXEMPLE.FR\n"
        "x@y, @exemple.fr pas-une-adresse"
    )
    assert valid == ["ana@exemple.fr", "bob@exemple.fr", "chloe@exemple.fr"]
    assert invalid == ["pas-une-adresse", "x@y", "@exemple.fr"]


def test_empty_pasted_list_has_nothing():
    assert audiences.parse_email_list("  \n ; , ") == ([], [])


def test_candidate_accounts_audience_lists_confirmed_active_candidates():
    UserFactory(email="porteur@exemple.fr")
    UserFactory(email="inactif@exemple.fr", is_active=False)
    UserFactory(email="nonconfirme@exemple.fr", unconfirmed=True)
    UserFactory(email="agent@exemple.fr", national=True)
    assert audiences.get("candidates").resolve({}) == ["porteur@exemple.fr"]


def test_region_audience_lists_accounts_of_that_region():
    UserFactory(email="ara@exemple.fr", reviewer=True)
    UserFactory(email="hdf@exemple.fr", role=Role.REGIONAL_REVIEWER, region_id="32")
    region = Region.objects.get(code="84")
    assert audiences.get("region").resolve({"region": region}) == ["ara@exemple.fr"]


def test_other_apps_can_register_an_audience():
    audiences.register("test_fixed", "Public d’essai", lambda params: ["A@x.fr", "a@x.fr"])
    try:
        assert ("test_fixed", "Public d’essai") in audiences.choices()
        assert audiences.get("test_fixed").resolve({}) == ["a@x.fr"]
    finally:
        audiences._REGISTRY.pop("test_fixed")


# Sending invitations --------------------------------------------------------------------------


def test_invitation_is_queued_with_a_request_calendar_and_audited():
    event = EventFactory()
    staff = UserFactory(national=True)
    report = services.send_invitations(
        event,
        audience_key="emails",
        params={"emails": "ana@exemple.fr, bob@exemple.fr, ana@exemple.fr"},
        actor=staff,
    )
    assert report.sent == ["ana@exemple.fr", "bob@exemple.fr"]
    emails = OutboundEmail.objects.filter(template="event_invitation").order_by("pk")
    assert [e.to for e in emails] == [["ana@exemple.fr"], ["bob@exemple.fr"]]
    attachment, calendar = _calendar(emails[0])
    assert attachment.filename == "invitation.ics"
    assert attachment.mimetype == "text/calendar; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VEVENT")[0]["UID"] == event.uid
    assert emails[0].subject == f"Invitation : {event.full_title}"
    assert emails[0].reply_to == "animation@exemple.fr"
    entry = AuditLog.objects.get(action="event.invitations_sent")
    assert entry.actor == staff
    assert entry.after == {
        "audience": "emails",
        "audience_label": "Liste d’adresses collées",
        "sent": 2,
        "already_invited": 0,
    }


def test_inviting_twice_does_not_resend():
    event = EventFactory()
    params = {"emails": "ana@exemple.fr"}
    services.send_invitations(event, audience_key="emails", params=params, actor=None)
    report = services.send_invitations(event, audience_key="emails", params=params, actor=None)
    assert report.sent == []
    assert report.already_invited == ["ana@exemple.fr"]
    assert OutboundEmail.objects.filter(template="event_invitation").count() == 1


def test_invitation_hides_access_details_when_reserved_to_participants():
    event = EventFactory(access_details_for_registered_only=True)
    services.send_invitations(
        event, audience_key="emails", params={"emails": "ana@exemple.fr"}, actor=None
    )
    email = OutboundEmail.objects.get(template="event_invitation")
    assert "visio.exemple.fr" not in email.body
    assert "communiquées aux personnes inscrites" in email.body
    assert b"visio.exemple.fr" not in bytes(email.attachments.get().content)


def test_html_title_is_escaped_in_the_html_email_and_plain_in_the_text():
    event = EventFactory(title="<script>alert(1)</script> & co")
    services.send_invitations(
        event, audience_key="emails", params={"emails": "ana@exemple.fr"}, actor=None
    )
    email = OutboundEmail.objects.get(template="event_invitation")
    assert "<script>" not in email.html_body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in email.html_body
    assert "<script>alert(1)</script> & co" in email.body  # text/plain is never rendered
    assert email.subject == "Invitation : <script>alert(1)</script> & co"


# Updates and cancellation ---------------------------------------------------------------------


def test_update_increments_sequence_and_notifies_invited_and_registered():
    event = EventFactory()
    services.send_invitations(
        event, audience_key="emails", params={"emails": "ana@exemple.fr"}, actor=None
    )
    registration = RegistrationFactory(event=event, email="bob@exemple.fr")
    RegistrationFactory(event=event, email="gone@exemple.fr", status="cancelled")
    before = services.schedule_snapshot(event)
    uid = event.uid
    event.join_url = "https://visio.exemple.fr/nouveau-lien"
    event.save()
    DialInNumberFactory(event=event, number="+33-1-11-11-11-11", label="France")
    notified = services.publish_update(event, before=before, actor=None)
    assert notified == 2
    event.refresh_from_db()
    assert event.sequence == 1
    assert event.uid == uid
    updates = OutboundEmail.objects.filter(template="event_update").order_by("pk")
    assert sorted(e.to[0] for e in updates) == ["ana@exemple.fr", "bob@exemple.fr"]
    for email in updates:
        _attachment, calendar = _calendar(email)
        vevent = calendar.walk("VEVENT")[0]
        assert vevent["SEQUENCE"] == 1
        assert vevent["UID"] == uid
        assert str(vevent["URL"]) == "https://visio.exemple.fr/nouveau-lien"
    bob = updates.get(to=["bob@exemple.fr"])
    assert "(le lien de connexion, les modalités de connexion)" in bob.body
    assert services.access_link(registration) in bob.body
    assert AuditLog.objects.get(action="event.updated").after["sequence"] == 1


def test_edit_without_schedule_change_sends_nothing():
    event = EventFactory()
    RegistrationFactory(event=event)
    before = services.schedule_snapshot(event)
    event.description = "Nouvelle présentation"
    event.save()
    assert services.publish_update(event, before=before, actor=None) == 0
    event.refresh_from_db()
    assert event.sequence == 0


def test_cancellation_sends_method_cancel_to_everyone():
    event = EventFactory()
    services.send_invitations(
        event, audience_key="emails", params={"emails": "ana@exemple.fr"}, actor=None
    )
    RegistrationFactory(event=event, email="bob@exemple.fr")
    assert services.cancel_event(event, actor=None, reason="Report à une date ultérieure.") == 2
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
    emails = OutboundEmail.objects.filter(template="event_cancelled")
    assert emails.count() == 2
    attachment, calendar = _calendar(emails.first())
    assert attachment.mimetype == "text/calendar; method=CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 1
    assert vevent["UID"] == event.uid
    assert "Report à une date ultérieure." in emails.first().body
    assert services.cancel_event(event, actor=None) == 0  # once only
    assert AuditLog.objects.filter(action="event.cancelled").count() == 1


# Staff pages ----------------------------------------------------------------------------------


def test_staff_sends_a_pasted_list_and_sees_invalid_addresses(client):
    event = EventFactory()
    staff = UserFactory(national=True)
    login_staff(client, staff)
    response = client.post(
        reverse("events:send_invitations", args=[event.slug]),
        {"audience": "emails", "emails": "ana@exemple.fr\nmauvaise-adresse\nana@exemple.fr"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 invitation(s) envoyée(s)" in page
    assert "1 adresse(s) non valide(s) ignorée(s) : mauvaise-adresse" in page
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ana@exemple.fr"]


def test_only_invalid_addresses_is_an_error(client):
    event = EventFactory()
    login_staff(client, UserFactory(national=True))
    response = client.post(
        reverse("events:send_invitations", args=[event.slug]),
        {"audience": "emails", "emails": "pas-une-adresse; autre@"},
    )
    assert response.status_code == 400
    assert "Aucune adresse valide dans la liste" in response.content.decode()
    assert not Invitation.objects.exists()


def test_region_audience_needs_a_region(client):
    event = EventFactory()
    login_staff(client, UserFactory(national=True))
    response = client.post(
        reverse("events:send_invitations", args=[event.slug]), {"audience": "region"}
    )
    assert response.status_code == 400
    assert "Choisissez la région" in response.content.decode()


def test_region_audience_from_the_page(client):
    event = EventFactory()
    UserFactory(email="ara@exemple.fr", reviewer=True)
    login_staff(client, UserFactory(national=True))
    client.post(
        reverse("events:send_invitations", args=[event.slug]),
        {"audience": "region", "region": "84"},
    )
    invitation = Invitation.objects.get()
    assert invitation.email == "ara@exemple.fr"
    assert invitation.audience == "Comptes rattachés à une région : Auvergne-Rhône-Alpes"


@pytest.mark.parametrize("trait", [{}, {"reviewer": True}, {"committee": True}])
def test_invitations_are_refused_to_other_roles(client, trait):
    event = EventFactory()
    user = UserFactory(**trait)
    if user.is_staff_role:
        login_staff(client, user)
    else:
        client.force_login(user)
    response = client.post(
        reverse("events:send_invitations", args=[event.slug]),
        {"audience": "emails", "emails": "ana@exemple.fr"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_staff_without_second_factor_is_sent_to_verification(client):
    event = EventFactory()
    client.force_login(UserFactory(national=True))
    response = client.get(reverse("events:manage", args=[event.slug]))
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_staff_cancels_from_the_management_page(client):
    event = EventFactory()
    RegistrationFactory(event=event)
    login_staff(client, UserFactory(national=True))
    response = client.post(
        reverse("events:cancel", args=[event.slug]), {"reason": "Intempéries"}, follow=True
    )
    assert "Événement annulé ; 1 personne(s) prévenue(s)." in response.content.decode()
    event.refresh_from_db()
    assert event.is_cancelled


def test_admin_edit_of_the_date_sends_the_update(client):
    event = EventFactory()
    RegistrationFactory(event=event, email="bob@exemple.fr")
    admin_user = UserFactory(admin=True)
    login_staff(client, admin_user)
    url = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "description": event.description,
        "format": event.format,
        "join_url": event.join_url,
        "meeting_number": event.meeting_number,
        "video_address": event.video_address,
        "access_code": event.access_code,
        "starts_local": "2027-02-02T10:00",
        "ends_local": "2027-02-02T11:00",
        "ambiguous_time": "",
        "organiser_name": event.organiser_name,
        "organiser_email": event.organiser_email,
        "registration_open": "on",
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "dial_in_numbers-TOTAL_FORMS": "0",
        "dial_in_numbers-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.sequence == 1
    update = OutboundEmail.objects.get(template="event_update")
    assert update.to == ["bob@exemple.fr"]
    assert "mardi 2 février 2027 de 10 h 00 à 11 h 00 (heure de Paris)" in update.body
    assert "(la date ou l’heure)" in update.body


def test_delivered_invitation_carries_a_well_formed_calendar_part(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    event = EventFactory(title="Atelier ; bilan, perspectives")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(
            event, audience_key="emails", params={"emails": "ana@exemple.fr"}, actor=None
        )
    (message,) = mail.outbox
    assert message.to == ["ana@exemple.fr"]
    assert message.alternatives[0].mimetype == "text/html"
    raw = message.message().as_bytes(linesep="\r\n")
    assert b'Content-Type: text/calendar; method="REQUEST"; charset="utf-8"\r\n' in raw
    assert b'filename="invitation.ics"' in raw
    calendar_part = next(
        part for part in message.message().walk() if part.get_content_type() == "text/calendar"
    )
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "Atelier ; bilan, perspectives"


def test_ptce_and_laureate_audiences_use_public_contacts_of_active_poles():
    from laureates.factories import PtceFactory, PtceLabelFactory
    from laureates.models import PtceStatus

    emerging = PtceFactory(contact_email="emergent@exemple.fr", status=PtceStatus.EMERGING)
    PtceLabelFactory(ptce=emerging, phase="emergence")
    funded = PtceFactory(contact_email="finance@exemple.fr", status=PtceStatus.FUNDED)
    PtceLabelFactory(ptce=funded, phase="funding")
    PtceLabelFactory(ptce=funded, phase="emergence", title="AMI 2022", year=2022)
    closed = PtceFactory(contact_email="ferme@exemple.fr", status=PtceStatus.INACTIVE)
    PtceLabelFactory(ptce=closed, phase="emergence")
    PtceFactory(contact_email="")
    assert audiences.get("ptce_contacts").resolve({}) == [
        "emergent@exemple.fr",
        "finance@exemple.fr",
    ]
    assert audiences.get("laureates_phase_1").resolve({}) == [
        "emergent@exemple.fr",
        "finance@exemple.fr",
    ]
    assert audiences.get("laureates_phase_2").resolve({}) == ["finance@exemple.fr"]


def test_call_candidates_audience_lists_submitted_files_only():
    from applications.choices import ApplicationStatus
    from applications.factories import ApplicationFactory, CallFactory

    call, other_call = CallFactory(), CallFactory()
    submitted = ApplicationFactory(
        call=call,
        status=ApplicationStatus.SUBMITTED,
        owner=UserFactory(email="depose@exemple.fr"),
        contact_email="contact@exemple.fr",
    )
    submitted.co_editors.add(UserFactory(email="coredacteur@exemple.fr"))
    ApplicationFactory(call=call, owner=UserFactory(email="brouillon@exemple.fr"))
    ApplicationFactory(
        call=other_call,
        status=ApplicationStatus.SUBMITTED,
        owner=UserFactory(email="autre@exemple.fr"),
    )
    assert audiences.get("call_candidates").resolve({"call": call}) == [
        "depose@exemple.fr",
        "coredacteur@exemple.fr",
        "contact@exemple.fr",
    ]
    assert audiences.get("call_candidates").resolve({}) == []


def test_invitation_to_call_candidates_requires_a_call(client):
    staff = UserFactory(national=True)
    login_staff(client, staff)
    event = EventFactory()
    response = client.post(
        reverse("events:send_invitations", args=[event.slug]), {"audience": "call_candidates"}
    )
    assert "Choisissez l’appel dont les candidats sont invités." in response.content.decode()
    assert not Invitation.objects.exists()
