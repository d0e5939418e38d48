"""Contract test of /api/v1/: the OpenAPI document and the responses of the API as they were
before the move to django-ninja (fixtures in ``directory/tests/contract/``, recorded from the
hand-written implementation) compared with today's.

- Document: for every operation of the recorded document, the same path and method, the same
  parameters (name, location, type), the same response codes and, for every JSON response, the
  same field names with the same types (references and ``allOf`` resolved, OpenAPI 3.0
  ``nullable`` and 3.1 ``anyOf``/``type: [.., "null"]`` read alike).
- Responses: a list of requests on fixed factory data; status, content type, caching headers
  and JSON body (UUIDs and instants replaced by placeholders) must be equal.

A difference is allowed only when it is written, in backquotes, in the changelog of
docs/api.md with its reason. ``API_CONTRACT_RECORD=1`` rewrites the fixtures (only to be done
on the implementation the clients know)."""

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from calls.factories import CallFactory
from directory.tests.conftest import bulk_ptces, programme_data
from directory.tokens import issue_token
from events.factories import EventFactory
from laureates.factories import PtceFactory, PtceMemberFactory
from laureates.models import PtceStatusChange, Theme

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent / "contract"
DOCUMENT = HERE / "openapi-before.json"
RESPONSES = HERE / "responses-before.json"
CHANGELOG = Path(__file__).resolve().parents[2] / "docs" / "api.md"
RECORD = os.environ.get("API_CONTRACT_RECORD") == "1"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eligibility-file.json"

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?$")
HEADERS = [
    "Content-Type",
    "Cache-Control",
    "Vary",
    "Allow",
    "WWW-Authenticate",
    "Access-Control-Allow-Origin",
]


# ---------------------------------------------------------------------------------------------
# Document


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _type(document: dict, schema: dict) -> str:
    """``type[/format][?]`` of a schema: ``?`` when null is allowed."""
    schema = _resolve(document, schema or {})
    nullable = bool(schema.get("nullable"))
    kinds = schema.get("type")
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        rest = [v for v in variants if _resolve(document, v).get("type") != "null"]
        nullable = nullable or len(rest) < len(variants)
        if len(rest) == 1:
            inner = _type(document, {**schema, **rest[0], "anyOf": None, "oneOf": None})
            return inner if inner.endswith("?") or not nullable else inner + "?"
        return "|".join(sorted(_type(document, v) for v in rest)) + ("?" if nullable else "")
    if isinstance(kinds, list):
        nullable = nullable or "null" in kinds
        kinds = "|".join(sorted(k for k in kinds if k != "null"))
    if kinds is None and ("properties" in schema or "allOf" in schema):
        kinds = "object"
    text = str(kinds)
    if schema.get("format") in {"date-time", "date", "uuid", "uri", "email"}:
        text += "/" + schema["format"]
    return text + ("?" if nullable else "")


def _fields(document: dict, schema: dict, prefix: str = "") -> dict[str, str]:
    """Every field path of a JSON schema with its type (``results[].nom``: ``string``)."""
    schema = _resolve(document, schema or {})
    fields: dict[str, str] = {}
    parts = [_resolve(document, part) for part in schema.get("allOf", [])] or [schema]
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            path = f"{prefix}{name}"
            fields[path] = _type(document, sub)
            sub = _resolve(document, sub)
            variants = [
                v for v in sub.get("anyOf", []) if _resolve(document, v).get("type") != "null"
            ]
            if len(variants) == 1:
                sub = _resolve(document, variants[0])
            if sub.get("type") == "array" or (
                isinstance(sub.get("type"), list) and "array" in sub["type"]
            ):
                items = _resolve(document, sub.get("items", {}))
                fields[path] += "[" + _type(document, items) + "]"
                fields.update(_fields(document, items, f"{path}[]."))
            elif "properties" in sub or "allOf" in sub:
                fields.update(_fields(document, sub, f"{path}."))
    return fields


def operations(document: dict) -> dict[str, dict]:
    """``METHOD path`` → parameters, response codes and fields of each JSON response."""
    result = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = {
                f"{p['in']} {p['name']}": _type(document, p.get("schema", {}))
                for p in operation.get("parameters", [])
                if p["in"] != "header"
            }
            responses = {}
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                responses[code] = _fields(document, content["schema"]) if content else {}
            result[f"{method.upper()} {path}"] = {
                "parameters": parameters,
                "responses": responses,
                "security": bool(operation.get("security")),
            }
    return result


