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


def can_view_application(user, application) -> bool:
    if is_editor(user, application):
        return True
    if application.status == ApplicationStatus.DRAFT:
        return False
    return is_national(user) or is_regional_for(user, application.region_id)


def can_edit_application(user, application) -> bool:
    return application.status in EDITABLE_STATUSES and is_editor(user, application)


def can_submit_application(user, application) -> bool:
    """Only the owner submits (co-editors write, they do not commit the organisation)."""
    return application.status in EDITABLE_STATUSES and is_owner(user, application)


def can_withdraw_application(user, application) -> bool:
    return application.status not in FINAL_STATUSES and is_owner(user, application)


def can_manage_co_editors(user, application) -> bool:
    return is_owner(user, application) and application.status not in FINAL_STATUSES


def can_duplicate_application(user, application) -> bool:
    return is_owner(user, application)
