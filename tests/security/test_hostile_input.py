"""Hostile input (issue 10, point 2): random and adversarial data posted to every form of the
candidate journey, the account forms and the public API. Nothing may answer 500, and what is
stored is always rendered escaped. Forms are discovered from their page (field names read from
the HTML), so a field added later is fuzzed too; a new form needs one line in ``FORMS``."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.factories import UserFactory
from applications.factories import CallFactory, complete_application
from calls.models import Call

pytestmark = pytest.mark.django_db

# Markers that must never come back unescaped in a page.
XSS = [
    '<script>alert("ptce")</script>',
    '"><svg onload=alert(1)>',
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
]
UNESCAPED = re.compile(r"<script>alert|<svg onload|<img src=x onerror")
ADVERSARIAL = [
    *XSS,
    "\x00nul",
    '=HYPERLINK("http://exemple.invalid";"clic")',
    "+33 1 23 45 67 89",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "' OR '1'='1' --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "%(password)s",
    "\u202egnp.exe",
    "𝕻𝖔̂𝖑𝖊 🧑‍🌾",
    "1e309",
    "-1",
    "NaN",
    "9" * 400,
    "x" * 25_000,
    "",
    " ",
    "\r\n\t",
]
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*?\sname="([^"]+)"', re.S)
SKIP_FIELDS = {"csrfmiddlewaretoken"}

values = st.one_of(st.sampled_from(ADVERSARIAL), st.text(max_size=200))
# Derandomised: CI must not pass or fail by chance; widen max_examples locally to explore.
FUZZ = settings(
    derandomize=True,
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def field_names(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name not in SKIP_FIELDS})


class Journey:
    """A candidate with a complete draft, logged in; URLs of every form of the journey."""

    def __init__(self):
        self.application = complete_application()
        self.member = self.application.members.first()
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.application.owner)

    def url(self, name, *extra):
        return reverse(f"applications:{name}", args=[self.application.uuid, *extra])


# (form label, URL factory, page to read back) — the forms of the candidate journey.
FORMS = {
    "structure": lambda j: (j.url("lead"), j.url("lead")),
    "membres": lambda j: (j.url("members"), j.url("members")),
    "membre": lambda j: (j.url("member_edit", j.member.pk), j.url("members")),
    "territoire": lambda j: (j.url("territory"), j.url("territory")),
    "projet": lambda j: (j.url("project"), j.url("project")),
    "budget": lambda j: (j.url("budget"), j.url("budget")),
    "pieces": lambda j: (j.url("attachments"), j.url("attachments")),
    "co-redacteurs": lambda j: (j.url("invite"), j.url("invite")),
    "copier": lambda j: (j.url("duplicate"), j.url("summary")),
    "retirer": lambda j: (j.url("withdraw"), j.url("summary")),
    "depot": lambda j: (j.url("submit"), j.url("summary")),
    "demarrer": lambda j: (
        reverse("applications:start", args=[j.application.call.slug]),
        reverse("applications:dashboard"),
    ),
}


def check(response):
    assert response.status_code < 500, response.content[:2000]
    if response.get("Content-Type", "").startswith("text/html"):
        assert not UNESCAPED.search(response.content.decode()), "HTML non échappé"


@pytest.mark.parametrize("form", sorted(FORMS))
@FUZZ
@given(data=st.data())
def test_candidate_forms_survive_hostile_input(form, data):
    journey = Journey()
    post_url, page_url = FORMS[form](journey)
    page = journey.client.get(post_url if form not in {"depot"} else page_url)
    check(page)
    names = field_names(page.content.decode()) or ["certify"]
    payload = {name: data.draw(values, label=name) for name in names}
    check(journey.client.post(post_url, payload))
    check(journey.client.get(page_url))
    check(journey.client.get(journey.url("summary")))
    # Stored text comes back escaped wherever it is shown.
    stored = journey.client.get(journey.url("summary")).content.decode()
    assert "<script>alert" not in stored


def test_autosave_survives_hostile_input():
    from applications.forms import AUTOSAVE_FIELDS

    journey = Journey()
    url = journey.url("autosave")
    for name in sorted(AUTOSAVE_FIELDS):  # every autosave field (issue 22)
        for value in ADVERSARIAL:
            response = journey.client.post(url, {name: value})
            assert response.status_code in {200, 400}, (name, value[:20], response.content)
            if response.status_code == 400:
                assert response.json()["field"] == name
    journey.application.refresh_from_db()
    assert len(journey.application.pole_name) <= 255
    assert all(len(getattr(journey.application, n)) <= 20_000 for n in AUTOSAVE_FIELDS)
    journey.client.post(url, {"diagnosis": XSS[0]})
    page = journey.client.get(journey.url("project")).content.decode()
    assert not UNESCAPED.search(page)
    assert "&lt;script&gt;alert(&quot;ptce&quot;)&lt;/script&gt;" in page


ACCOUNT_FORMS = ["accounts:login", "accounts:signup", "accounts:password_reset"]


@pytest.mark.parametrize("name", ACCOUNT_FORMS)
@FUZZ
@given(data=st.data())
def test_account_forms_survive_hostile_input(name, data, settings):
    settings.AXES_ENABLED = False
    client = Client(raise_request_exception=False)
    url = reverse(name)
    names = field_names(client.get(url).content.decode())
    assert names
    check(client.post(url, {n: data.draw(values, label=n) for n in names}))


@FUZZ
@given(data=st.data())
def test_staff_second_factor_form_survives_hostile_input(data):
    user = UserFactory(reviewer=True)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for name in ["accounts:otp_setup", "accounts:otp_verify"]:
        page = client.get(reverse(name))
        check(page)
        names = field_names(page.content.decode()) if page.status_code == 200 else ["token"]
        check(client.post(reverse(name), {n: data.draw(values, label=n) for n in names}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(ADVERSARIAL),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(ADVERSARIAL) | st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


# The fuzzing sends hundreds of requests from one address: the public simulator's rate limit
# (tested in core/tests/test_ratelimit.py) is switched off here, so every body reaches the view.
NO_ELIGIBILITY_LIMIT = override_settings(
    RATE_LIMITS={**django_settings.RATE_LIMITS, "eligibility": "0"}
)


# Hypothesis may wrongly judge the recursive strategy's ``extend`` non-recursive when a draw
# is cut short (seen once in a full run, never alone): a warning, not a failure of the code.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@NO_ELIGIBILITY_LIMIT
@FUZZ
@given(body=st.dictionaries(st.text(max_size=20), json_values, max_size=6), slug=values)
def test_eligibility_api_survives_hostile_input(body, slug):
    client = Client(raise_request_exception=False)
    if not Call.objects.filter(slug="ami-ptce-ouvert").exists():
        CallFactory(slug="ami-ptce-ouvert")
    url = reverse("calls:api_eligibility")
    for query in ["", "?call=ami-ptce-ouvert", "?" + urlencode({"call": slug})]:
        response = client.post(url + query, json.dumps(body), content_type="application/json")
        assert response.status_code in {200, 400, 404}, response.content[:500]
        assert response["Content-Type"] == "application/json"
    raw = client.post(url, b"\xff\xfe{", content_type="application/json")
    assert raw.status_code == 400


def test_query_strings_with_hostile_values_never_fail():
    client = Client(raise_request_exception=False)
    user = UserFactory()
    client.force_login(user)
    for value in ADVERSARIAL:
        for url in [
            reverse("calls:list"),
            reverse("events:list"),
            reverse("territories:search"),
            reverse("applications:dashboard"),
            reverse("accounts:login"),
        ]:
            for key in ["q", "page", "next"]:
                check(client.get(url, {key: value}))


@NO_ELIGIBILITY_LIMIT
@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000,
        "{" + '"a":{' * 40_000,
        '{"members": ' + "[" * 33 + "]" * 33 + "}",
        '{"a": "' + "[" * 50_000 + '"}',  # brackets inside a string do not count
    ],
)
def test_eligibility_api_refuses_deeply_nested_json_before_parsing(body):
    """Issue 22: 50 000 nested ``[`` answered 500 (RecursionError in ``json.loads``)."""
    client = Client(raise_request_exception=False)
    response = client.post(reverse("calls:api_eligibility"), body, content_type="application/json")
    assert response["Content-Type"] == "application/json"
    if body.startswith('{"a": "'):
        assert response.status_code in {200, 400}
        assert "imbriqué" not in response.json()["error"] if response.status_code == 400 else True
    else:
        assert response.status_code == 400
        assert response.json()["error"] == (
            "Le JSON est trop imbriqué : 32 niveaux de tableaux ou d’objets au plus."
        )


@NO_ELIGIBILITY_LIMIT
@FUZZ
@given(depth=st.integers(min_value=0, max_value=200), opener=st.sampled_from(["[", '{"k":']))
def test_json_nesting_depth_never_fails(depth, opener):
    from core.jsonbody import MAX_JSON_DEPTH

    closer = "]" if opener == "[" else "}"
    body = '{"x": ' + opener * depth + "1" + closer * depth + "}"
    client = Client(raise_request_exception=False)
    response = client.post(reverse("calls:api_eligibility"), body, content_type="application/json")
    assert response.status_code in {200, 400}
    if depth + 1 > MAX_JSON_DEPTH:
        assert response.status_code == 400
