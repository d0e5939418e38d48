"""Authorization matrix (issue 10, SPEC §9): every URL pattern of the project × every role ×
GET and POST, with the expected outcome declared in ``MATRIX`` below.

The routes are enumerated from the URL resolver: a view added without a line in ``MATRIX``
fails ``test_every_route_is_in_the_matrix``, whose message prints the lines to paste (with the
outcomes observed, to check one by one before pasting). Outcomes: ``200`` page, ``LOG``
redirect to the sign-in page, ``302`` another redirect (a form sent back, an action done),
``400``/``401`` refused input or expired session (JSON), ``403`` seen but not allowed,
``404`` not shown to this person (or does not exist), ``405`` method refused.

Roles (columns, in this order): anonymous, the owner of the files, another candidate, a
co-editor, a regional reviewer of the files' région (Auvergne-Rhône-Alpes, assigned to the
submitted file), a reviewer of another région, a reviewer of the région with a declared
conflict of interest on the submitted and decided files, the cell lead of the région, the
national cell, a committee member, a programme admin.

To add a route: paste its lines in ``MATRIX`` (``route[#variant] VERB`` then one outcome per
role), and if its URL has arguments, say how to build them in ``ARGS`` from the objects of
``tests/security/matrix_world.py`` (add objects there if needed). A ``#variant`` tests the same
route on another object (a draft rather than a submitted file…).

How it runs: the objects are built once for the module inside a transaction rolled back at the
end, one signed-in ``Client`` per role; each request runs in a savepoint rolled back after it,
so a POST that changes something is undone. The module is marked ``django_db`` (so that
pytest-django creates the test database) but replaces pytest-django's per-test helper: its
``TestCase`` teardown closes the connection, which on PostgreSQL would lose the module's
transaction.
"""

import os
from contextlib import contextmanager
from http.cookies import SimpleCookie

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.factories import login_staff
from tests.security.headers import header_problems
from tests.security.matrix_world import CONFLICT_ROLES, ROLES, STAFF_ROLES, build

pytestmark = pytest.mark.django_db

LOGIN = "LOG"
METHODS = ["GET", "POST"]
HEADER = (
    "# route                                verb anon own  oth  coed rev  revX revC lead nat  "
    "comm adm"
)


def table(text: str) -> dict:
    """Parse ``route method outcome…`` lines, one outcome per role in ROLES order (anon,
    own, oth, coed, rev, revX, revC, lead, nat, comm, adm) → {route: {method: {role: outcome}}}."""
    matrix = {}
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        route, method, *outcomes = line.split()
        assert len(outcomes) == len(ROLES), f"{len(ROLES)} résultats attendus : {line}"
        assert method not in matrix.get(route, {}), f"ligne en double : {line}"
        matrix.setdefault(route, {})[method] = {
            role: (value if value == LOGIN else int(value))
            for role, value in zip(ROLES, outcomes, strict=True)
        }
    return matrix


def format_line(key, method, outcomes: dict) -> str:
    cells = " ".join(f"{outcomes[role]!s:<4}" for role in ROLES)
    return f"{key:<38} {method:<4} {cells}".rstrip()


