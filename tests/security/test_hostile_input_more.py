"""Hostile input, second part (issue 10): the review, committee, simulation, support,
events, personal-data forms, and the registry, directory and API query parameters.

Each form is posted by the role that may use it (so the input reaches validation and, when
valid, storage), with hostile values mixed with valid ones; then the pages that show the
stored values are read back: never a 500, never unescaped HTML. Derandomised hypothesis
(``FUZZ`` of test_hostile_input.py): the volume is fixed (printed by ``-s``: ``VOLUME``)."""

import re
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.factories import login_staff
from tests.security.matrix_world import STAFF_ROLES, build
from tests.security.test_hostile_input import ADVERSARIAL, FUZZ, check, field_names

pytestmark = pytest.mark.django_db

values = st.one_of(st.sampled_from(ADVERSARIAL), st.text(max_size=200))
# Fewer examples than the candidate forms (each example here sends several requests).
FUZZ = FUZZ.__class__(parent=FUZZ, max_examples=8)
POSTS = {"count": 0}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module in a transaction rolled back at the end (as the matrix)."""
    from django.conf import settings
    from django.test import override_settings

    media = tmp_path_factory.mktemp("hostile-media")
    storages = {**settings.STORAGES, "default": _storage(media)}
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(STORAGES=storages, AXES_ENABLED=False):
            built = build()
            built.clients = {}
            built.storages = storages
            yield built
        transaction.set_rollback(True)


def _storage(location):
    return {
        "BACKEND": "tests.security.matrix_world.KeepFilesStorage",
        "OPTIONS": {"location": location},
    }


@pytest.fixture
def _django_db_helper(world):
    """The module's transaction stands for pytest-django's per-test one (see the matrix:
    its TestCase teardown would close the connection on PostgreSQL)."""
    return None


@pytest.fixture(autouse=True)
def _module_settings(settings, world):
    settings.STORAGES = world.storages
    settings.AXES_ENABLED = False


@contextmanager
def undone():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(world, role):
    if role not in world.clients:
        client = Client(raise_request_exception=False)
        if role in STAFF_ROLES:
            login_staff(client, world.users[role])
        elif role != "anonymous":
            client.force_login(world.users[role])
        world.clients[role] = client
    return world.clients[role]


def _file(name):
    return lambda w: reverse(name, args=[w.submitted.uuid])


def _valid_opinion(w):
    return {"opinion": "favourable", "reasons": "Projet solide", "version": "1"}


# form → (role, URL of the POST, page(s) read back, fields (None: read from the GET page),
# valid values mixed in so that hostile text also reaches storage).
FORMS = {
    "evaluation": ("reviewer", _file("reviews:score"), [_file("reviews:file")], None, None),
    "avis": ("cell_lead", _file("reviews:opinion"), [_file("reviews:file")], None, _valid_opinion),
    "validation-avis": (
        "cell_lead",
        _file("reviews:validate_opinion"),
        [_file("reviews:file")],
        ["version"],
        None,
    ),
    "complements": (
        "reviewer",
        _file("reviews:request_correction"),
        [_file("reviews:file")],
        None,
        lambda w: {"sections": "project", "deadline": "2030-01-15"},
    ),
    "message-instruction": (
        "reviewer",
        _file("reviews:messages"),
        [_file("reviews:messages"), _file("reviews:file")],
        None,
        None,
    ),
    "message-candidat": (
        "owner",
        _file("reviews:messages"),
        [_file("reviews:messages"), _file("applications:summary")],
        None,
        None,
    ),
    "etat": (
        "national",
        _file("reviews:change_status"),
        [_file("reviews:file")],
        ["target", "reason"],
        lambda w: {"target": "closed"},
    ),
    "conflit": ("reviewer", _file("reviews:declare_conflict"), [], ["reason"], None),
    "orientation": (
        "national",
        _file("reviews:reroute"),
        [_file("reviews:file")],
        ["region", "reason"],
        lambda w: {"region": "11"},
    ),
    "attribution": (
        "cell_lead",
        _file("reviews:assign"),
        [_file("reviews:file")],
        None,
        lambda w: {"reviewers": str(w.spare_reviewer.pk)},
    ),
    "attribution-groupee": (
        "cell_lead",
        lambda w: reverse("reviews:bulk_assign"),
        [lambda w: reverse("reviews:list")],
        ["files"],
        lambda w: {"files": str(w.submitted.uuid)},
    ),
    "seance-decision": (
        "committee",
        lambda w: reverse("reviews:session", args=[w.open_session.pk]),
        [lambda w: reverse("reviews:session", args=[w.open_session.pk])],
        lambda w: (
            ["application"]
            + [
                f"d{w.decided.pk}-{f}"
                for f in ["decision", "reasons", "amount", "waiting_position"]
            ]
        ),
        lambda w: {"application": str(w.decided.pk), f"d{w.decided.pk}-decision": "rejected"},
    ),
    "seances": (
        "national",
        lambda w: reverse("reviews:sessions"),
        [lambda w: reverse("reviews:sessions")],
        None,
        lambda w: {"call": str(w.call.pk), "date": "2030-06-15"},
    ),
    "consolidation": (
        "national",
        lambda w: reverse("reviews:national") + f"?call={w.call.pk}",
        [lambda w: reverse("reviews:simulations") + f"?call={w.call.pk}"],
        None,
        lambda w: {"envelope": "150000", "action": "save"},
    ),
    "comparaison": (
        "national",
        lambda w: reverse("reviews:simulations"),
        [lambda w: reverse("reviews:simulation", args=[w.simulation.pk])],
        ["call", "a", "b"],
        lambda w: {"a": str(w.simulation.pk), "b": str(w.simulation.pk)},
    ),
    "inscription-accompagnement": (
        "owner",
        lambda w: reverse("laureates:support_enrol", args=[w.other_offer.slug]),
        [lambda w: reverse("laureates:support_offer", args=[w.other_offer.slug])],
        ["ptce"],
        lambda w: {"ptce": str(w.ptce.pk)},
    ),
    "participants-accompagnement": (
        "national",
        lambda w: reverse("laureates:support_manage", args=[w.offer.slug]),
        [lambda w: reverse("laureates:support_manage", args=[w.offer.slug])],
        None,
        None,
    ),
    "inscription-evenement": (
        "anonymous",
        lambda w: reverse("events:detail", args=[w.event.slug]),
        [lambda w: reverse("events:manage", args=[w.event.slug])],
        None,
        None,
    ),
    "gestion-evenement": (
        "national",
        lambda w: reverse("events:send_invitations", args=[w.event.slug]),
        [lambda w: reverse("events:manage", args=[w.event.slug])],
        ["audience", "emails", "region"],
        None,
    ),
    "suppression-compte": (
        "other_candidate",
        lambda w: reverse("privacy:erase"),
        [lambda w: reverse("privacy:erase")],
        None,
        None,
    ),
}
READ_AS = {"inscription-evenement": "national"}


@pytest.mark.parametrize("form", sorted(FORMS))
@FUZZ
@given(data=st.data())
def test_staff_and_support_forms_survive_hostile_input(world, form, data):
    role, post_url, pages, fields, valid = FORMS[form]
    client = client_for(world, role)
    url = post_url(world)
    if callable(fields):
        fields = fields(world)
    if fields is None:
        page = client.get(url)
        check(page)
        fields = field_names(page.content.decode())
        assert fields, f"aucun champ trouvé sur {url}"
    good = valid(world) if valid else {}
    payload = {}
    for name in fields:
        choices = [values] + ([st.just(good[name])] if name in good else [])
        payload[name] = data.draw(st.one_of(*choices), label=name)
    for name, value in good.items():
        payload.setdefault(name, value)
    with undone():
        check(client.post(url, payload))
        POSTS["count"] += 1
        reader = client_for(world, READ_AS.get(form, role))
        for page_url in pages:
            check(reader.get(page_url(world)))


@FUZZ
@given(siret=values)
def test_registry_lookup_survives_hostile_sirets(world, siret):
    client = client_for(world, "owner")
    base = reverse("registry:establishment", args=["x"])[: -len("x/")]
    response = client.get(base + quote(siret or "_", safe="") + "/")
    assert response.status_code < 500
    POSTS["count"] += 1


DIRECTORY_PARAMS = ["q", "region", "department", "theme", "status", "page", "format", "sort"]


@FUZZ
@given(data=st.data())
def test_directory_search_and_api_survive_hostile_parameters(world, data):
    client = client_for(world, "anonymous")
    params = {k: data.draw(values, label=k) for k in DIRECTORY_PARAMS}
    for name in [
        "directory:list",
        "directory:map",
        "directory:api_ptce_list",
        "directory:api_call_list",
        "events:list",
        "laureates:support_list",
    ]:
        response = client.get(reverse(name), params)
        check(response)
        POSTS["count"] += 1
    detail = reverse("directory:api_ptce_detail", args=["x"])[:-1] + quote(
        params["q"] or "_", safe=""
    )
    assert client.get(detail).status_code < 500


REVIEW_FILTERS = [
    "call",
    "round",
    "phase",
    "region",
    "department",
    "status",
    "eligibility",
    "score_min",
    "score_max",
    "disagreement",
    "priority",
    "sort",
    "q",
    "page",
]


@FUZZ
@given(data=st.data())
def test_review_list_filters_and_exports_survive_hostile_parameters(world, data):
    client = client_for(world, "national")
    params = {k: data.draw(values, label=k) for k in REVIEW_FILTERS}
    for name in [
        "reviews:list",
        "reviews:export_csv",
        "reviews:export_xlsx",
        "reviews:regional_ranking",
        "reviews:national",
        "reviews:simulations",
        "reviews:sessions",
    ]:
        check(client.get(reverse(name), params))
        POSTS["count"] += 1


FORMULA = re.compile(r"(^|[;,\n])\"?[=+\-@]")


def test_exports_neutralise_formulas_stored_by_candidates(world):
    """Text a candidate typed (name of the structure, of the pole, of members) that starts
    like a spreadsheet formula is neutralised in every export that shows it."""

    with undone():
        _check_exports(world)


def _check_exports(world):
    import io

    from openpyxl import load_workbook

    submitted = world.submitted
    type(submitted).objects.filter(pk=submitted.pk).update(
        lead_name='=HYPERLINK("http://exemple.invalid";"clic")',
        pole_name="@SUM(1+1)*cmd|' /C calc'!A0",
        contact_name="+33 1 23 45 67 89",
    )
    client = client_for(world, "national")
    csv_text = _body(client.get(reverse("reviews:export_csv"))).decode("utf-8-sig")
    assert "HYPERLINK" in csv_text or "SUM(1+1)" in csv_text
    for cell in re.split(r"[;,\n]", csv_text):
        assert not re.match(r'^"?[=+@]', cell.strip()), cell
    workbook = load_workbook(io.BytesIO(_body(client.get(reverse("reviews:export_xlsx")))))
    for row in workbook.active.iter_rows(values_only=True):
        for value in row:
            if isinstance(value, str):
                assert not value.startswith(("=", "+", "@")), value


def _body(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_report_volume(capsys):
    """Prints how many hostile requests the module sent (run last in the module)."""
    with capsys.disabled():
        print(f"\nVOLUME requêtes hostiles (ce module) : {POSTS['count']}")
    assert Decimal(POSTS["count"]) >= 0


def test_audit_entries_drop_nul_characters(world):
    """PostgreSQL refuses NUL in JSON: an audited export with a NUL in its filters failed."""
    from core import audit

    with undone():
        entry = audit.record("review.export", after={"filters": {"page": "\x00nul", "q\x00": 1}})
        entry.refresh_from_db()
        assert entry.after == {"filters": {"page": "nul", "q": 1}}
        assert audit.verify_chain() == []