def document_differences(before: dict, after: dict) -> list[str]:
    old, new = operations(before), operations(after)
    differences = []
    for key, operation in old.items():
        if key not in new:
            differences.append(f"{key}: opération disparue")
            continue
        current = new[key]
        for name, kind in operation["parameters"].items():
            if name not in current["parameters"]:
                differences.append(f"{key}: paramètre {name} disparu")
            elif current["parameters"][name] != kind:
                differences.append(
                    f"{key}: paramètre {name} {kind} → {current['parameters'][name]}"
                )
        for name in current["parameters"].keys() - operation["parameters"].keys():
            differences.append(f"{key}: paramètre {name} ajouté")
        if operation["security"] != current["security"]:
            differences.append(f"{key}: sécurité {operation['security']} → {current['security']}")
        for code, fields in operation["responses"].items():
            if code not in current["responses"]:
                differences.append(f"{key}: réponse {code} disparue")
                continue
            for field, kind in fields.items():
                now = current["responses"][code].get(field)
                if now is None:
                    differences.append(f"{key} {code}: champ {field} disparu")
                elif now != kind:
                    differences.append(f"{key} {code}: champ {field} {kind} → {now}")
            for field in current["responses"][code].keys() - fields.keys():
                differences.append(f"{key} {code}: champ {field} ajouté")
    return sorted(differences)


# ---------------------------------------------------------------------------------------------
# Responses


def _reset_factory_sequences():
    """Names and slugs built from factory sequences do not depend on the tests run before."""
    import factory

    pending = list(factory.django.DjangoModelFactory.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls._meta.abstract:
            cls.reset_sequence()


@pytest.fixture
def contract_data(settings):
    _reset_factory_sequences()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "directory_api": "0", "eligibility": "0"}
    bulk_ptces(30)
    ptce = PtceFactory(name="Pôle contrat", slug="pole-contrat", themes=[Theme.DIGITAL])
    PtceMemberFactory(ptce=ptce, name="Visible", is_public=True)
    PtceMemberFactory(ptce=ptce, name="Cachée", is_public=False)
    PtceStatusChange.objects.create(ptce=ptce, to_status="active", reason="Import")
    programme_data()
    CallFactory(slug="brouillon", title="Brouillon", draft=True)
    now = timezone.now().replace(microsecond=0)
    for slug, days, kind in [("a-venir", 10, "webinar"), ("passe", -10, "round_table")]:
        EventFactory(
            title=f"Événement {slug}",
            slug=slug,
            kind=kind,
            starts_at=now + timedelta(days=days),
            ends_at=now + timedelta(days=days, hours=1),
        )
    _, raw = issue_token(UserFactory(national=True), name="contrat")
    regional = UserFactory(role="regional_reviewer", region_id="84")
    _, raw_regional = issue_token(regional, name="régional")
    return {"token": raw, "regional": raw_regional}


def requests_to_check(tokens: dict) -> list[tuple[str, str, dict]]:
    """(name, method path?query, options) of every request of the contract."""
    example = EXAMPLE.read_text(encoding="utf-8")
    bad = json.loads(example)
    bad["members"][0]["category"] = "mairie"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['token']}"}
    return [
        ("liste", "GET /api/v1/ptce", {}),
        ("liste page 2", "GET /api/v1/ptce?page=2&page_size=10", {}),
        ("liste dernière page", "GET /api/v1/ptce?page=4&page_size=10", {}),
        ("liste filtre thème", "GET /api/v1/ptce?theme=food&page_size=5", {}),
        ("liste filtres", "GET /api/v1/ptce?region=84&status=active&year=2021", {}),
        ("liste recherche", "GET /api/v1/ptce?q=contrat", {}),
        ("liste filtres ignorés", "GET /api/v1/ptce?region=zz&page=-4&page_size=1000", {}),
        ("liste paramètres illisibles", "GET /api/v1/ptce?page=abc&page_size=2.5&year=x", {}),
        ("liste paramètre inconnu", "GET /api/v1/ptce?inconnu=1&theme=<b>", {}),
        ("fiche par adresse", "GET /api/v1/ptce/pole-contrat", {}),
        ("fiche inconnue", "GET /api/v1/ptce/0000", {}),
        ("fiche hostile", "GET /api/v1/ptce/%3Cx%3E", {}),
        ("liste POST", "POST /api/v1/ptce", {}),
        ("appels", "GET /api/v1/calls", {}),
        ("appels DELETE", "DELETE /api/v1/calls", {}),
        ("décisions", "GET /api/v1/awards", {}),
        ("décisions filtrées", "GET /api/v1/awards?phase=funding&region=53", {}),
        ("décisions année", "GET /api/v1/awards?year=2025", {}),
        ("décisions ignorées", "GET /api/v1/awards?call=inconnu&phase=x&year=abc", {}),
        ("événements", "GET /api/v1/events", {}),
        ("événements à venir", "GET /api/v1/events?period=upcoming&kind=webinar", {}),
        ("événements passés", "GET /api/v1/events?period=past", {}),
        ("événements ignorés", "GET /api/v1/events?period=demain&format=%3Cb%3E", {}),
        ("agents sans jeton", "GET /api/v1/staff/awards", {}),
        (
            "agents jeton faux",
            "GET /api/v1/staff/awards",
            {"HTTP_AUTHORIZATION": "Bearer ptce_faux"},
        ),
        ("agents jeton Basic", "GET /api/v1/staff/awards", {"HTTP_AUTHORIZATION": "Basic eA=="}),
        ("agents", "GET /api/v1/staff/awards", bearer),
        ("agents filtrés", "GET /api/v1/staff/awards?status=granted&phase=funding", bearer),
        ("agents ignorés", "GET /api/v1/staff/awards?status=x&page=-1", bearer),
        (
            "agents régional",
            "GET /api/v1/staff/awards",
            {"HTTP_AUTHORIZATION": f"Bearer {tokens['regional']}"},
        ),
        ("éligibilité", "POST /api/v1/eligibility", {"json": example}),
        ("éligibilité invalide", "POST /api/v1/eligibility", {"json": json.dumps(bad)}),
        ("éligibilité JSON illisible", "POST /api/v1/eligibility", {"json": "{"}),
        ("éligibilité liste", "POST /api/v1/eligibility", {"json": "[]"}),
        ("éligibilité appel", "POST /api/v1/eligibility?call=ami-ptce-2026", {"json": example}),
        ("éligibilité brouillon", "POST /api/v1/eligibility?call=brouillon", {"json": example}),
        ("éligibilité GET", "GET /api/v1/eligibility", {}),
        ("éligibilité texte", "POST /api/v1/eligibility", {"text": example}),
    ]