# route name (#variant) → {method: {role: outcome}}; URL arguments in ARGS.
MATRIX = table(
    """
# route                                verb anon own  oth  coed rev  revX revC lead nat  comm adm
# accounts
accounts:confirm_email                 GET  400  400  400  400  400  400  400  400  400  400  400
accounts:confirm_email                 POST 400  400  400  400  400  400  400  400  400  400  400
accounts:dashboard                     GET  LOG  200  200  200  200  200  200  200  200  200  200
accounts:dashboard                     POST LOG  200  200  200  200  200  200  200  200  200  200
accounts:login                         GET  200  302  302  302  302  302  302  302  302  302  302
accounts:login                         POST 200  302  302  302  302  302  302  302  302  302  302
accounts:logout                        GET  405  405  405  405  405  405  405  405  405  405  405
accounts:logout                        POST 302  302  302  302  302  302  302  302  302  302  302
accounts:otp_setup                     GET  LOG  200  200  200  302  302  302  302  302  302  302
accounts:otp_setup                     POST LOG  200  200  200  302  302  302  302  302  302  302
accounts:otp_verify                    GET  LOG  302  302  302  200  200  200  200  200  200  200
accounts:otp_verify                    POST LOG  302  302  302  200  200  200  200  200  200  200
accounts:password_reset                GET  200  200  200  200  200  200  200  200  200  200  200
accounts:password_reset                POST 200  200  200  200  200  200  200  200  200  200  200
accounts:password_reset_complete       GET  200  200  200  200  200  200  200  200  200  200  200
accounts:password_reset_complete       POST 405  405  405  405  405  405  405  405  405  405  405
accounts:password_reset_confirm        GET  200  200  200  200  200  200  200  200  200  200  200
accounts:password_reset_confirm        POST 200  200  200  200  200  200  200  200  200  200  200
accounts:password_reset_done           GET  200  200  200  200  200  200  200  200  200  200  200
accounts:password_reset_done           POST 405  405  405  405  405  405  405  405  405  405  405
accounts:resend_confirmation           GET  200  200  200  200  200  200  200  200  200  200  200
accounts:resend_confirmation           POST 200  200  200  200  200  200  200  200  200  200  200
accounts:signup                        GET  200  302  302  302  302  302  302  302  302  302  302
accounts:signup                        POST 200  302  302  302  302  302  302  302  302  302  302
accounts:signup_done                   GET  200  200  200  200  200  200  200  200  200  200  200
accounts:signup_done                   POST 200  200  200  200  200  200  200  200  200  200  200
# applications
applications:accept_invitation         GET  LOG  302  302  302  302  302  302  302  302  302  302
applications:accept_invitation         POST LOG  302  302  302  302  302  302  302  302  302  302
applications:attachment_delete         GET  405  405  405  405  405  405  405  405  405  405  405
applications:attachment_delete         POST LOG  302  404  302  404  404  404  404  404  404  404
applications:attachment_download       GET  LOG  200  404  200  200  404  404  200  200  404  200
applications:attachment_download       POST LOG  200  404  200  200  404  404  200  200  404  200
applications:attachment_download#draft GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:attachment_download#draft POST LOG  200  404  200  404  404  404  404  404  404  404
applications:attachments               GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:attachments               POST LOG  200  404  200  404  404  404  404  404  404  404
applications:autosave                  GET  405  405  405  405  405  405  405  405  405  405  405
applications:autosave                  POST 401  200  404  200  404  404  404  404  404  404  404
applications:budget                    GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:budget                    POST LOG  302  404  302  404  404  404  404  404  404  404
applications:dashboard                 GET  LOG  200  200  200  403  403  403  403  403  403  403
applications:dashboard                 POST LOG  200  200  200  403  403  403  403  403  403  403
applications:duplicate                 GET  LOG  200  404  403  403  404  404  403  403  404  403
applications:duplicate                 POST LOG  200  404  403  403  404  404  403  403  404  403
applications:invite                    GET  LOG  200  404  403  404  404  404  404  404  404  404
applications:invite                    POST LOG  200  404  403  404  404  404  404  404  404  404
applications:lead                      GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:lead                      POST LOG  302  404  302  404  404  404  404  404  404  404
applications:member_delete             GET  405  405  405  405  405  405  405  405  405  405  405
applications:member_delete             POST LOG  302  404  302  404  404  404  404  404  404  404
applications:member_edit               GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:member_edit               POST LOG  200  404  200  404  404  404  404  404  404  404
applications:members                   GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:members                   POST LOG  200  404  200  404  404  404  404  404  404  404
applications:project                   GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:project                   POST LOG  302  404  302  404  404  404  404  404  404  404
applications:receipt                   GET  LOG  200  404  200  200  404  404  200  200  404  200
applications:receipt                   POST LOG  200  404  200  200  404  404  200  200  404  200
applications:start                     GET  LOG  200  200  200  403  403  403  403  403  403  403
applications:start                     POST LOG  200  200  200  403  403  403  403  403  403  403
applications:submit                    GET  405  405  405  405  405  405  405  405  405  405  405
applications:submit                    POST LOG  302  404  403  404  404  404  404  404  404  404
applications:summary                   GET  LOG  200  404  200  200  404  404  200  200  404  200
applications:summary                   POST LOG  200  404  200  200  404  404  200  200  404  200
applications:submitted                 GET  LOG  200  404  200  200  404  404  200  200  404  200
applications:submitted                 POST LOG  200  404  200  200  404  404  200  200  404  200
applications:summary#decided           GET  LOG  200  404  200  200  404  404  200  200  404  200
applications:summary#decided           POST LOG  200  404  200  200  404  404  200  200  404  200
applications:summary#draft             GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:summary#draft             POST LOG  200  404  200  404  404  404  404  404  404  404
applications:territory                 GET  LOG  200  404  200  404  404  404  404  404  404  404
applications:territory                 POST LOG  200  404  200  404  404  404  404  404  404  404
applications:withdraw                  GET  LOG  200  404  403  403  404  404  403  403  404  403
applications:withdraw                  POST LOG  200  404  403  403  404  404  403  403  404  403
# calls
calls:api_eligibility                  GET  405  405  405  405  405  405  405  405  405  405  405
calls:api_eligibility                  POST 400  400  400  400  400  400  400  400  400  400  400
calls:detail                           GET  200  200  200  200  200  200  200  200  200  200  200
calls:detail                           POST 405  405  405  405  405  405  405  405  405  405  405
calls:document                         GET  200  200  200  200  200  200  200  200  200  200  200
calls:document                         POST 200  200  200  200  200  200  200  200  200  200  200
calls:list                             GET  200  200  200  200  200  200  200  200  200  200  200
calls:list                             POST 405  405  405  405  405  405  405  405  405  405  405
# backoffice
backoffice:audit_list                  GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:audit_list                  POST LOG  403  403  403  403  403  403  403  405  403  405
backoffice:audit_verify                GET  LOG  403  403  403  403  403  403  403  405  403  405
backoffice:audit_verify                POST LOG  403  403  403  403  403  403  403  200  403  200
backoffice:email_edit                  GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:email_edit                  POST LOG  403  403  403  403  403  403  403  200  403  200
backoffice:email_history               GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:email_history               POST LOG  403  403  403  403  403  403  403  405  403  405
backoffice:email_list                  GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:email_list                  POST LOG  403  403  403  403  403  403  403  405  403  405
backoffice:email_reset                 GET  LOG  403  403  403  403  403  403  403  405  403  405
backoffice:email_reset                 POST LOG  403  403  403  403  403  403  403  302  403  302
backoffice:email_restore               GET  LOG  403  403  403  403  403  403  403  405  403  405
backoffice:email_restore               POST LOG  403  403  403  403  403  403  403  302  403  302
backoffice:home                        GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:home                        POST LOG  403  403  403  403  403  403  403  405  403  405
backoffice:outbox_detail               GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:outbox_detail               POST LOG  403  403  403  403  403  403  403  405  403  405
backoffice:outbox_list                 GET  LOG  403  403  403  403  403  403  403  200  403  200
backoffice:outbox_list                 POST LOG  403  403  403  403  403  403  403  405  403  405
backoffice:outbox_resend               GET  LOG  403  403  403  403  403  403  403  405  403  405
backoffice:outbox_resend               POST LOG  403  403  403  403  403  403  403  302  403  302
# core
core:accessibility                     GET  200  200  200  200  200  200  200  200  200  200  200
core:accessibility                     POST 405  405  405  405  405  405  405  405  405  405  405
core:health                            GET  200  200  200  200  200  200  200  200  200  200  200
core:health                            POST 200  200  200  200  200  200  200  200  200  200  200
core:metrics                           GET  404  404  404  404  404  404  404  404  404  404  404
core:metrics                           POST 405  405  405  405  405  405  405  405  405  405  405
core:readiness                         GET  200  200  200  200  200  200  200  200  200  200  200
core:readiness                         POST 405  405  405  405  405  405  405  405  405  405  405
core:home                              GET  200  200  200  200  200  200  200  200  200  200  200
core:home                              POST 405  405  405  405  405  405  405  405  405  405  405
core:legal_notice                      GET  200  200  200  200  200  200  200  200  200  200  200
core:legal_notice                      POST 405  405  405  405  405  405  405  405  405  405  405
core:personal_data                     GET  200  200  200  200  200  200  200  200  200  200  200
core:personal_data                     POST 405  405  405  405  405  405  405  405  405  405  405
core:faq                               GET  200  200  200  200  200  200  200  200  200  200  200
core:faq                               POST 405  405  405  405  405  405  405  405  405  405  405
editorial:letter_list                  GET  LOG  403  403  403  403  403  403  403  200  403  200
editorial:letter_list                  POST LOG  403  403  403  403  403  403  403  405  403  405
editorial:letter_edit                  GET  LOG  403  403  403  403  403  403  403  200  403  200
editorial:letter_edit                  POST LOG  403  403  403  403  403  403  403  200  403  200
editorial:letter_preview               GET  LOG  403  403  403  403  403  403  403  405  403  405
editorial:letter_preview               POST LOG  403  403  403  403  403  403  403  400  403  400
editorial:letter_restore               GET  LOG  403  403  403  403  403  403  403  405  403  405
editorial:letter_restore               POST LOG  403  403  403  403  403  403  403  404  403  404
editorial:page_list                    GET  LOG  403  403  403  403  403  403  403  200  403  200
editorial:page_list                    POST LOG  403  403  403  403  403  403  403  405  403  405
editorial:page_edit                    GET  LOG  403  403  403  403  403  403  403  200  403  200
editorial:page_edit                    POST LOG  403  403  403  403  403  403  403  200  403  200
editorial:page_restore                 GET  LOG  403  403  403  403  403  403  403  405  403  405
editorial:page_restore                 POST LOG  403  403  403  403  403  403  403  404  403  404
core:sitemap                           GET  200  200  200  200  200  200  200  200  200  200  200
core:sitemap                           POST 405  405  405  405  405  405  405  405  405  405  405
# directory
directory:api_call_list                GET  200  200  200  200  200  200  200  200  200  200  200
directory:api_call_list                POST 405  405  405  405  405  405  405  405  405  405  405
directory:api_explorer                 GET  200  200  200  200  200  200  200  200  200  200  200
directory:api_explorer                 POST 200  200  200  200  200  200  200  200  200  200  200
directory:api_openapi                  GET  200  200  200  200  200  200  200  200  200  200  200
directory:api_openapi                  POST 405  405  405  405  405  405  405  405  405  405  405
directory:api_ptce_detail              GET  404  404  404  404  404  404  404  404  404  404  404
directory:api_ptce_detail              POST 405  405  405  405  405  405  405  405  405  405  405
directory:api_ptce_list                GET  200  200  200  200  200  200  200  200  200  200  200
directory:api_ptce_list                POST 405  405  405  405  405  405  405  405  405  405  405
directory:detail                       GET  404  404  404  404  404  404  404  404  404  404  404
directory:detail                       POST 405  405  405  405  405  405  405  405  405  405  405
directory:list                         GET  200  200  200  200  200  200  200  200  200  200  200
directory:list                         POST 405  405  405  405  405  405  405  405  405  405  405
directory:map                          GET  200  200  200  200  200  200  200  200  200  200  200
directory:map                          POST 405  405  405  405  405  405  405  405  405  405  405
directory:open_data                    GET  200  200  200  200  200  200  200  200  200  200  200
directory:open_data                    POST 405  405  405  405  405  405  405  405  405  405  405
directory:ptce_csv                     GET  200  200  200  200  200  200  200  200  200  200  200
directory:ptce_csv                     POST 405  405  405  405  405  405  405  405  405  405  405
directory:ptce_json                    GET  200  200  200  200  200  200  200  200  200  200  200
directory:ptce_json                    POST 405  405  405  405  405  405  405  405  405  405  405
directory:ptce_schema                  GET  200  200  200  200  200  200  200  200  200  200  200
directory:ptce_schema                  POST 405  405  405  405  405  405  405  405  405  405  405
directory:ptce_xlsx                    GET  200  200  200  200  200  200  200  200  200  200  200
directory:ptce_xlsx                    POST 405  405  405  405  405  405  405  405  405  405  405
directory:api_award_list               GET  200  200  200  200  200  200  200  200  200  200  200
directory:api_award_list               POST 405  405  405  405  405  405  405  405  405  405  405
directory:api_event_list               GET  200  200  200  200  200  200  200  200  200  200  200
directory:api_event_list               POST 405  405  405  405  405  405  405  405  405  405  405
directory:api_staff_award_list         GET  401  401  401  401  401  401  401  401  401  401  401
directory:api_staff_award_list         POST 405  405  405  405  405  405  405  405  405  405  405
directory:awards_csv                   GET  200  200  200  200  200  200  200  200  200  200  200
directory:awards_csv                   POST 405  405  405  405  405  405  405  405  405  405  405
directory:awards_json                  GET  200  200  200  200  200  200  200  200  200  200  200
directory:awards_json                  POST 405  405  405  405  405  405  405  405  405  405  405
directory:awards_schema                GET  200  200  200  200  200  200  200  200  200  200  200
directory:awards_schema                POST 405  405  405  405  405  405  405  405  405  405  405
directory:awards_xlsx                  GET  200  200  200  200  200  200  200  200  200  200  200
directory:awards_xlsx                  POST 405  405  405  405  405  405  405  405  405  405  405
directory:call_statistics_csv          GET  200  200  200  200  200  200  200  200  200  200  200
directory:call_statistics_csv          POST 405  405  405  405  405  405  405  405  405  405  405
directory:call_statistics_json         GET  200  200  200  200  200  200  200  200  200  200  200
directory:call_statistics_json         POST 405  405  405  405  405  405  405  405  405  405  405
directory:call_statistics_schema       GET  200  200  200  200  200  200  200  200  200  200  200
directory:call_statistics_schema       POST 405  405  405  405  405  405  405  405  405  405  405
directory:call_statistics_xlsx         GET  200  200  200  200  200  200  200  200  200  200  200
directory:call_statistics_xlsx         POST 405  405  405  405  405  405  405  405  405  405  405
directory:label_statistics_csv         GET  200  200  200  200  200  200  200  200  200  200  200
directory:label_statistics_csv         POST 405  405  405  405  405  405  405  405  405  405  405
directory:label_statistics_json        GET  200  200  200  200  200  200  200  200  200  200  200
directory:label_statistics_json        POST 405  405  405  405  405  405  405  405  405  405  405
directory:label_statistics_schema      GET  200  200  200  200  200  200  200  200  200  200  200
directory:label_statistics_schema      POST 405  405  405  405  405  405  405  405  405  405  405
directory:label_statistics_xlsx        GET  200  200  200  200  200  200  200  200  200  200  200
directory:label_statistics_xlsx        POST 405  405  405  405  405  405  405  405  405  405  405
directory:statistics                   GET  200  200  200  200  200  200  200  200  200  200  200
directory:statistics                   POST 405  405  405  405  405  405  405  405  405  405  405
# dynamics
dynamics:convert                       GET  LOG  200  403  403  403  403  403  403  403  403  403
dynamics:convert                       POST LOG  200  403  403  403  403  403  403  403  403  403
dynamics:declare                       GET  200  200  200  200  200  200  200  200  200  200  200
dynamics:declare                       POST 200  200  200  200  200  200  200  200  200  200  200
dynamics:declared                      GET  200  200  200  200  200  200  200  200  200  200  200
dynamics:declared                      POST 405  405  405  405  405  405  405  405  405  405  405
dynamics:detail                        GET  200  200  200  200  200  200  200  200  200  200  200
dynamics:detail                        POST 405  405  405  405  405  405  405  405  405  405  405
dynamics:list                          GET  200  200  200  200  200  200  200  200  200  200  200
dynamics:list                          POST 405  405  405  405  405  405  405  405  405  405  405
dynamics:moderation_delete             GET  LOG  403  403  403  403  403  403  403  405  403  405
dynamics:moderation_delete             POST LOG  403  403  403  403  403  403  403  302  403  302
dynamics:moderation_detail             GET  LOG  403  403  403  403  403  403  403  200  403  200
dynamics:moderation_detail             POST LOG  403  403  403  403  403  403  403  200  403  200
dynamics:moderation_list               GET  LOG  403  403  403  403  403  403  403  200  403  200
dynamics:moderation_list               POST LOG  403  403  403  403  403  403  403  200  403  200
# events
events:cancel                          GET  LOG  403  403  403  403  403  403  403  405  403  405
events:cancel                          POST LOG  403  403  403  403  403  403  403  302  403  302
events:cancel_registration             GET  200  200  200  200  200  200  200  200  200  200  200
events:cancel_registration             POST 302  302  302  302  302  302  302  302  302  302  302
events:check_in                        GET  LOG  403  403  403  403  403  403  403  405  403  405
events:check_in                        POST LOG  403  403  403  403  403  403  403  302  403  302
events:confirm_registration            GET  200  200  200  200  200  200  200  200  200  200  200
events:confirm_registration            POST 302  302  302  302  302  302  302  302  302  302  302
events:detail                          GET  200  200  200  200  200  200  200  200  200  200  200
events:detail                          POST 200  200  200  200  200  200  200  200  200  200  200
events:export                          GET  LOG  403  403  403  403  403  403  403  200  403  200
events:export                          POST LOG  403  403  403  403  403  403  403  200  403  200
events:ics                             GET  200  200  200  200  200  200  200  200  200  200  200
events:ics                             POST 200  200  200  200  200  200  200  200  200  200  200
events:list                            GET  200  200  200  200  200  200  200  200  200  200  200
events:list                            POST 200  200  200  200  200  200  200  200  200  200  200
events:manage                          GET  LOG  403  403  403  403  403  403  403  200  403  200
events:manage                          POST LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_call                     GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_call                     POST LOG  403  403  403  403  403  403  403  405  403  405
calls:builder_create                   GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_create                   POST LOG  403  403  403  403  403  403  403  400  403  400
calls:builder_duplicate                GET  LOG  403  403  403  403  403  403  403  405  403  405
calls:builder_duplicate                POST LOG  403  403  403  403  403  403  403  302  403  302
calls:builder_edit                     GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_edit                     POST LOG  403  403  403  403  403  403  403  400  403  400
calls:builder_grid                     GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_grid                     POST LOG  403  403  403  403  403  403  403  400  403  400
calls:builder_list                     GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_list                     POST LOG  403  403  403  403  403  403  403  405  403  405
calls:builder_publish                  GET  LOG  403  403  403  403  403  403  403  405  403  405
calls:builder_publish                  POST LOG  403  403  403  403  403  403  403  302  403  302
calls:builder_schedule                 GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_schedule                 POST LOG  403  403  403  403  403  403  403  400  403  400
calls:builder_section                  GET  LOG  403  403  403  403  403  403  403  200  403  200
calls:builder_section                  POST LOG  403  403  403  403  403  403  403  400  403  400
calls:builder_unpublish                GET  LOG  403  403  403  403  403  403  403  405  403  405
calls:builder_unpublish                POST LOG  403  403  403  403  403  403  403  302  403  302
events:staff_create                    GET  LOG  403  403  403  403  403  403  403  200  403  200
events:staff_create                    POST LOG  403  403  403  403  403  403  403  400  403  400
events:staff_edit                      GET  LOG  403  403  403  403  403  403  403  200  403  200
events:staff_edit                      POST LOG  403  403  403  403  403  403  403  400  403  400
events:staff_list                      GET  LOG  403  403  403  403  403  403  403  200  403  200
events:staff_list                      POST LOG  403  403  403  403  403  403  403  405  403  405
events:personal                        GET  200  200  200  200  200  200  200  200  200  200  200
events:personal                        POST 200  200  200  200  200  200  200  200  200  200  200
events:personal_ics                    GET  200  200  200  200  200  200  200  200  200  200  200
events:personal_ics                    POST 200  200  200  200  200  200  200  200  200  200  200
events:send_invitations                GET  LOG  403  403  403  403  403  403  403  405  403  405
events:send_invitations                POST LOG  403  403  403  403  403  403  403  400  403  400
# laureates
laureates:support_attendance           GET  405  405  405  405  405  405  405  405  405  405  405
laureates:support_attendance           POST LOG  403  403  403  403  403  403  403  302  403  302
laureates:support_cancel               GET  405  405  405  405  405  405  405  405  405  405  405
laureates:support_cancel               POST LOG  302  403  403  403  403  403  403  302  403  302
laureates:support_consumption          GET  LOG  403  403  403  403  403  403  403  200  403  200
laureates:support_consumption          POST LOG  403  403  403  403  403  403  403  200  403  200
laureates:support_enrol                GET  405  405  405  405  405  405  405  405  405  405  405
laureates:support_enrol                POST LOG  403  403  403  403  403  403  403  403  403  403
laureates:support_list                 GET  200  200  200  200  200  200  200  200  200  200  200
laureates:support_list                 POST 200  200  200  200  200  200  200  200  200  200  200
laureates:support_manage               GET  LOG  403  403  403  403  403  403  403  200  403  200
laureates:support_manage               POST LOG  403  403  403  403  403  403  403  200  403  200
laureates:support_offer                GET  200  200  200  200  200  200  200  200  200  200  200
laureates:support_offer                POST 200  200  200  200  200  200  200  200  200  200  200
laureates:agreement_acknowledge        GET  405  405  405  405  405  405  405  405  405  405  405
laureates:agreement_acknowledge        POST LOG  302  404  404  404  404  404  404  404  404  404
laureates:agreement_pdf                GET  LOG  200  404  404  200  404  404  200  200  404  200
laureates:agreement_pdf                POST LOG  200  404  404  200  404  404  200  200  404  200
laureates:followup_agreement           GET  LOG  403  403  403  200  404  404  200  200  403  200
laureates:followup_agreement           POST LOG  403  403  403  200  404  404  200  200  403  200
laureates:followup_generate            GET  405  405  405  405  405  405  405  405  405  405  405
laureates:followup_generate            POST LOG  403  403  403  403  403  403  403  302  403  302
laureates:followup_list                GET  LOG  403  403  403  200  200  200  200  200  403  200
laureates:followup_list                POST LOG  403  403  403  200  200  200  200  200  403  200
laureates:followup_overdue             GET  LOG  403  403  403  200  200  200  200  200  403  200
laureates:followup_overdue             POST LOG  403  403  403  200  200  200  200  200  403  200
laureates:followup_payment             GET  405  405  405  405  405  405  405  405  405  405  405
laureates:followup_payment             POST LOG  403  403  403  403  403  403  403  302  403  302
laureates:followup_payments_csv        GET  LOG  403  403  403  200  200  200  200  200  403  200
laureates:followup_payments_csv        POST LOG  403  403  403  200  200  200  200  200  403  200
laureates:followup_report              GET  LOG  403  403  403  200  404  404  200  200  403  200
laureates:followup_report              POST LOG  403  403  403  403  404  404  403  302  403  302
laureates:followup_sign                GET  405  405  405  405  405  405  405  405  405  405  405
laureates:followup_sign                POST LOG  403  403  403  403  403  403  403  302  403  302
laureates:ptce_status                  GET  LOG  403  403  403  403  403  403  403  200  403  200
laureates:ptce_status                  POST LOG  403  403  403  403  403  403  403  400  403  400
laureates:report_edit                  GET  LOG  200  404  404  404  404  404  404  404  404  404
laureates:report_edit                  POST LOG  400  404  404  404  404  404  404  404  404  404
laureates:space                        GET  LOG  200  200  200  200  200  200  200  200  200  200
laureates:space                        POST LOG  200  200  200  200  200  200  200  200  200  200
# privacy
privacy:erase                          GET  LOG  200  200  200  403  403  403  403  403  403  403
privacy:erase                          POST LOG  200  200  200  403  403  403  403  403  403  403
privacy:export                         GET  LOG  200  200  200  200  200  200  200  200  200  200
privacy:export                         POST 405  405  405  405  405  405  405  405  405  405  405
# registry
registry:establishment                 GET  LOG  200  200  200  200  200  200  200  200  200  200
registry:establishment                 POST 405  405  405  405  405  405  405  405  405  405  405
# reviews
reviews:assign                         GET  LOG  403  403  403  403  404  404  200  200  404  200
reviews:assign                         POST LOG  403  403  403  403  404  404  200  200  404  200
reviews:bulk_assign                    GET  405  405  405  405  405  405  405  405  405  405  405
reviews:bulk_assign                    POST LOG  403  403  403  302  302  302  302  302  302  302
reviews:change_status                  GET  405  405  405  405  405  405  405  405  405  405  405
reviews:change_status                  POST LOG  403  403  403  302  404  404  302  302  404  302
reviews:decision_letter                GET  LOG  200  404  200  200  404  404  200  200  404  200
reviews:decision_letter                POST LOG  200  404  200  200  404  404  200  200  404  200
reviews:declare_conflict               GET  405  405  405  405  405  405  405  405  405  405  405
reviews:declare_conflict               POST LOG  403  403  403  302  404  404  302  302  404  302
reviews:export_csv                     GET  LOG  403  403  403  200  200  200  200  200  200  200
reviews:export_csv                     POST LOG  403  403  403  200  200  200  200  200  200  200
reviews:export_xlsx                    GET  LOG  403  403  403  200  200  200  200  200  200  200
reviews:export_xlsx                    POST LOG  403  403  403  200  200  200  200  200  200  200
reviews:file                           GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:file                           POST LOG  403  403  403  200  404  404  200  200  404  200
reviews:file#decided                   GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:file#decided                   POST LOG  403  403  403  200  404  404  200  200  404  200
reviews:list                           GET  LOG  403  403  403  200  200  200  200  200  200  200
reviews:list                           POST LOG  403  403  403  200  200  200  200  200  200  200
reviews:message_attachment             GET  LOG  200  404  200  200  404  404  200  200  404  200
reviews:message_attachment             POST LOG  200  404  200  200  404  404  200  200  404  200
reviews:messages                       GET  LOG  200  404  200  200  404  404  200  200  404  200
reviews:messages                       POST LOG  200  404  200  200  404  404  200  200  404  200
reviews:messages#draft                 GET  LOG  404  404  404  404  404  404  404  404  404  404
reviews:messages#draft                 POST LOG  404  404  404  404  404  404  404  404  404  404
reviews:minutes                        GET  LOG  403  403  403  403  403  403  403  200  200  200
reviews:minutes                        POST LOG  403  403  403  403  403  403  403  200  200  200
reviews:national                       GET  LOG  403  403  403  403  403  403  403  200  403  200
reviews:national                       POST LOG  403  403  403  403  403  403  403  400  403  400
reviews:opinion                        GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:opinion                        POST LOG  403  403  403  200  404  404  200  403  404  403
reviews:publish                        GET  405  405  405  405  405  405  405  405  405  405  405
reviews:publish                        POST LOG  403  403  403  403  403  403  403  302  403  302
reviews:regional_ranking               GET  LOG  403  403  403  403  403  403  200  200  403  200
reviews:regional_ranking               POST LOG  403  403  403  403  403  403  200  200  403  200
reviews:request_correction             GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:request_correction             POST LOG  403  403  403  200  404  404  200  200  404  200
reviews:reroute                        GET  405  405  405  405  405  405  405  405  405  405  405
reviews:reroute                        POST LOG  403  403  403  403  403  403  403  302  403  302
reviews:score                          GET  LOG  403  403  403  200  404  404  200  403  404  403
reviews:score                          POST LOG  403  403  403  200  404  404  200  403  404  403
reviews:session                        GET  LOG  403  403  403  403  403  403  403  200  200  200
reviews:session                        POST LOG  403  403  403  403  403  403  403  302  302  302
reviews:sessions                       GET  LOG  403  403  403  403  403  403  403  200  200  200
reviews:sessions                       POST LOG  403  403  403  403  403  403  403  200  403  200
reviews:simulation                     GET  LOG  403  403  403  403  403  403  403  200  403  200
reviews:simulation                     POST LOG  403  403  403  403  403  403  403  200  403  200
reviews:simulations                    GET  LOG  403  403  403  403  403  403  403  200  403  200
reviews:simulations                    POST LOG  403  403  403  403  403  403  403  200  403  200
reviews:unassign                       GET  405  405  405  405  405  405  405  405  405  405  405
reviews:unassign                       POST LOG  403  403  403  403  404  404  302  302  404  302
reviews:validate_opinion               GET  405  405  405  405  405  405  405  405  405  405  405
reviews:validate_opinion               POST LOG  403  403  403  403  404  404  302  403  404  403
reviews:versions                       GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:versions                       POST LOG  403  403  403  200  404  404  200  200  404  200
reviews:attachments_zip                GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:attachments_zip                POST LOG  403  403  403  200  404  404  200  200  404  200
reviews:bulk_action                    GET  405  405  405  405  405  405  405  405  405  405  405
reviews:bulk_action                    POST LOG  403  403  403  302  302  302  302  302  302  302
reviews:delete_view                    GET  405  405  405  405  405  405  405  405  405  405  405
reviews:delete_view                    POST LOG  403  403  403  302  404  404  404  404  404  404
reviews:export_ods                     GET  LOG  403  403  403  200  200  200  200  200  200  200
reviews:export_ods                     POST LOG  403  403  403  200  200  200  200  200  200  200
reviews:file_pdf                       GET  LOG  403  403  403  200  404  404  200  200  404  200
reviews:file_pdf                       POST LOG  403  403  403  200  404  404  200  200  404  200
reviews:save_view                      GET  405  405  405  405  405  405  405  405  405  405  405
reviews:save_view                      POST LOG  403  403  403  302  302  302  302  302  302  302
reviews:session_members                GET  405  405  405  405  405  405  405  405  405  405  405
reviews:session_members                POST LOG  403  403  403  403  403  403  403  302  403  302
reviews:due_date                       GET  405  405  405  405  405  405  405  405  405  405  405
reviews:due_date                       POST LOG  403  403  403  403  404  404  302  302  404  302
reviews:extend_correction              GET  405  405  405  405  405  405  405  405  405  405  405
reviews:extend_correction              POST LOG  403  403  403  302  404  404  302  302  404  302
reviews:my_reviews                     GET  LOG  403  403  403  200  200  200  200  200  200  200
reviews:my_reviews                     POST LOG  403  403  403  200  200  200  200  200  200  200
reviews:reassign                       GET  405  405  405  405  405  405  405  405  405  405  405
reviews:reassign                       POST LOG  403  403  403  403  404  404  302  302  404  302
reviews:workload                       GET  LOG  403  403  403  403  403  403  200  200  403  200
reviews:workload                       POST LOG  403  403  403  403  403  403  200  200  403  200
# territories
territories:search                     GET  200  200  200  200  200  200  200  200  200  200  200
territories:search                     POST 405  405  405  405  405  405  405  405  405  405  405

# webhooks
webhooks:create                        GET  LOG  403  403  403  403  403  403  403  200  403  200
webhooks:create                        POST LOG  403  403  403  403  403  403  403  200  403  200
webhooks:delete                        GET  LOG  403  403  403  403  403  403  403  405  403  405
webhooks:delete                        POST LOG  403  403  403  403  403  403  403  302  403  302
webhooks:delivery                      GET  LOG  403  403  403  403  403  403  403  200  403  200
webhooks:delivery                      POST LOG  403  403  403  403  403  403  403  200  403  200
webhooks:detail                        GET  LOG  403  403  403  403  403  403  403  200  403  200
webhooks:detail                        POST LOG  403  403  403  403  403  403  403  200  403  200
webhooks:list                          GET  LOG  403  403  403  403  403  403  403  200  403  200
webhooks:list                          POST LOG  403  403  403  403  403  403  403  200  403  200
webhooks:redeliver                     GET  LOG  403  403  403  403  403  403  403  405  403  405
webhooks:redeliver                     POST LOG  403  403  403  403  403  403  403  302  403  302
webhooks:regenerate                    GET  LOG  403  403  403  403  403  403  403  405  403  405
webhooks:regenerate                    POST LOG  403  403  403  403  403  403  403  302  403  302
"""
)

