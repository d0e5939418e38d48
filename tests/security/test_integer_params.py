"""Integers read from requests (issue 21): ASCII digits only, one helper (``core.params``).

``str.isdigit()`` accepts « ² » that ``int()`` refuses: four requests answered 500. Here: the
four reproductions, a scan of the code base for the ``isdigit()``-then-``int()`` pattern, and
hostile integers (other scripts' digits, superscripts, circled and full-width digits, signs,
spaces, huge values, empty strings) sent to every integer-like parameter of every route:
path ids, query-string ids and page numbers, and the integer fields of every form (found on
the form's page: number inputs and selects of objects by id). Never a 500.
``test_report_integer_parameters`` prints how many parameters are covered."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from core.params import MAX_INT64, id_param, int_param
from tests.security import test_hostile_input_more as hostile
from tests.security.test_hostile_input_more import FORMS as STAFF_FORMS
from tests.security.test_hostile_input_more import client_for, undone

# The module's objects and per-module transaction, as in test_hostile_input_more.
world = hostile.world
_django_db_helper = hostile._django_db_helper
_module_settings = hostile._module_settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_INTEGERS = [
    "²",
    "1²",
    "٣",
    "①",
    "１",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1_0",
    "0x1",
    "1e3",
    "1.0",
    "99999999999999999999999",
    str(MAX_INT64 + 1),
    "",
    " ",
]
COVERED: set[str] = set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(MAX_INT64), MAX_INT64),
        (12, 12),
        *[(value, None) for value in HOSTILE_INTEGERS],
        (None, None),
        (True, None),
        ("1\n", None),
    ],
)
def test_int_param_accepts_ascii_digits_only(value, expected):
    assert int_param(value) == expected


def test_int_param_bounds_and_ids():
    assert int_param("5", minimum=1, maximum=5) == 5
    assert int_param("6", minimum=1, maximum=5) is None
    assert id_param("0") is None
    assert id_param("1") == 1


# --- the four reproductions of the issue ---------------------------------------------------


@pytest.mark.parametrize("value", ["²", "1²", "٣", "１"])
def test_support_enrolment_refuses_a_unicode_ptce_id(world, value):
    client = client_for(world, "owner")
    url = reverse("laureates:support_enrol", args=[world.other_offer.slug])
    with undone():
        assert client.post(url, {"ptce": value}).status_code == 403
        assert world.other_offer.enrolments.count() == 0


@pytest.mark.parametrize("value", ["²", "1²", "٣"])
def test_national_consolidation_refuses_a_unicode_call_id(world, value):
    response = client_for(world, "national").get(reverse("reviews:national"), {"call": value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", "1²", "①"])
def test_regional_ranking_refuses_a_unicode_call_id(world, value):
    client = client_for(world, "national")
    response = client.get(reverse("reviews:regional_ranking"), {"call": value, "region": "84"})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "0", "-1"])
def test_committee_decision_refuses_a_unicode_application_id(world, value):
    client = client_for(world, "national")
    url = reverse("reviews:session", args=[world.open_session.pk])
    with undone():
        response = client.post(url, {"application": value, "d1-decision": "accepted"})
        assert response.status_code == 404
        assert not world.open_session.decisions.exists()


def test_form_integer_fields_give_a_french_error(world):
    from reviews.forms import OpinionForm

    form = OpinionForm({"opinion": "favourable", "reasons": "x", "version": "٣"})
    assert not form.is_valid()
    assert form.errors["version"] == ["Saisissez un nombre entier écrit avec les chiffres 0 à 9."]
    assert OpinionForm({"opinion": "favourable", "reasons": "x", "version": "3"}).is_valid()


# --- no isdigit() then int() left ----------------------------------------------------------

ISDIGIT_THEN_INT = re.compile(r"\.isdigit\(\)[^\n]*\bint\(|\bint\([^\n]*\.isdigit\(\)")


def test_no_isdigit_then_int_in_the_code_base():
    """``str.isdigit()`` accepts « ² »; read integers with ``core.params.int_param``."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "node_modules", "tests"} or "tests" in relative.parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            window = "\n".join(lines[number - 1 : number + 2]).replace("\n", " ")
            if ".isdigit()" in line and ISDIGIT_THEN_INT.search(window):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)


def test_the_scan_finds_the_pattern():
    assert ISDIGIT_THEN_INT.search("pk=int(posted) if posted.isdigit() else None")
    assert ISDIGIT_THEN_INT.search("if raw.isdigit(): value = int(raw)")


# --- every integer-like parameter of every route --------------------------------------------


def _files(w):
    return reverse("reviews:list")