def normalise(value):
    if isinstance(value, dict):  # database ids depend on the engine's sequences
        return {
            key: "<id>" if key == "id" and isinstance(item, int) else normalise(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, str):
        if INSTANT.match(value):
            return "<instant>"
        return UUID.sub("<uuid>", value)
    return value


def perform(client, request: str, options: dict) -> dict:
    method, target = request.split(" ", 1)
    path, _, query = target.partition("?")
    options = dict(options)
    extra = {"QUERY_STRING": query} if query else {}
    if "json" in options:
        extra.update(data=options.pop("json"), content_type="application/json")
    elif "text" in options:
        extra.update(data=options.pop("text"), content_type="text/plain")
    response = getattr(client, method.lower())(path, **extra, **options)
    result = {
        "status": response.status_code,
        "headers": {name: response.get(name) for name in HEADERS if response.has_header(name)},
        "etag": response.has_header("ETag"),
    }
    if response.content and "json" in response.get("Content-Type", ""):
        result["json"] = normalise(response.json())
    elif response.content:
        result["text_length"] = bool(response.content)
    if response.has_header("ETag"):
        again = client.get(
            path, {}, QUERY_STRING=query, HTTP_IF_NONE_MATCH=response["ETag"], **options
        )
        result["if_none_match"] = [again.status_code, again.content.decode()]
    return result


def allowed_differences() -> str:
    return CHANGELOG.read_text(encoding="utf-8")


def _unlisted(differences: list[str]) -> list[str]:
    text = allowed_differences()
    return [line for line in differences if f"`{line}`" not in text]


def test_openapi_document_keeps_every_operation_parameter_and_field(client):
    document = client.get("/api/v1/openapi.json").json()
    if RECORD:
        HERE.mkdir(exist_ok=True)
        DOCUMENT.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    before = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert _unlisted(document_differences(before, document)) == []


def test_responses_on_fixed_data_are_unchanged(client, contract_data):
    current = {
        name: perform(client, request, options)
        for name, request, options in requests_to_check(contract_data)
    }
    current = json.loads(json.dumps(current, ensure_ascii=False))
    if RECORD:
        RESPONSES.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n")
    before = json.loads(RESPONSES.read_text(encoding="utf-8"))
    differences = []
    for name, old in before.items():
        new = current.get(name)
        for key in sorted(set(old) | set(new or {})):
            if (new or {}).get(key) != old.get(key):
                differences.append(f"{name}: {key}")
    detail = {
        d: (before[d.split(":")[0]], current.get(d.split(":")[0])) for d in _unlisted(differences)
    }
    assert _unlisted(differences) == [], json.dumps(detail, ensure_ascii=False)[:4000]


def test_the_comparison_sees_a_removed_field_and_a_changed_type():
    before = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    after = json.loads(json.dumps(before))
    schemas = after["components"]["schemas"]
    del schemas["Call"]["properties"]["titre"]
    schemas["Event"]["properties"]["episode"] = {"type": "string"}
    assert document_differences(before, after) == [
        "GET /api/v1/calls 200: champ results[].titre disparu",
        "GET /api/v1/events 200: champ results[].episode integer? → string",
    ]
