"""Committee sessions and decisions (SPEC §5.5).

Members of the committee (and the national cell) record one decision per file in an open
session; a refusal is always motivated and a phase-2 award has an amount. Decisions stay
pending until the national cell publishes the session: publishing changes each file's status
through ``applications.states.change_status``, records the award (``laureates.services.
create_award``) and has the task worker build each candidate's decision letter (PDF) and
queue it through the outbox, once.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_committee_member, is_national
from applications import states
from applications.choices import ApplicationStatus as S
from calls.choices import Phase
from core import audit
from core.models import OutboundEmail
from core.outbox import queue_templated_email
from editorial.defaults import LetterKind
from editorial.services import letter_content
from laureates.services import create_award
from reviews import letters
from reviews.choices import CommitteeDecision as D
from reviews.conflicts import CONFLICT_NOTICE, conflicted_ids, has_conflict
from reviews.models import CommitteeSession, Decision, SessionStatus
from reviews.services import ReviewError


def can_decide(user) -> bool:
    return is_committee_member(user) or is_national(user)


def sits_at(user, session) -> bool:
    """The national cell always may; a committee member when the session has no chosen
    members or counts them among its members."""
    if is_national(user):
        return True
    members = session.members_present.all()
    return not members.exists() or members.filter(pk=user.pk).exists()


def set_members(session, members, *, actor) -> None:
    if not is_national(actor):
        raise ReviewError("Seule la cellule nationale choisit les membres d’une séance.")
    if session.status != SessionStatus.OPEN or session.is_published:
        raise ReviewError("La séance est close : ses membres ne peuvent plus changer.")
    from accounts.models import Role

    if any(member.role != Role.COMMITTEE for member in members):
        raise ReviewError("Seuls des membres du comité de sélection peuvent siéger.")
    before = sorted(session.members_present.values_list("email", flat=True))
    session.members_present.set(members)
    audit.record(
        "review.session_members",
        actor=actor,
        obj=session,
        before={"members": before},
        after={"members": sorted(m.email for m in members)},
    )


def proposals(session):
    """Files of the session's call ready for a decision (instructed), in reference order, each
    with what the committee decides on: the State subsidy asked (``requested``), the review
    figures (``review_summary``), the régional opinion and the amount the session's simulation
    planned (``planned``). A fixed number of queries whatever the number of files."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    from reviews.national import state_request
    from reviews.services import LONG_TEXTS

    planned, proposed = {}, {}
    if session.simulation is not None:
        for row in session.simulation.result.get("decisions", []):
            if row["outcome"] == "funded":
                planned[row["reference"]] = Decimal(row["granted_amount"])
            proposed[row["reference"]] = row["outcome"]
    files = list(
        session.call.applications.filter(status=S.REVIEWED)
        .select_related("region", "review_summary", "regional_opinion")
        # Long texts are not shown: 300 rows load in a few milliseconds.
        .defer(
            *LONG_TEXTS,
            "review_summary__search_text",
            "review_summary__search_vector",
            "regional_opinion__reasons",
        )
        .annotate(requested=Coalesce(state_request(), Value(Decimal("0"))))
        .order_by("reference")
    )
    for application in files:
        application.planned = planned.get(application.reference)
        application.proposal = proposed.get(application.reference)
    return files


class DecisionConflict(ReviewError):
    """Another member saved a decision for the row since the page was loaded."""


def decision_version(decision: Decision | None) -> str:
    """What a row posts back to prove it was decided on the latest state ("" when undecided)."""
    return decision.recorded_at.isoformat() if decision else ""


