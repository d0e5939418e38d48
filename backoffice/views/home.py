from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import is_national, user_passes

national_required = user_passes(is_national)


@national_required
@require_GET
def home(request):
    """Who may see it: national cell and programme administrators (2FA). Lists the sections
    of the programme administration."""
    return render(
        request,
        "backoffice/home.html",
        {"breadcrumb": {"links": [], "current": "Administration du programme"}},
    )