# Routes under admin/ are Django's admin site: checked through its index below, the rest is
# Django's own permission system (staff flag + model permissions).
ADMIN_PREFIX = "admin:"


def _draft(w):
    return [w.draft.uuid]


def _submitted(w):
    return [w.submitted.uuid]


# How to build each route's URL from the objects of ``world`` (routes without arguments: none).
ARGS = {
    "accounts:confirm_email": lambda w: ["jeton-inconnu"],
    "accounts:password_reset_confirm": lambda w: ["MQ", "jeton-inconnu"],
    "calls:detail": lambda w: [w.call.slug],
    "calls:document": lambda w: [w.call.slug, w.document.pk],
    "applications:start": lambda w: [w.call.slug],
    "applications:accept_invitation": lambda w: [w.invitation_token],
    "applications:summary": _submitted,
    "applications:submitted": _submitted,
    "applications:summary#draft": _draft,
    "applications:summary#decided": lambda w: [w.decided.uuid],
    "applications:lead": _draft,
    "applications:members": _draft,
    "applications:member_edit": lambda w: [w.draft.uuid, w.draft_member.pk],
    "applications:member_delete": lambda w: [w.draft.uuid, w.draft_member.pk],
    "applications:territory": _draft,
    "applications:project": _draft,
    "applications:autosave": _draft,
    "applications:budget": _draft,
    "applications:attachments": _draft,
    "applications:attachment_download": lambda w: [w.submitted.uuid, w.submitted_attachment.pk],
    "applications:attachment_download#draft": lambda w: [w.draft.uuid, w.draft_attachment.pk],
    "applications:attachment_delete": lambda w: [w.draft.uuid, w.draft_attachment.pk],
    "applications:submit": _draft,
    "applications:receipt": lambda w: [w.submitted.uuid, 1],
    "applications:withdraw": _submitted,
    "applications:duplicate": _submitted,
    "applications:invite": _draft,
    "directory:detail": lambda w: ["ptce-inconnu"],
    "directory:api_ptce_detail": lambda w: ["ptce-inconnu"],
    "registry:establishment": lambda w: [w.draft.lead_siret],
    "events:cancel_registration": lambda w: [w.registration_token],
    "events:confirm_registration": lambda w: [w.confirmation_token],
    "events:detail": lambda w: [w.event.slug],
    "events:ics": lambda w: [w.event.slug],
    "events:personal": lambda w: [w.event.slug, w.registration_token],
    "events:personal_ics": lambda w: [w.event.slug, w.registration_token],
    "events:manage": lambda w: [w.event.slug],
    "events:staff_edit": lambda w: [w.event.slug],
    "calls:builder_call": lambda w: [w.call.pk],
    "calls:builder_edit": lambda w: [w.call.pk],
    "calls:builder_grid": lambda w: [w.call.pk],
    "calls:builder_schedule": lambda w: [w.call.pk],
    "calls:builder_section": lambda w: [w.call.pk, "releves"],
    "calls:builder_publish": lambda w: [w.call.pk],
    "calls:builder_unpublish": lambda w: [w.call.pk],
    "calls:builder_duplicate": lambda w: [w.call.pk],
    "events:send_invitations": lambda w: [w.event.slug],
    "events:cancel": lambda w: [w.event.slug],
    "events:check_in": lambda w: [w.event.slug, w.registration.pk],
    "events:export": lambda w: [w.event.slug, "csv"],
    "laureates:support_attendance": lambda w: [w.enrolment.pk],
    "laureates:support_cancel": lambda w: [w.enrolment.pk],
    "laureates:support_offer": lambda w: [w.offer.slug],
    "laureates:support_enrol": lambda w: [w.offer.slug],
    "laureates:support_manage": lambda w: [w.offer.slug],
    "reviews:file": _submitted,
    "reviews:file#decided": lambda w: [w.decided.uuid],
    "reviews:score": _submitted,
    "reviews:assign": _submitted,
    "reviews:unassign": lambda w: [w.submitted.uuid, w.assignment.pk],
    "reviews:declare_conflict": _submitted,
    "reviews:reroute": _submitted,
    "reviews:change_status": _submitted,
    "reviews:request_correction": _submitted,
    "reviews:versions": _submitted,
    "reviews:opinion": _submitted,
    "reviews:validate_opinion": _submitted,
    "reviews:messages": _submitted,
    "reviews:messages#draft": _draft,
    "reviews:message_attachment": lambda w: [w.submitted.uuid, w.message.pk],
    "reviews:decision_letter": lambda w: [w.decided.uuid],
    "reviews:simulation": lambda w: [w.simulation.pk],
    "reviews:session": lambda w: [w.session.pk],
    "reviews:minutes": lambda w: [w.session.pk],
    "reviews:publish": lambda w: [w.open_session.pk],
    "reviews:session_members": lambda w: [w.open_session.pk],
    "reviews:file_pdf": _submitted,
    "reviews:attachments_zip": _submitted,
    "reviews:delete_view": lambda w: [w.saved_view.pk],
    "reviews:reassign": lambda w: [w.assignment.pk],
    "reviews:due_date": lambda w: [w.submitted.uuid, w.assignment.pk],
    "reviews:extend_correction": lambda w: [w.submitted.uuid, w.correction.pk],
    "laureates:agreement_pdf": lambda w: [w.agreement.pk],
    "editorial:letter_edit": lambda w: ["refusal"],
    "editorial:letter_preview": lambda w: ["refusal"],
    "editorial:letter_restore": lambda w: ["refusal", 999999],
    "editorial:page_edit": lambda w: ["faq"],
    "editorial:page_restore": lambda w: ["faq", 999999],
    "laureates:agreement_acknowledge": lambda w: [w.agreement.pk],
    "laureates:report_edit": lambda w: [w.report.pk],
    "laureates:followup_generate": lambda w: [w.award.pk],
    "laureates:followup_agreement": lambda w: [w.agreement.pk],
    "laureates:followup_sign": lambda w: [w.agreement.pk],
    "laureates:followup_payment": lambda w: [w.payment.pk],
    "laureates:followup_report": lambda w: [w.report.pk],
    "laureates:ptce_status": lambda w: [w.award.ptce.pk],
    "dynamics:detail": lambda w: [w.dynamic.slug],
    "dynamics:convert": lambda w: [w.dynamic.uuid],
    "dynamics:moderation_detail": lambda w: [w.pending_dynamic.uuid],
    "dynamics:moderation_delete": lambda w: [w.pending_dynamic.uuid],
    "webhooks:detail": lambda w: [w.endpoint.pk],
    "webhooks:regenerate": lambda w: [w.endpoint.pk],
    "webhooks:delete": lambda w: [w.endpoint.pk],
    "webhooks:delivery": lambda w: [w.delivery.pk],
    "webhooks:redeliver": lambda w: [w.delivery.pk],
    "backoffice:email_edit": lambda w: ["application_receipt"],
    "backoffice:email_history": lambda w: ["application_receipt"],
    "backoffice:email_restore": lambda w: ["application_receipt", 1],
    "backoffice:email_reset": lambda w: ["application_receipt"],
    "backoffice:outbox_detail": lambda w: [w.failed_email.pk],
    "backoffice:outbox_resend": lambda w: [w.failed_email.pk],
}