def record_decision(
    session,
    application,
    *,
    actor,
    decision: str,
    reasons: str = "",
    amount=None,
    waiting_position=None,
    expected_version: str | None = None,
) -> Decision:
    """Record (or change) the decision on one file. ``expected_version``: the row's version
    the person saw (``decision_version``); a different current version raises
    ``DecisionConflict`` and nothing is written."""
    if not can_decide(actor):
        raise ReviewError("Seuls les membres du comité et la cellule nationale décident.")
    if session.status != SessionStatus.OPEN or session.is_published:
        raise ReviewError("La séance est close : les décisions ne peuvent plus changer.")
    if not sits_at(actor, session):
        raise ReviewError("Vous ne siégez pas à cette séance : seuls ses membres décident.")
    if has_conflict(actor, application):
        raise ReviewError(
            "Conflit d’intérêts déclaré sur ce dossier : vous ne pouvez pas en décider."
        )
    if application.call_id != session.call_id or application.status != S.REVIEWED:
        raise ReviewError("Ce dossier n’est pas proposé à cette séance.")
    reasons = (reasons or "").strip()
    if decision == D.REJECTED and not reasons:
        raise ReviewError("Un refus doit être motivé : indiquez les motifs.")
    if decision == D.ACCEPTED and application.phase == Phase.FUNDING and not amount:
        raise ReviewError("Indiquez le montant accordé pour un dossier de phase 2.")
    if amount and application.phase != Phase.FUNDING:
        raise ReviewError(
            "Un dossier de phase 1 reçoit un label, pas un montant : laissez le montant vide."
        )
    if decision != D.ACCEPTED:
        amount = None
    if decision != D.WAITING_LIST:
        waiting_position = None
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update()
            .filter(session=session, application=application)
            .first()
        )
        if expected_version is not None and decision_version(current) != expected_version:
            raise DecisionConflict(
                f"{application.reference} : un autre membre a enregistré une décision pendant "
                "que vous décidiez ; la sienne est conservée. Vérifiez-la avant de la modifier."
            )
        return _save_decision(
            session, application, actor, decision, reasons, amount, waiting_position
        )


def _save_decision(session, application, actor, decision, reasons, amount, waiting_position):
    row, _ = Decision.objects.update_or_create(
        session=session,
        application=application,
        defaults={
            "decision": decision,
            "reasons": reasons,
            "amount": amount,
            "waiting_position": waiting_position,
            "recorded_by": actor,
        },
    )
    audit.record(
        "review.decision_recorded",
        actor=actor,
        obj=application,
        after={
            "session": session.pk,
            "decision": decision,
            "amount": None if amount is None else str(amount),
            "reasons": reasons,
        },
    )
    return row


def apply_simulation(session, *, actor) -> tuple[int, list[str]]:
    """Record, for every file still undecided that the session's simulation funds, « retenu »
    with the simulated amount (phase-1 label proposals: « retenu », no amount); the members
    then adjust rows one by one. Returns how many were recorded and the refusals (e.g. a
    conflict of interest on a file)."""
    decided = set(session.decisions.values_list("application_id", flat=True))
    recorded, refused = 0, []
    for application in proposals(session):
        label = application.proposal == "label"
        if application.pk in decided or (application.planned is None and not label):
            continue
        if has_conflict(actor, application):
            continue
        try:
            record_decision(
                session,
                application,
                actor=actor,
                decision=D.ACCEPTED,
                amount=None if label else application.planned,
                expected_version="",
            )
        except ReviewError as error:
            refused.append(str(error))
        else:
            recorded += 1
    return recorded, refused


def close_session(session, *, actor) -> None:
    if not is_national(actor):
        raise ReviewError("Seule la cellule nationale clôt une séance.")
    session.status = SessionStatus.CLOSED
    session.save(update_fields=["status"])
    audit.record("review.session_closed", actor=actor, obj=session)


def minutes_pdf(session, reader=None) -> bytes:
    """The session's minutes. For ``reader``, complete (every decision counts in the totals)
    but the rows of files ``reader`` has a conflict of interest on masked, after the others."""
    decisions = list(
        session.decisions.select_related("application__region").order_by("application__reference")
    )
    masked = conflicted_ids(reader, [d.application_id for d in decisions])
    decisions = [d for d in decisions if d.application_id not in masked] + [
        d for d in decisions if d.application_id in masked
    ]
    envelope = None
    if session.simulation is not None:
        envelope = Decimal(session.simulation.parameters["envelope"])
    return letters.committee_minutes_pdf(
        {
            "call_title": session.call.title,
            "session_title": session.title,
            "session_date": session.date,
            "place": session.place,
            "members_present": [str(u) for u in session.members_present.all()],
            "texts": letter_content(LetterKind.MINUTES, session.call),
            "envelope": envelope,
            "decisions": [
                {
                    "reference": "—",
                    "name": f"Dossier masqué : {CONFLICT_NOTICE}",
                    "region": "",
                    "decision": d.decision,
                    "amount": d.amount,
                    "reasons": "",
                    "masked": True,
                }
                if d.application_id in masked
                else {
                    "reference": d.application.reference,
                    "name": d.application.display_name,
                    "region": d.application.region.name if d.application.region else "",
                    "decision": d.decision,
                    "amount": d.amount,
                    "reasons": d.reasons,
                }
                for d in decisions
            ],
        }
    )