# (role, method, URL, parameter, other values sent along) — integers read by views from the
# query string or the posted data, and the id/page filters of lists and exports.
QUERY_PARAMS = [
    *[
        ("national", "GET", lambda w, n=name: reverse(n), param, {})
        for name in [
            "reviews:list",
            "reviews:export_csv",
            "reviews:export_xlsx",
            "reviews:export_ods",
        ]
        for param in ["call", "round", "region", "department", "page"]
    ],
    ("national", "GET", lambda w: reverse("reviews:regional_ranking"), "call", {"region": "84"}),
    ("national", "GET", lambda w: reverse("reviews:regional_ranking"), "region", {}),
    ("national", "GET", lambda w: reverse("reviews:national"), "call", {}),
    ("national", "GET", lambda w: reverse("reviews:simulations"), "call", {}),
    ("national", "POST", lambda w: reverse("reviews:national"), "call", {}),
    ("national", "GET", lambda w: reverse("reviews:versions", args=[w.submitted.uuid]), "a", {}),
    ("national", "GET", lambda w: reverse("reviews:versions", args=[w.submitted.uuid]), "de", {}),
    (
        "national",
        "GET",
        lambda w: reverse("reviews:file_pdf", args=[w.submitted.uuid]),
        "version",
        {},
    ),
    (
        "cell_lead",
        "POST",
        lambda w: reverse("reviews:validate_opinion", args=[w.submitted.uuid]),
        "version",
        {},
    ),
    (
        "national",
        "POST",
        lambda w: reverse("reviews:session", args=[w.open_session.pk]),
        "application",
        {},
    ),
    (
        "owner",
        "POST",
        lambda w: reverse("laureates:support_enrol", args=[w.other_offer.slug]),
        "ptce",
        {},
    ),
    *[
        ("anonymous", "GET", lambda w, n=name: reverse(n), param, {})
        for name in ["directory:list", "directory:map", "directory:api_ptce_list"]
        for param in ["page", "year", "region", "department"]
    ],
    ("anonymous", "GET", lambda w: reverse("directory:api_ptce_list"), "page_size", {}),
    ("anonymous", "GET", lambda w: reverse("directory:api_call_list"), "page", {}),
    ("anonymous", "GET", lambda w: reverse("directory:api_call_list"), "page_size", {}),
    ("anonymous", "GET", lambda w: reverse("directory:api_call_list"), "year", {}),
    ("anonymous", "GET", lambda w: reverse("dynamics:list"), "page", {}),
    ("anonymous", "GET", lambda w: reverse("dynamics:list"), "call", {}),
    ("anonymous", "GET", lambda w: reverse("dynamics:list"), "region", {}),
    ("national", "GET", lambda w: reverse("dynamics:moderation_list"), "page", {}),
    ("anonymous", "GET", lambda w: reverse("events:list"), "page", {}),
    ("anonymous", "GET", lambda w: reverse("events:list"), "region", {}),
    ("anonymous", "GET", lambda w: reverse("laureates:support_list"), "page", {}),
    ("anonymous", "GET", lambda w: reverse("calls:list"), "page", {}),
    ("owner", "GET", lambda w: reverse("applications:dashboard"), "page", {}),
]

NUMBER_INPUT = re.compile(
    r'<input[^>]*type="number"[^>]*name="([^"]+)"|<input[^>]*name="([^"]+)"[^>]*type="number"'
)
SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option[^>]*value="([^"]*)"')


def integer_fields(html: str) -> list[str]:
    """Names of the number inputs and of the selects whose options are ids."""
    names = {a or b for a, b in NUMBER_INPUT.findall(html)}
    for name, options in SELECT.findall(html):
        values = [v for v in OPTION.findall(options) if v]
        if values and all(int_param(v) is not None for v in values):
            names.add(name)
    return sorted(names)


def _send(client, method, url, data):
    response = getattr(client, method.lower())(url, data)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _assert_refused_cleanly(response, where):
    assert response.status_code < 500, (where, response.content[:1500])


@pytest.mark.parametrize("index", range(len(QUERY_PARAMS)))
def test_query_and_posted_integers_survive_hostile_values(world, index):
    role, method, url_of, param, extra = QUERY_PARAMS[index]
    client = client_for(world, role)
    url = url_of(world)
    COVERED.add(f"{method} {url.split('?')[0]} {param}")
    for value in HOSTILE_INTEGERS:
        with undone():
            _assert_refused_cleanly(
                _send(client, method, url, {**extra, param: value}), (url, param, value)
            )


@pytest.mark.parametrize("form", sorted(STAFF_FORMS))
def test_form_integer_fields_survive_hostile_values(world, form):
    role, post_url, _pages, _fields, valid = STAFF_FORMS[form]
    client = client_for(world, role)
    url = post_url(world)
    page = client.get(url)
    names = integer_fields(page.content.decode()) if page.status_code == 200 else []
    good = valid(world) if valid else {}
    names = sorted(set(names) | {n for n, v in good.items() if int_param(v) is not None})
    for name in names:
        COVERED.add(f"POST {url.split('?')[0]} {name}")
        for value in HOSTILE_INTEGERS:
            with undone():
                _assert_refused_cleanly(
                    _send(client, "POST", url, {**good, name: value}), (url, name, value)
                )


def _int_routes():
    from tests.security.test_authorization_matrix import ARGS, _named_patterns

    patterns = dict(_named_patterns())
    return sorted(
        key
        for key in ARGS
        if "<int:" in patterns.get(key.split("#")[0], "") and not key.startswith("admin:")
    )


@pytest.mark.parametrize("key", _int_routes())
def test_path_ids_survive_huge_values(world, key):
    """Path ids use Django's ``<int:…>`` converter (ASCII digits only: other characters do
    not resolve, 404); values beyond 64 bits must not overflow the database either."""
    from tests.security.test_authorization_matrix import ARGS

    args = ARGS[key](world)
    huge = [a if not isinstance(a, int) else int("9" * 25) for a in args]
    url = reverse(key.split("#")[0], args=huge)
    COVERED.add(f"PATH {key}")
    for role in ["national", "owner", "admin"]:
        for method in ["GET", "POST"]:
            with undone():
                response = _send(client_for(world, role), method, url, {})
                assert response.status_code in {302, 403, 404, 405}, (url, role, method)
    other = reverse(key.split("#")[0], args=[1 if isinstance(a, int) else a for a in args])
    for char in ["²", "٣", "１"]:
        bad = other.replace("/1/", f"/{char}/", 1)
        if bad != other:
            assert client_for(world, "national").get(bad).status_code == 404


def test_report_integer_parameters(capsys):
    """Prints how many integer-like parameters the module covered (run last)."""
    with capsys.disabled():
        print(f"\nPARAMÈTRES ENTIERS couverts : {len(COVERED)}")
    assert len(COVERED) >= 60