def enumerate_routes():
    return sorted(name for name, _ in _named_patterns() if not name.startswith(ADMIN_PREFIX))


def _named_patterns():
    """(route name, full pattern text) of every named URL pattern."""

    def walk(patterns, namespace="", prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def _storage(location):
    return {
        "BACKEND": "tests.security.matrix_world.KeepFilesStorage",
        "OPTIONS": {"location": location},
    }


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, matrix_media):
    """Every test of the module reads the files the module's objects were stored with."""
    settings.STORAGES = {**settings.STORAGES, "default": _storage(matrix_media)}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, matrix_media):
    """The objects and one signed-in client per role, built once for the module inside a
    transaction rolled back at the end (see the module's docstring)."""
    from django.conf import settings
    from django.test import override_settings

    storages = {**settings.STORAGES, "default": _storage(matrix_media)}
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(STORAGES=storages):
            built = build()
            built.clients = {role: _login(built, role) for role in [*ROLES, *CONFLICT_ROLES]}
            built.header_problems = []
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def _django_db_helper(world):
    """Replaces pytest-django's helper for this module: the database is the module's
    transaction of ``world`` (each request runs in a rolled-back savepoint)."""
    return None


def _login(world, role):
    client = Client(raise_request_exception=False)
    if role == "anonymous":
        return client
    user = world.users[role]
    if role in STAFF_ROLES:
        login_staff(client, user)
    else:
        client.force_login(user)
    return client


