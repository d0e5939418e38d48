"""Object permissions on application files, built on ``accounts.permissions`` predicates.

``Application.objects.for_user`` applies the same visibility rule to querysets.
"""

from accounts.permissions import is_authenticated, is_national, is_regional_for
from applications.choices import EDITABLE_STATUSES, FINAL_STATUSES, ApplicationStatus


def is_owner(user, application) -> bool:
    return is_authenticated(user) and application.owner_id == user.pk


def is_co_editor(user, application) -> bool:
    if not is_authenticated(user):
        return False
    return application.co_editors.filter(pk=user.pk).exists()


def is_editor(user, application) -> bool:
    """Owner or co-editor: the people who write the file."""
    return is_owner(user, application) or is_co_editor(user, application)


def has_conflict(user, application) -> bool:
    """A declared or detected conflict of interest (``reviews.conflicts``): the file is
    hidden from this staff member everywhere (404)."""
    from reviews.conflicts import has_conflict as conflict

    return is_authenticated(user) and user.is_staff_role and conflict(user, application)


def is_staff_viewer(user, application) -> bool:
    """Staff who may see a submitted file: the national cell, or the régional cell of the
    file's région, unless they have a conflict of interest on it."""
    if application.status == ApplicationStatus.DRAFT:
        return False
    if not (is_national(user) or is_regional_for(user, application.region_id)):
        return False
    return not has_conflict(user, application)


def can_view_application(user, application) -> bool:
    if is_editor(user, application):
        return True
    return is_staff_viewer(user, application)


def can_edit_application(user, application) -> bool:
    return application.status in EDITABLE_STATUSES and is_editor(user, application)


def editable_sections(application):
    """Steps the candidate may change: every step of a draft (``None``); while corrections
    are requested, only the sections the reviewers asked for (``reviews``)."""
    if application.status == ApplicationStatus.CORRECTION_REQUESTED:
        from reviews.services import editable_sections as requested

        return requested(application)
    return None


def can_edit_section(user, application, section: str) -> bool:
    if not can_edit_application(user, application):
        return False
    sections = editable_sections(application)
    return sections is None or section in sections


def can_submit_application(user, application) -> bool:
    """Only the owner submits (co-editors write, they do not commit the organisation)."""
    return application.status in EDITABLE_STATUSES and is_owner(user, application)


def can_withdraw_application(user, application) -> bool:
    return application.status not in FINAL_STATUSES and is_owner(user, application)


def can_manage_co_editors(user, application) -> bool:
    return is_owner(user, application) and application.status not in FINAL_STATUSES


def can_duplicate_application(user, application) -> bool:
    return is_owner(user, application)