def letter_data(decision: Decision, when) -> dict:
    application = decision.application
    return {
        "reference": application.reference,
        "call_title": application.call.title,
        "phase": application.phase or "",
        "decision": decision.decision,
        "amount": decision.amount,
        "reasons": decision.reasons,
        "waiting_position": decision.waiting_position,
        "date": timezone.localdate(when),
        "candidate": {"organisation": application.lead_name or application.display_name},
        # The texts in force for the call (edited in /gestion/courriers/, else the defaults).
        "texts": letter_content(letters.LETTER_KINDS[decision.decision], application.call),
    }


def decision_letter(decision: Decision) -> bytes:
    return letters.decision_letter_pdf(letter_data(decision, decision.session.published_at))


def publish_session(session, *, actor) -> int:
    """Apply the session's decisions; returns how many files were notified."""
    if not is_national(actor):
        raise ReviewError("Seule la cellule nationale publie les décisions.")
    with transaction.atomic():
        session = CommitteeSession.objects.select_for_update().get(pk=session.pk)
        if session.is_published:
            raise ReviewError("Cette séance est déjà publiée.")
        now = timezone.now()
        session.published_at, session.published_by = now, actor
        session.status = SessionStatus.CLOSED
        session.save(update_fields=["published_at", "published_by", "status"])
        decisions = list(
            session.decisions.select_related("application__call", "application__owner")
        )
        # A file withdrawn or closed since its decision was recorded is left as it is: no
        # status change, no award, no letter (the audit entry names it).
        skipped = [d.application.reference for d in decisions if d.application.status != S.REVIEWED]
        decisions = [d for d in decisions if d.application.status == S.REVIEWED]
        for decision in decisions:
            application = decision.application
            target = {D.ACCEPTED: S.ACCEPTED, D.REJECTED: S.REJECTED}.get(decision.decision)
            if target is not None:
                states.change_status(
                    application, target, actor=actor, reason=f"Séance « {session.title} »"
                )
            if decision.decision == D.ACCEPTED:
                create_award(
                    application,
                    phase=application.phase or Phase.EMERGENCE,
                    amount=decision.amount,
                    decided_at=now,
                    actor=actor,
                )
        audit.record(
            "review.session_published",
            actor=actor,
            obj=session,
            after={"decisions": len(decisions), "skipped": skipped},
        )
        # A letter is a PDF of about a third of a second: a committee of a few hundred files
        # would hold the request for minutes. The worker builds and queues them.
        decision_ids = [decision.pk for decision in decisions]
        transaction.on_commit(
            lambda: _send_letters_task().enqueue(session.pk, decision_ids), robust=False
        )
    return len(decisions)


def _send_letters_task():
    from reviews.tasks import send_decision_letters

    return send_decision_letters


def send_decision_letters(session_id: int, decision_ids: list[int]) -> int:
    """Build each decision letter (PDF) of a published session and queue it to the file's
    owner and co-editors. Idempotent: a letter already queued is not queued again (a worker
    restarted halfway through resumes where it stopped). Returns the letters queued now."""
    session = CommitteeSession.objects.get(pk=session_id)
    decisions = session.decisions.filter(pk__in=decision_ids).select_related(
        "application__call", "application__owner"
    )
    labels = dict(D.choices)
    queued = 0
    for decision in decisions:
        application = decision.application
        dedup_key = f"committee-decision-{session.pk}-{application.pk}"
        if OutboundEmail.objects.filter(dedup_key=dedup_key).exists():
            continue
        pdf = letters.decision_letter_pdf(letter_data(decision, session.published_at))
        recipients = [
            application.owner.email,
            *application.co_editors.values_list("email", flat=True),
        ]
        queue_templated_email(
            recipients,
            "committee_decision",
            {"application": application, "decision_label": labels[decision.decision]},
            attachments=[(f"decision-{application.reference}.pdf", pdf, "application/pdf")],
            dedup_key=dedup_key,
        )
        queued += 1
    return queued


def not_publishable(session) -> list[str]:
    """« reference (état) » of the files of the session's decisions that are no longer
    « Instruit » (withdrawn, closed…): publishing leaves them untouched."""
    return [
        f"{d.application.reference} (« {d.application.get_status_display()} »)"
        for d in session.decisions.select_related("application")
        if d.application.status != S.REVIEWED
    ]