@contextmanager
def rolled_back():
    """What happens inside is undone (database rows, cache counters)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


def request_as(world, role, method, url, **kwargs):
    """The outcome for ``role`` of ``method url``, undone afterwards; the role's client keeps
    its session (a logout is undone too)."""
    client = world.clients[role]
    cookies = SimpleCookie(client.cookies)
    try:
        with rolled_back():
            response = getattr(client, method.lower())(url, **kwargs)
            consume(response)
            for problem in header_problems(response):
                world.header_problems.append(f"{method} {url} ({role}) : {problem}")
            return outcome_of(response)
    finally:
        client.cookies = cookies


def consume(response):
    """Read a streamed download to its end: the test client then closes it (never call
    ``response.close()`` here: it would run ``close_old_connections``, which closes a
    connection found inside a transaction and so loses the module's transaction on
    PostgreSQL)."""
    if response.streaming:
        b"".join(response.streaming_content)


def outcome_of(response):
    if response.status_code == 302:
        login = reverse("accounts:login")
        return LOGIN if response["Location"].startswith(login) else 302
    return response.status_code


def observe(world, key, methods=METHODS):
    url = reverse(key.split("#")[0], args=ARGS[key](world) if key in ARGS else [])
    return url, {
        method: {role: request_as(world, role, method, url) for role in ROLES} for method in methods
    }


def test_every_route_is_in_the_matrix(world):
    declared = {key.split("#")[0] for key in MATRIX}
    patterns = dict(_named_patterns())
    missing = [name for name in enumerate_routes() if name not in declared]
    if missing:
        lines = []
        for name in missing:
            if "<" in patterns[name] and name not in ARGS:
                lines.append(f"# {name}: /{patterns[name]} — ajoutez ARGS[{name!r}]")
                lines += [format_line(name, m, dict.fromkeys(ROLES, "?")) for m in METHODS]
                continue
            _, seen = observe(world, name)
            lines += [format_line(name, m, seen[m]) for m in METHODS]
        pytest.fail(
            "Routes sans ligne dans la matrice d’autorisations "
            f"(tests/security/test_authorization_matrix.py) : {', '.join(missing)}.\n"
            "Lignes à vérifier puis coller dans MATRIX (résultats observés ; chaque case doit "
            "être ce que ce rôle DOIT obtenir) :\n" + HEADER + "\n" + "\n".join(lines),
            pytrace=False,
        )
    stale = sorted(declared - set(enumerate_routes()))
    assert not stale, f"Lignes de la matrice pour des routes qui n’existent plus : {stale}"
    assert not sorted(set(ARGS) - set(MATRIX)), "ARGS sans ligne dans MATRIX"


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_authorization(world, key):
    expected = MATRIX[key]
    url, seen = observe(world, key, list(expected))
    wrong = [
        f"{method} {url} ({role}) : attendu {expected[method][role]}, obtenu {seen[method][role]}"
        for method in expected
        for role in ROLES
        if seen[method][role] != expected[method][role]
    ]
    problems, world.header_problems[:] = list(world.header_problems), []
    assert not problems, "En-têtes de sécurité :\n" + "\n".join(problems)
    assert not wrong, (
        "\n".join(wrong)
        + "\nLignes observées (à ne coller que si c’est le comportement voulu) :\n"
        + "\n".join(format_line(key, m, seen[m]) for m in expected)
    )


# Declared conflict (issue 22): the national cell and a cell lead of the région, each with a
# declared conflict of interest on the submitted, decided and funded files. Over every route
# of MATRIX, each gets the outcome of its role without conflict (``nat``/``lead`` columns),
# except on the routes below: route → {method: (national_conflict, cell_lead_conflict)}.
CONFLICT_OUTCOMES = {
    "applications:attachment_download": {"GET": (404, 404), "POST": (404, 404)},
    "applications:duplicate": {"GET": (404, 404), "POST": (404, 404)},
    "applications:receipt": {"GET": (404, 404), "POST": (404, 404)},
    "applications:submitted": {"GET": (404, 404), "POST": (404, 404)},
    "applications:summary": {"GET": (404, 404), "POST": (404, 404)},
    "applications:summary#decided": {"GET": (404, 404), "POST": (404, 404)},
    "applications:withdraw": {"GET": (404, 404), "POST": (404, 404)},
    "laureates:agreement_pdf": {"GET": (404, 404), "POST": (404, 404)},
    "laureates:followup_agreement": {"GET": (404, 404), "POST": (404, 404)},
    "laureates:followup_generate": {"GET": (405, 405), "POST": (404, 403)},
    "laureates:followup_payment": {"GET": (405, 405), "POST": (404, 403)},
    "laureates:followup_report": {"GET": (404, 404), "POST": (404, 404)},
    "laureates:followup_sign": {"GET": (405, 405), "POST": (404, 403)},
    "reviews:assign": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:attachments_zip": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:change_status": {"GET": (405, 405), "POST": (404, 404)},
    "reviews:decision_letter": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:declare_conflict": {"GET": (405, 405), "POST": (404, 404)},
    "reviews:file": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:file#decided": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:file_pdf": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:message_attachment": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:messages": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:opinion": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:request_correction": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:reroute": {"GET": (405, 405), "POST": (404, 403)},
    "reviews:score": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:unassign": {"GET": (405, 405), "POST": (404, 404)},
    "reviews:validate_opinion": {"GET": (405, 405), "POST": (404, 404)},
    "reviews:versions": {"GET": (404, 404), "POST": (404, 404)},
    "reviews:due_date": {"GET": (405, 405), "POST": (404, 404)},
    "reviews:extend_correction": {"GET": (405, 405), "POST": (404, 404)},
    "reviews:reassign": {"GET": (405, 405), "POST": (404, 404)},
}


def _conflict_expected(key, method, role):
    override = CONFLICT_OUTCOMES.get(key, {}).get(method)
    if override is not None:
        return override[list(CONFLICT_ROLES).index(role)]
    return MATRIX[key][method][CONFLICT_ROLES[role]]


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_declared_conflict_roles(world, key):
    url = reverse(key.split("#")[0], args=ARGS[key](world) if key in ARGS else [])
    wrong, observed = [], {}
    for method in MATRIX[key]:
        for role in CONFLICT_ROLES:
            seen = request_as(world, role, method, url)
            observed.setdefault(method, []).append(seen)
            if seen != _conflict_expected(key, method, role):
                wrong.append(
                    f"{method} {url} ({role}) : attendu {_conflict_expected(key, method, role)}, "
                    f"obtenu {seen}"
                )
    world.header_problems[:] = []
    assert not wrong, "\n".join(wrong) + f"\nObservé : {key!r}: {observed}"


def test_conflict_outcomes_name_existing_routes():
    assert set(CONFLICT_OUTCOMES) <= set(MATRIX)


def _effects():
    """(route, URL args, POST data, what the action does, roles for whom it must happen): the
    matrix posts nothing, so a refused action and a done one may both answer 302; these
    actions are posted with real data and their effect is checked in the database."""
    from applications.choices import ApplicationStatus
    from dynamics.models import LocalDynamic
    from laureates.models_followup import Agreement
    from laureates.models_support import Enrolment
    from reviews.models import Assignment, ConflictOfInterest, Message, SavedView
    from webhooks.models import WebhookEndpoint

    return [
        (
            "reviews:bulk_assign",
            lambda w: [],
            lambda w: {"files": [str(w.submitted.uuid)]},
            lambda w: Assignment.objects.filter(application=w.submitted).count() > 1,
            {"cell_lead", "national", "admin"},
        ),
        (
            "reviews:assign",
            _submitted,
            lambda w: {"reviewers": [w.spare_reviewer.pk]},
            lambda w: Assignment.objects.filter(reviewer=w.spare_reviewer).exists(),
            {"cell_lead", "national", "admin"},
        ),
        (
            "reviews:change_status",
            _submitted,
            lambda w: {"target": ApplicationStatus.REVIEWED},
            lambda w: (
                type(w.submitted).objects.get(pk=w.submitted.pk).status
                == ApplicationStatus.REVIEWED
            ),
            {"cell_lead", "national", "admin"},
        ),
        (
            "reviews:declare_conflict",
            _submitted,
            lambda w: {"reason": "Je connais la porteuse."},
            lambda w: (
                ConflictOfInterest.objects.filter(application=w.submitted).count()
                > 1 + len(CONFLICT_ROLES)
            ),
            {"reviewer", "cell_lead", "national", "admin"},
        ),
        (
            "reviews:messages",
            _submitted,
            lambda w: {"body": "Bonjour, voici une précision."},
            lambda w: Message.objects.filter(application=w.submitted).count() > 1,
            {"owner", "co_editor", "reviewer", "cell_lead", "national", "admin"},
        ),
        (
            "laureates:support_enrol",
            lambda w: [w.other_offer.slug],
            lambda w: {"ptce": w.ptce.pk},
            lambda w: Enrolment.objects.filter(offer=w.other_offer).exists(),
            {"owner"},
        ),
        (
            "laureates:followup_sign",
            lambda w: [w.agreement.pk],
            lambda w: {"signed_on": "2026-02-02"},
            lambda w: Agreement.objects.get(pk=w.agreement.pk).signed_on is not None,
            {"national", "admin"},
        ),
        (
            "laureates:agreement_acknowledge",
            lambda w: [w.agreement.pk],
            lambda w: {},
            lambda w: Agreement.objects.get(pk=w.agreement.pk).acknowledged_at is not None,
            {"owner"},
        ),
        (
            "reviews:delete_view",
            lambda w: [w.saved_view.pk],
            lambda w: {},
            lambda w: not SavedView.objects.filter(pk=w.saved_view.pk).exists(),
            {"reviewer"},
        ),
        (
            "webhooks:regenerate",
            lambda w: [w.endpoint.pk],
            lambda w: {},
            lambda w: WebhookEndpoint.objects.get(pk=w.endpoint.pk).secret != w.endpoint.secret,
            {"national", "admin"},
        ),
        (
            "dynamics:moderation_delete",
            lambda w: [w.pending_dynamic.uuid],
            lambda w: {},
            lambda w: not LocalDynamic.objects.filter(pk=w.pending_dynamic.pk).exists(),
            {"national", "admin"},
        ),
    ]


@pytest.mark.parametrize("effect", range(11))
def test_actions_take_effect_only_for_allowed_roles(world, effect):
    assert len(_effects()) == 11
    key, args, data, happened, allowed = _effects()[effect]
    url = reverse(key, args=args(world))
    done = set()
    for role in ROLES:
        client = world.clients[role]
        cookies = SimpleCookie(client.cookies)
        with rolled_back():
            response = client.post(url, data(world))
            assert response.status_code < 500, (key, role)
            if happened(world):
                done.add(role)
        client.cookies = cookies
    assert done == allowed, f"{key} : fait pour {sorted(done)}, attendu {sorted(allowed)}"


def _workload_effects():
    """Workload and deadline actions (issue 15): (route, args, data, set-up, happened,
    roles for whom it takes effect)."""
    from datetime import timedelta

    from django.utils import timezone

    from applications.choices import ApplicationStatus
    from applications.models import Application
    from reviews.models import Assignment, CorrectionRequest

    later = timezone.localdate() + timedelta(days=40)

    def in_correction(w):
        Application.objects.filter(pk=w.submitted.pk).update(
            status=ApplicationStatus.CORRECTION_REQUESTED
        )

    return [
        (
            "reviews:due_date",
            lambda w: [w.submitted.uuid, w.assignment.pk],
            lambda w: {f"due{w.assignment.pk}-due_on": later.isoformat()},
            lambda w: None,
            lambda w: Assignment.objects.get(pk=w.assignment.pk).due_on == later,
            {"cell_lead", "national", "admin"},
        ),
        (
            "reviews:reassign",
            lambda w: [w.assignment.pk],
            lambda w: {f"a{w.assignment.pk}-reviewer": w.spare_reviewer.pk},
            lambda w: None,
            lambda w: Assignment.objects.get(pk=w.assignment.pk).reviewer_id == w.spare_reviewer.pk,
            {"cell_lead", "national", "admin"},
        ),
        (
            "reviews:extend_correction",
            lambda w: [w.submitted.uuid, w.correction.pk],
            lambda w: {f"ext{w.correction.pk}-deadline": later.isoformat()},
            in_correction,
            lambda w: CorrectionRequest.objects.get(pk=w.correction.pk).deadline == later,
            {"reviewer", "cell_lead", "national", "admin"},
        ),
    ]


@pytest.mark.parametrize("effect", range(3))
def test_workload_actions_take_effect_only_for_allowed_roles(world, effect):
    key, args, data, set_up, happened, allowed = _workload_effects()[effect]
    url = reverse(key, args=args(world))
    done = set()
    for role in ROLES:
        client = world.clients[role]
        cookies = SimpleCookie(client.cookies)
        with rolled_back():
            set_up(world)
            response = client.post(url, data(world))
            assert response.status_code < 500, (key, role)
            if happened(world):
                done.add(role)
        client.cookies = cookies
    assert done == allowed, f"{key} : fait pour {sorted(done)}, attendu {sorted(allowed)}"


def test_dump_observed_outcomes(world):
    """Not an assertion: with MATRIX_DUMP=1 (or =prefix,prefix), prints what every role gets."""
    only = os.environ.get("MATRIX_DUMP")
    if not only:
        pytest.skip("MATRIX_DUMP=1 pour afficher les résultats observés")
    keys = sorted(set(enumerate_routes()) | {k for k in ARGS if "#" in k})
    for key in keys:
        if only != "1" and not any(key.startswith(p) for p in only.split(",")):
            continue
        _, seen = observe(world, key)
        for method in METHODS:
            print("DUMP", format_line(key, method, seen[method]))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("owner", 302),
        ("reviewer", 302),
        ("reviewer_conflict", 302),
        ("national", 302),
        ("admin", 200),
    ],
)
def test_admin_site_is_for_programme_admins_only(world, role, expected):
    """Every other admin/ route is behind the same staff check and Django's model permissions."""
    client = world.clients[role]
    with rolled_back():
        response = client.get(reverse("admin:index"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_other_methods_are_refused_or_harmless(world):
    """PUT, PATCH and DELETE on every route: never a success that changed something. The
    owner's and the admin's clients try them on every route; nothing of the world changes."""
    from applications.models import Application, Attachment, Member

    before = (
        Application.objects.count(),
        Attachment.objects.count(),
        Member.objects.count(),
    )
    for key in sorted(MATRIX):
        url = reverse(key.split("#")[0], args=ARGS[key](world) if key in ARGS else [])
        for role in ["owner", "admin"]:
            for method in ["PUT", "PATCH", "DELETE"]:
                client = world.clients[role]
                cookies = SimpleCookie(client.cookies)
                response = getattr(client, method.lower())(url)
                consume(response)
                client.cookies = cookies
                assert response.status_code < 500, (method, url, role)
    after = (Application.objects.count(), Attachment.objects.count(), Member.objects.count())
    assert after == before


def test_candidate_owned_objects_are_addressed_by_uuid():
    """Files are reached by a random UUID; numeric ids (members, attachments, versions,
    messages) only ever appear under the file's UUID, which the view checks first. The other
    numeric ids in URLs are staff objects (committee sessions, simulations, event check-in,
    follow-up of laureates, webhooks), a reviewer's own saved views, or a laureate's support
    enrolments, agreements and reports, whose views check the PTCE contact (proved by the
    matrix: another candidate gets 404)."""
    import uuid

    from applications.models import Application

    assert isinstance(Application._meta.get_field("uuid").default(), uuid.UUID)
    staff_or_checked = {
        "calls:document",  # public documents of a call
        # Call builder: national cell and programme admins only
        "calls:builder_call",
        "calls:builder_edit",
        "calls:builder_grid",
        "calls:builder_schedule",
        "calls:builder_section",
        "calls:builder_publish",
        "calls:builder_unpublish",
        "calls:builder_duplicate",
        "events:check_in",  # event managers only
        "reviews:session",
        "reviews:publish",
        "reviews:minutes",
        "reviews:simulation",
        "laureates:support_cancel",  # PTCE contact checked (matrix: other candidate → 404)
        "laureates:support_attendance",  # staff only
        # Laureate's agreement and reports: PTCE contact checked (matrix: other candidate → 404)
        "laureates:agreement_pdf",
        "laureates:agreement_acknowledge",
        "laureates:report_edit",
        # Follow-up of laureates: staff only, regional cells scoped (matrix: other région → 404)
        "laureates:followup_generate",
        "laureates:followup_agreement",
        "laureates:followup_sign",
        "laureates:followup_payment",
        "laureates:followup_report",
        "laureates:ptce_status",
        "reviews:delete_view",  # the view's owner only (matrix: other staff → 404)
        "reviews:session_members",  # national cell only
        "reviews:reassign",  # cell lead / national cell, file scope checked (other région → 404)
        "webhooks:detail",  # national cell only (webhooks:*)
        "webhooks:regenerate",
        "webhooks:delete",
        "webhooks:delivery",
        "webhooks:redeliver",
        # Programme administration: national cell only (backoffice:*)
        "backoffice:email_restore",
        "backoffice:outbox_detail",
        "backoffice:outbox_resend",
        "editorial:letter_restore",  # national cell only (editorial:*)
        "editorial:page_restore",
    }
    for name, pattern in _named_patterns():
        if "<int:" not in pattern or name.startswith(ADMIN_PREFIX) or name in staff_or_checked:
            continue
        assert pattern.startswith("dossiers/<uuid:uuid>/") or pattern.startswith(
            "instruction/dossiers/<uuid:uuid>/"
        ), (name, pattern)


def test_guessing_another_files_numeric_ids_is_harmless(world):
    """The other candidate, with a draft of their own, tries the owner's member, attachment and
    message ids under their own file's UUID: nothing is found, nothing is deleted."""
    from applications.factories import complete_application

    with rolled_back():
        own = complete_application(owner=world.users["other_candidate"], call=world.call)
        client = world.clients["other_candidate"]
        for name, pk in [
            ("applications:member_edit", world.draft_member.pk),
            ("applications:attachment_download", world.submitted_attachment.pk),
            ("applications:attachment_download", world.draft_attachment.pk),
            ("reviews:message_attachment", world.message.pk),
        ]:
            response = client.get(reverse(name, args=[own.uuid, pk]))
            consume(response)
            assert response.status_code == 404, name
        for name, pk in [
            ("applications:member_delete", world.draft_member.pk),
            ("applications:attachment_delete", world.draft_attachment.pk),
        ]:
            assert client.post(reverse(name, args=[own.uuid, pk])).status_code == 404
        assert world.draft.members.filter(pk=world.draft_member.pk).exists()
        assert world.draft.attachments.filter(pk=world.draft_attachment.pk).exists()
