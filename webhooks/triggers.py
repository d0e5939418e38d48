"""What fires webhook events, without editing the apps that own the data.

- ``decision.published``: a ``reviews.CommitteeSession`` saved with ``published_at`` set
  (``reviews.committee.publish_session``);
- ``ptce.changed``: a ``laureates.Ptce`` saved (created, edited, status changed through
  ``laureates.services.change_ptce_status``, award published) or deleted (``deleted: true``).

Receivers only register an on-commit callback: the event is built once the triggering
transaction has committed (never for a rolled-back one), and building it never raises into the
request. Saving a PTCE several times in one transaction sends one event (same data → skipped).
"""

import logging

from django.conf import settings
from django.db import transaction

from webhooks import services
from webhooks.models import EventType

logger = logging.getLogger(__name__)


def _safely(function, *args):
    def run():
        try:
            function(*args)
        except Exception:  # a webhook must never break the page that triggered it
            logger.exception("Événement de webhook non émis : %s%r", function.__name__, args)

    return run


# ------------------------------------------------------------------ payloads


def decision_payload(session_id: int) -> dict | None:
    from laureates.models import Award
    from reviews.models import CommitteeSession

    session = CommitteeSession.objects.select_related("call").filter(pk=session_id).first()
    if session is None or session.published_at is None:
        return None
    awards = {
        (award.application_id, award.phase): award.ptce
        for award in Award.objects.filter(
            application__committee_decisions__session=session
        ).select_related("ptce")
    }
    decisions = []
    for decision in session.decisions.select_related("application__region").order_by(
        "application__reference", "pk"
    ):
        application = decision.application
        ptce = next(
            (p for (app_id, _phase), p in awards.items() if app_id == application.pk and p),
            None,
        )
        decisions.append(
            {
                "application_reference": application.reference,
                # Data minimisation: only laureates are public, other files stay unnamed.
                "pole_name": application.display_name if decision.decision == "accepted" else None,
                "phase": application.phase or "",
                "region": application.region_id or "",
                "decision": decision.decision,
                "decision_label": decision.get_decision_display(),
                "amount": None if decision.amount is None else str(decision.amount),
                "ptce": None
                if ptce is None
                else {
                    "uuid": str(ptce.uuid),
                    "slug": ptce.slug,
                    "url": settings.SITE_URL + ptce.get_absolute_url(),
                },
            }
        )
    return {
        "session": {
            "id": session.pk,
            "title": session.title,
            "date": session.date.isoformat(),
            "published_at": session.published_at.isoformat(),
        },
        "call": {"slug": session.call.slug, "title": session.call.title},
        "decisions": decisions,
    }


def ptce_payload(ptce_id: int) -> dict | None:
    from laureates.models import Ptce

    ptce = (
        Ptce.objects.select_related("main_region", "main_department")
        .prefetch_related("labels")
        .filter(pk=ptce_id)
        .first()
    )
    if ptce is None:
        return None
    return {
        "uuid": str(ptce.uuid),
        "slug": ptce.slug,
        "name": ptce.name,
        "url": settings.SITE_URL + ptce.get_absolute_url(),
        "status": ptce.status,
        "status_label": ptce.get_status_display(),
        "status_changed_at": ptce.status_changed_at.isoformat() if ptce.status_changed_at else None,
        "lead_organisation_name": ptce.lead_organisation_name,
        "region": ptce.main_region_id or "",
        "department": ptce.main_department_id or "",
        "population_covered": ptce.population_covered,
        "themes": list(ptce.themes),
        "labels": [label.short_label for label in ptce.labels.all()],
        "contact_email": ptce.contact_email,
        "website": ptce.website,
    }


# ------------------------------------------------------------------ emitters


def emit_decisions(session_id: int):
    return services.emit(
        EventType.DECISION_PUBLISHED, f"session:{session_id}", lambda: decision_payload(session_id)
    )


def emit_ptce(ptce_id: int):
    return services.emit(EventType.PTCE_CHANGED, f"ptce:{ptce_id}", lambda: ptce_payload(ptce_id))


# ------------------------------------------------------------------ receivers


def on_session_saved(sender, instance, update_fields=None, **kwargs):
    if instance.published_at is None:
        return
    if update_fields is not None and "published_at" not in update_fields:
        return
    transaction.on_commit(_safely(emit_decisions, instance.pk))


def on_ptce_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures
        return
    transaction.on_commit(_safely(emit_ptce, instance.pk))


def on_ptce_deleted(sender, instance, **kwargs):
    data = {
        "uuid": str(instance.uuid),
        "slug": instance.slug,
        "name": instance.name,
        "deleted": True,
    }
    subject = f"ptce:{instance.pk}"
    transaction.on_commit(
        _safely(lambda: services.emit(EventType.PTCE_CHANGED, subject, lambda: data))
    )


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from laureates.models import Ptce
    from reviews.models import CommitteeSession

    post_save.connect(on_session_saved, sender=CommitteeSession, dispatch_uid="webhooks.session")
    post_save.connect(on_ptce_saved, sender=Ptce, dispatch_uid="webhooks.ptce")
    post_delete.connect(on_ptce_deleted, sender=Ptce, dispatch_uid="webhooks.ptce_deleted")
