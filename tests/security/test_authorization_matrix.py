"""Authorization matrix (issue 10, point 1): every URL pattern of the project × every role ×
GET and POST, with the expected outcome declared in ``MATRIX`` below.

The routes are enumerated from the URL resolver: a view added without a line in ``MATRIX``
fails ``test_every_route_is_in_the_matrix`` with its name. Outcomes:
``200`` page, ``LOGIN`` redirect to the sign-in page, ``302`` another redirect (a form sent
back, an action done), ``400``/``401`` refused input or expired session (JSON), ``403`` seen
but not allowed, ``404`` not shown to this person (or does not exist), ``405`` method refused.

Roles: anonymous, the owner of the files, another candidate, a co-editor, a regional reviewer
of the files' région (Auvergne-Rhône-Alpes), a reviewer of another région, the cell lead of the
région, the national cell, a committee member, a programme admin. A reviewer with a conflict of
interest is not a role yet: conflicts do not exist on main (reviews/ has no model for them).
"""

import os

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.factories import login_staff
from tests.security.matrix_world import ROLES, STAFF_ROLES, build

LOGIN = "LOGIN"

R, RO, CL, N, CM, AD = (
    "reviewer",
    "reviewer_other_region",
    "cell_lead",
    "national",
    "committee",
    "admin",
)


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def row(default, **by_role):
    """``default`` for every role, except those named."""
    unknown = set(by_role) - {short for short in SHORT}
    assert not unknown, unknown
    return {**everyone(default), **{SHORT[k]: v for k, v in by_role.items()}}


SHORT = {
    "A": A,
    "O": O,
    "X": X,
    "C": C,
    "R": R,
    "RO": RO,
    "CL": CL,
    "N": N,
    "CM": CM,
    "AD": AD,
}

# route name (#variant) → {method: {role: outcome}}; URL arguments in ARGS.
MATRIX = {}

# Routes under admin/ are Django's admin site: checked through its index below, the rest is
# Django's own permission system (staff flag + model permissions).
ADMIN_PREFIX = "admin:"


def url_args(world, spec):
    return spec(world) if spec else []


def _draft(w):
    return [w.draft.uuid]


def _submitted(w):
    return [w.submitted.uuid]


# How to build each route's URL from the objects of ``world`` (routes without arguments: None).
ARGS = {
    "accounts:confirm_email": lambda w: ["jeton-inconnu"],
    "accounts:password_reset_confirm": lambda w: ["MQ", "jeton-inconnu"],
    "calls:detail": lambda w: [w.call.slug],
    "calls:document": lambda w: [w.call.slug, w.document.pk],
    "applications:start": lambda w: [w.call.slug],
    "applications:accept_invitation": lambda w: [w.invitation_token],
    "applications:summary": _submitted,
    "applications:summary#draft": _draft,
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
    "events:cancel_registration": lambda w: [w.registration_token],
    "events:detail": lambda w: [w.event.slug],
    "events:ics": lambda w: [w.event.slug],
    "events:personal": lambda w: [w.event.slug, w.registration_token],
    "events:personal_ics": lambda w: [w.event.slug, w.registration_token],
    "events:manage": lambda w: [w.event.slug],
    "events:send_invitations": lambda w: [w.event.slug],
    "events:cancel": lambda w: [w.event.slug],
    "events:check_in": lambda w: [w.event.slug, w.registration.pk],
    "events:export": lambda w: [w.event.slug, "csv"],
}


def enumerate_routes():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_route_is_in_the_matrix():
    declared = {key.split("#")[0] for key in MATRIX}
    missing = [
        name
        for name in enumerate_routes()
        if name not in declared and not name.startswith(ADMIN_PREFIX)
    ]
    assert not missing, (
        "Routes sans ligne dans la matrice d’autorisations "
        f"(tests/security/test_authorization_matrix.py) : {', '.join(missing)}"
    )
    stale = sorted(declared - set(enumerate_routes()))
    assert not stale, f"Lignes de la matrice pour des routes qui n’existent plus : {stale}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The objects, built once for the module inside a transaction rolled back at the end;
    each test runs in its own savepoint, so a POST that changes something is undone."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


def client_for(world, role):
    client = Client(raise_request_exception=False)
    if role == "anonymous":
        return client
    user = world.users[role]
    if role in STAFF_ROLES:
        login_staff(client, user)
    else:
        client.force_login(user)
    return client


def outcome_of(response):
    if response.status_code == 302:
        login = reverse("accounts:login")
        return LOGIN if response["Location"].startswith(login) else 302
    return response.status_code


CASES = [
    (key, method, role)
    for key, methods in MATRIX.items()
    for method, roles in methods.items()
    for role in roles
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method", "role"), CASES)
def test_authorization(world, key, method, role):
    methods = MATRIX[key]
    url = reverse(key.split("#")[0], args=url_args(world, ARGS.get(key)))
    client = client_for(world, role)
    response = getattr(client, method.lower())(url)
    assert outcome_of(response) == methods[method][role], f"{method} {url} ({role})"


@pytest.mark.django_db
def test_dump_observed_outcomes(world):
    """Not an assertion: with MATRIX_DUMP=1, prints what every role gets (to write rows)."""
    if not os.environ.get("MATRIX_DUMP"):
        pytest.skip("MATRIX_DUMP=1 pour afficher les résultats observés")
    keys = [n for n in enumerate_routes() if not n.startswith(ADMIN_PREFIX)]
    keys += [k for k in ARGS if "#" in k]
    for name in sorted(keys):
        url = reverse(name.split("#")[0], args=url_args(world, ARGS.get(name)))
        for method in ["GET", "POST"]:
            seen = {}
            for role in ROLES:
                sid = transaction.savepoint()
                response = getattr(client_for(world, role), method.lower())(url)
                seen[role] = outcome_of(response)
                transaction.savepoint_rollback(sid)
            print(f"DUMP {name} {method} {seen}")
