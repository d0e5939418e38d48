"""The one service that changes the state of an application file.

``TRANSITIONS`` is the declared table ``(from, to, roles)`` an auditor can read in one place;
other issues (review, committee) extend it by adding rows. ``change_status`` checks the
transition, saves, records the status history and the audit log, and queues the notification.
No view sets ``Application.status`` directly.

Roles are account roles (``accounts.models.Role`` values) or relations to the file:
``OWNER`` (the candidate who owns it) and ``SYSTEM`` (background jobs, no actor).
"""

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Role
from applications.choices import ApplicationStatus as S
from core import audit

OWNER = "owner"
SYSTEM = "system"
REGIONAL = frozenset({Role.REGIONAL_REVIEWER, Role.REGIONAL_CELL_LEAD})
NATIONAL = frozenset({Role.NATIONAL_CELL, Role.PROGRAMME_ADMIN})
CELL_LEAD = frozenset({Role.REGIONAL_CELL_LEAD})
COMMITTEE = frozenset({Role.COMMITTEE})
# States before any decision, from which the national cell may close a file « sans suite ».
PRE_DECISION = (S.SUBMITTED, S.CORRECTION_REQUESTED, S.UNDER_REVIEW, S.REVIEWED)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset
    notify: str = ""  # e-mail template sent to the owner and co-editors ("" = none here)
    label: str = ""


def _t(source, target, roles, notify="", label=""):
    return Transition(source, target, frozenset(roles), notify, label)


TRANSITIONS: list[Transition] = [
    # Candidate side (issue 3). The submission service sends its own receipt.
    _t(S.DRAFT, S.SUBMITTED, {OWNER}, label="Dépôt du dossier"),
    _t(S.CORRECTION_REQUESTED, S.SUBMITTED, {OWNER}, label="Nouveau dépôt après correction"),
    _t(S.DRAFT, S.WITHDRAWN, {OWNER}, "application_withdrawn", "Abandon du brouillon"),
    _t(S.SUBMITTED, S.WITHDRAWN, {OWNER}, "application_withdrawn", "Retrait du dossier"),
    _t(
        S.CORRECTION_REQUESTED,
        S.WITHDRAWN,
        {OWNER},
        "application_withdrawn",
        "Retrait du dossier",
    ),
    _t(S.UNDER_REVIEW, S.WITHDRAWN, {OWNER}, "application_withdrawn", "Retrait du dossier"),
    _t(S.REVIEWED, S.WITHDRAWN, {OWNER}, "application_withdrawn", "Retrait du dossier"),
    # Review side (issue 5). Regional roles act only on files of their own région and never
    # on a file where they have a conflict of interest (see ``actor_has_role``).
    _t(S.SUBMITTED, S.UNDER_REVIEW, REGIONAL | NATIONAL, label="Début de l’instruction"),
    _t(
        S.SUBMITTED,
        S.CORRECTION_REQUESTED,
        REGIONAL | NATIONAL,
        label="Demande de compléments",
    ),
    _t(
        S.UNDER_REVIEW,
        S.CORRECTION_REQUESTED,
        REGIONAL | NATIONAL,
        label="Demande de compléments",
    ),
    _t(S.UNDER_REVIEW, S.REVIEWED, CELL_LEAD | NATIONAL, label="Instruction terminée"),
    _t(S.REVIEWED, S.UNDER_REVIEW, CELL_LEAD | NATIONAL, label="Réouverture de l’instruction"),
    # Decisions: recorded as pending in a committee session, applied here when published.
    _t(S.REVIEWED, S.ACCEPTED, COMMITTEE | NATIONAL, label="Décision : retenu"),
    _t(S.REVIEWED, S.REJECTED, COMMITTEE | NATIONAL, label="Décision : non retenu"),
    *(
        _t(source, S.CLOSED, NATIONAL, "application_closed", "Classement sans suite")
        for source in PRE_DECISION
    ),
]


# Sent inside the transaction, after the change is saved, with ``application``, ``source``,
# ``target``, ``actor`` and ``reason``: other apps react (routing at submission, closing
# correction requests on resubmission) without this module knowing them.
status_changed = Signal()


class TransitionNotAllowed(Exception):
    """The requested change is not in the table for this actor (message in French)."""


def find_transition(source: str, target: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.source == source and transition.target == target:
            return transition
    return None


def actor_has_role(application, actor, roles) -> bool:
    if actor is None:
        return SYSTEM in roles
    if OWNER in roles and application.owner_id == actor.pk:
        return True
    if actor.role in roles:
        if actor.is_staff_role and _has_conflict(actor, application):
            return False
        if actor.role in REGIONAL:
            return application.region_id is not None and actor.region_id == application.region_id
        return True
    return False


def _has_conflict(actor, application) -> bool:
    from reviews.conflicts import has_conflict

    return has_conflict(actor, application)


def allowed_targets(application, actor) -> list[str]:
    return [
        t.target
        for t in TRANSITIONS
        if t.source == application.status and actor_has_role(application, actor, t.roles)
    ]


def can_change_status(application, target, actor) -> bool:
    transition = find_transition(application.status, target)
    return transition is not None and actor_has_role(application, actor, transition.roles)


def change_status(application, to, *, actor, reason: str = ""):
    """Move ``application`` to ``to`` if the table allows it for ``actor``.

    Locks the row, so two concurrent changes cannot both start from the same state.
    Returns the application with its new status; raises ``TransitionNotAllowed`` otherwise.
    """
    from applications.models import Application, StatusChange

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        source = locked.status
        transition = find_transition(source, to)
        if transition is None:
            raise TransitionNotAllowed(
                f"Un dossier « {S(source).label} » ne peut pas passer à « {S(to).label} »."
            )
        if not actor_has_role(locked, actor, transition.roles):
            raise TransitionNotAllowed("Vous n’avez pas le droit d’effectuer ce changement.")
        now = timezone.now()
        locked.status = to
        locked.save(update_fields=["status", "updated_at"])
        StatusChange.objects.create(
            application=locked,
            from_status=source,
            to_status=to,
            actor=actor,
            reason=reason,
            at=now,
        )
        audit.record(
            "application.status_changed",
            actor=actor,
            obj=locked,
            before={"status": source},
            after={"status": to, "reason": reason},
        )
        if transition.notify:
            _notify(locked, transition, reason)
        status_changed.send(
            sender=Application,
            application=locked,
            source=source,
            target=to,
            actor=actor,
            reason=reason,
        )
    application.status = to
    return locked


def _notify(application, transition, reason):
    from core.outbox import queue_templated_email

    recipients = [application.owner.email, *application.co_editors.values_list("email", flat=True)]
    queue_templated_email(
        recipients,
        transition.notify,
        {
            "application": application,
            "status_label": S(transition.target).label,
            "reason": reason,
        },
    )
