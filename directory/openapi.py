"""The OpenAPI 3 document of the public API (/api/v1/openapi.json).

Other apps contribute their own operations without editing this file: in their AppConfig.ready,

    from directory.openapi import register
    register(lambda: {"paths": {"/api/v1/eligibility": {...}}, "components": {"schemas": {...}}})

Contributions are merged when the document is built (paths and component schemas must not clash:
a clash raises at build time, so a test catches it).
"""

from collections.abc import Callable

from directory.exports import ptce_schema

API_VERSION = "1.0.0"
_contributions: list[Callable[[], dict]] = []


def register(contribution: Callable[[], dict]) -> None:
    if contribution not in _contributions:
        _contributions.append(contribution)


def _field_schema(field: dict) -> dict:
    """OpenAPI schema of one Table Schema field (nullable unless required)."""
    kind = field["type"]
    if kind == "integer":
        schema = {"type": "integer"}
        constraints = field.get("constraints", {})
        if "minimum" in constraints:
            schema["minimum"] = constraints["minimum"]
        if "maximum" in constraints:
            schema["maximum"] = constraints["maximum"]
    elif kind == "number":
        schema = {"type": "number"}
        constraints = field.get("constraints", {})
        if "minimum" in constraints:
            schema["minimum"] = constraints["minimum"]
        if "maximum" in constraints:
            schema["maximum"] = constraints["maximum"]
    elif kind == "datetime":
        schema = {"type": "string", "format": "date-time"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string"}
        if field.get("format") in {"uuid", "email", "uri"}:
            schema["format"] = field["format"]
        if "enum" in field.get("constraints", {}):
            schema["enum"] = field["constraints"]["enum"]
    if field.get("description") or field.get("title"):
        schema["description"] = field.get("description") or field["title"]
    if not field.get("constraints", {}).get("required"):
        schema["nullable"] = True
    return schema


def _table_schema_object(name: str, description: str) -> dict:
    from directory.exports import load_schema

    fields = load_schema(name)["fields"]
    return {
        "type": "object",
        "description": description,
        "required": [f["name"] for f in fields],
        "properties": {f["name"]: _field_schema(f) for f in fields},
        "additionalProperties": False,
    }


def _ptce_summary_schema() -> dict:
    fields = ptce_schema()["fields"]
    return {
        "type": "object",
        "description": "Un PTCE ; mêmes colonnes que le fichier ouvert (schéma Table Schema).",
        "required": [f["name"] for f in fields],
        "properties": {f["name"]: _field_schema(f) for f in fields},
        "additionalProperties": False,
    }


def _page_schema(item_ref: str) -> dict:
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results", "warnings"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
            "results": {"type": "array", "items": {"$ref": item_ref}},
            "warnings": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Filtres ignorés (valeur inconnue) et autres avertissements.",
            },
        },
        "additionalProperties": False,
    }


def _query(name, description, schema=None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


PAGINATION_PARAMETERS = [
    _query("page", "Numéro de page (à partir de 1).", {"type": "integer", "minimum": 1}),
    _query(
        "page_size",
        "Taille de page (1 à 100, 20 par défaut).",
        {"type": "integer", "minimum": 1, "maximum": 100},
    ),
]
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETag d’une réponse précédente : 304 si rien n’a changé.",
    "schema": {"type": "string"},
}
COMMON_RESPONSES = {
    "304": {"description": "Non modifié depuis l’ETag fourni."},
    "429": {
        "description": "Trop de requêtes : réessayez après le délai de l’en-tête Retry-After.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "headers": {"ETag": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": ref}}},
    }


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


AWARD_FILTERS = [
    _query("call", "Adresse courte de l’appel (ex. ami-ptce-2026)."),
    _query("phase", "Phase : emergence, funding."),
    _query("region", "Code INSEE de la région d’instruction (ex. 84)."),
    _query("year", "Année de l’appel.", {"type": "integer"}),
]
EVENT_KINDS = ["round_table", "webinar", "national_day", "workshop"]


def _nullable(kind: str, **extra) -> dict:
    return {"type": kind, "nullable": True, **extra}


EVENT_SCHEMA = {
    "type": "object",
    "required": [
        "slug",
        "titre",
        "titre_complet",
        "type",
        "format",
        "statut",
        "debut",
        "fin",
        "saison",
        "episode",
        "lieu",
        "adresse",
        "commune_code",
        "commune_nom",
        "appel_slug",
        "places",
        "inscriptions_ouvertes",
        "replay",
        "url",
    ],
    "properties": {
        "slug": {"type": "string"},
        "titre": {"type": "string"},
        "titre_complet": {"type": "string"},
        "type": {"type": "string", "enum": EVENT_KINDS},
        "format": {"type": "string", "enum": ["online", "on_site", "hybrid"]},
        "statut": {"type": "string", "enum": ["published", "cancelled"]},
        "debut": {"type": "string", "format": "date-time"},
        "fin": {"type": "string", "format": "date-time"},
        "saison": _nullable("string"),
        "episode": _nullable("integer"),
        "lieu": _nullable("string"),
        "adresse": _nullable("string"),
        "commune_code": _nullable("string"),
        "commune_nom": _nullable("string"),
        "appel_slug": _nullable("string"),
        "places": _nullable("integer", minimum=1),
        "inscriptions_ouvertes": {"type": "boolean"},
        "replay": _nullable("string", format="uri"),
        "url": {"type": "string", "format": "uri"},
    },
    "additionalProperties": False,
}
STAFF_AWARD_SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "etat",
        "appel_slug",
        "phase",
        "montant",
        "date_decision",
        "dossier_reference",
        "dossier_statut",
        "structure_porteuse",
        "siret_structure_porteuse",
        "contact_courriel",
        "region_code",
        "ptce_id",
        "ptce_nom",
    ],
    "properties": {
        "id": {"type": "integer"},
        "etat": {"type": "string", "enum": ["granted", "cancelled"]},
        "appel_slug": {"type": "string"},
        "phase": {"type": "string", "enum": ["emergence", "funding"]},
        "montant": _nullable("number", minimum=0),
        "date_decision": {"type": "string", "format": "date-time"},
        "dossier_reference": _nullable("string"),
        "dossier_statut": {"type": "string"},
        "structure_porteuse": {"type": "string"},
        "siret_structure_porteuse": _nullable("string"),
        "contact_courriel": _nullable("string"),
        "region_code": _nullable("string"),
        "ptce_id": _nullable("string", format="uuid"),
        "ptce_nom": _nullable("string"),
    },
    "additionalProperties": False,
}


def _base_document() -> dict:
    from laureates.models import PtceStatus, Theme

    ptce_filters = [
        _query("q", "Recherche plein texte (insensible aux accents et à la casse)."),
        _query("region", "Code INSEE de la région (ex. 84)."),
        _query("department", "Code INSEE du département (ex. 69, 2A, 974)."),
        _query("theme", "Thématique : " + ", ".join(Theme.values) + "."),
        _query("status", "Statut : " + ", ".join(PtceStatus.values) + "."),
        _query("year", "Année d’un label (ex. 2021).", {"type": "integer"}),
        _query("priority", "Territoire prioritaire : overseas (rural et qpv : non renseignés)."),
    ]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "API de la Plateforme PTCE",
            "version": API_VERSION,
            "description": (
                "API en lecture seule : annuaire des PTCE, appels publiés, décisions de soutien "
                "et événements (publics, sans authentification) ; ressources réservées aux "
                "agents sous /api/v1/staff/ avec un jeton (en-tête Authorization: Bearer). "
                "Données sous Licence Ouverte 2.0. Pagination par `page`/`page_size`, filtres "
                "identiques à ceux de l’annuaire (une valeur inconnue est ignorée et signalée "
                "dans `warnings`), ETag et If-None-Match, limite de requêtes par adresse IP "
                "(réponse 429)."
            ),
            "license": {
                "name": "Licence Ouverte 2.0",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            },
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "PTCE", "description": "Annuaire des pôles"},
            {"name": "Appels", "description": "Appels à candidatures publiés"},
            {"name": "Lauréats", "description": "Décisions de soutien publiées"},
            {"name": "Événements", "description": "Animation du réseau"},
            {
                "name": "Agents",
                "description": "Ressources réservées aux agents du programme (jeton d’API).",
            },
        ],
        "paths": {
            "/api/v1/ptce": {
                "get": {
                    "operationId": "listPtce",
                    "tags": ["PTCE"],
                    "summary": "Liste des PTCE",
                    "description": "PTCE de l’annuaire, filtrés et paginés.",
                    "parameters": [*ptce_filters, *PAGINATION_PARAMETERS, IF_NONE_MATCH],
                    "responses": {
                        "200": _json("#/components/schemas/PtcePage", "Une page de PTCE."),
                        **COMMON_RESPONSES,
                    },
                }
            },
            "/api/v1/ptce/{id}": {
                "get": {
                    "operationId": "getPtce",
                    "tags": ["PTCE"],
                    "summary": "Un PTCE",
                    "description": "Fiche d’un PTCE, avec ses membres ayant accepté d’être "
                    "publiés et l’historique de son statut.",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": "Identifiant (UUID) ou adresse courte du PTCE.",
                            "schema": {"type": "string"},
                        },
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/PtceDetail", "Le PTCE."),
                        "404": {
                            "description": "PTCE introuvable.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                        **COMMON_RESPONSES,
                    },
                }
            },
            "/api/v1/awards": {
                "get": {
                    "operationId": "listAwards",
                    "tags": ["Lauréats"],
                    "summary": "Décisions de soutien",
                    "description": "Labels de phase 1 et soutiens de phase 2 en vigueur, du plus "
                    "récent au plus ancien (les décisions annulées n’y figurent pas).",
                    "parameters": [*AWARD_FILTERS, *PAGINATION_PARAMETERS, IF_NONE_MATCH],
                    "responses": {
                        "200": _json("#/components/schemas/AwardPage", "Une page de décisions."),
                        **COMMON_RESPONSES,
                    },
                }
            },
            "/api/v1/events": {
                "get": {
                    "operationId": "listEvents",
                    "tags": ["Événements"],
                    "summary": "Événements",
                    "description": "Événements publics de l’animation du réseau (publiés ou "
                    "annulés), sans les liens de connexion.",
                    "parameters": [
                        _query(
                            "period",
                            "upcoming : à venir (ordre chronologique) ; past : passés.",
                            {"type": "string"},
                        ),
                        _query("kind", "Type : " + ", ".join(EVENT_KINDS) + "."),
                        _query("format", "Format : online, on_site, hybrid."),
                        *PAGINATION_PARAMETERS,
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/EventPage", "Une page d’événements."),
                        **COMMON_RESPONSES,
                    },
                }
            },
            "/api/v1/staff/awards": {
                "get": {
                    "operationId": "listStaffAwards",
                    "tags": ["Agents"],
                    "summary": "Décisions de soutien (agents)",
                    "description": "Toutes les décisions (annulées comprises) des dossiers que "
                    "le titulaire du jeton peut voir (cellule nationale : tous ; agents "
                    "régionaux : leur région ; jamais un dossier en conflit d’intérêts), avec "
                    "les champs non publics du dossier.",
                    "security": [{"jetonAgent": []}],
                    "parameters": [
                        *AWARD_FILTERS,
                        _query("status", "État : granted, cancelled."),
                        *PAGINATION_PARAMETERS,
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": _json(
                            "#/components/schemas/StaffAwardPage", "Une page de décisions."
                        ),
                        "401": _error_response("Jeton absent, invalide, expiré ou révoqué."),
                        "403": _error_response("Le titulaire du jeton n’est plus agent."),
                        **COMMON_RESPONSES,
                    },
                }
            },
            "/api/v1/calls": {
                "get": {
                    "operationId": "listCalls",
                    "tags": ["Appels"],
                    "summary": "Appels publiés",
                    "description": "Appels à candidatures publiés, du plus récent au plus ancien.",
                    "parameters": [*PAGINATION_PARAMETERS, IF_NONE_MATCH],
                    "responses": {
                        "200": _json("#/components/schemas/CallPage", "Une page d’appels."),
                        **COMMON_RESPONSES,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "jetonAgent": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton d’API d’un agent du programme (« ptce_… »), délivré "
                    "par la cellule nationale (`manage.py issue_api_token`).",
                }
            },
            "schemas": {
                "Award": _table_schema_object(
                    "awards",
                    "Une décision de soutien en vigueur ; mêmes colonnes que le fichier ouvert "
                    "« laureats » (schéma Table Schema).",
                ),
                "AwardPage": _page_schema("#/components/schemas/Award"),
                "Event": EVENT_SCHEMA,
                "EventPage": _page_schema("#/components/schemas/Event"),
                "StaffAward": STAFF_AWARD_SCHEMA,
                "StaffAwardPage": _page_schema("#/components/schemas/StaffAward"),
                "Error": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": {"type": "string"}},
                },
                "Ptce": _ptce_summary_schema(),
                "PtceDetail": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Ptce"},
                        {
                            "type": "object",
                            "required": ["membres_publics", "historique_statut"],
                            "properties": {
                                "membres_publics": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["nom", "categorie"],
                                        "properties": {
                                            "nom": {"type": "string"},
                                            "categorie": {"type": "string"},
                                        },
                                    },
                                },
                                "historique_statut": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["date", "de", "vers", "motif"],
                                        "properties": {
                                            "date": {"type": "string", "format": "date-time"},
                                            "de": {"type": "string", "nullable": True},
                                            "vers": {"type": "string"},
                                            "motif": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    ]
                },
                "PtcePage": _page_schema("#/components/schemas/Ptce"),
                "Call": {
                    "type": "object",
                    "required": [
                        "slug",
                        "titre",
                        "instrument",
                        "annee",
                        "resume",
                        "permanent",
                        "ouverture",
                        "cloture",
                        "enveloppe",
                        "montant_min",
                        "montant_max",
                        "phases",
                        "territoires_prioritaires",
                        "releves",
                    ],
                    "properties": {
                        "slug": {"type": "string"},
                        "titre": {"type": "string"},
                        "instrument": {"type": "string", "enum": ["ami", "aap"]},
                        "annee": {"type": "integer"},
                        "resume": {"type": "string"},
                        "permanent": {"type": "boolean"},
                        "ouverture": {"type": "string", "format": "date-time", "nullable": True},
                        "cloture": {"type": "string", "format": "date-time", "nullable": True},
                        "enveloppe": {"type": "string", "description": "Montant en euros."},
                        "montant_min": {"type": "string", "nullable": True},
                        "montant_max": {"type": "string", "nullable": True},
                        "phases": {"type": "array", "items": {"type": "string"}},
                        "territoires_prioritaires": {"type": "array", "items": {"type": "string"}},
                        "releves": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["nom", "date_limite", "phase"],
                                "properties": {
                                    "nom": {"type": "string"},
                                    "date_limite": {"type": "string", "format": "date-time"},
                                    "phase": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                "CallPage": _page_schema("#/components/schemas/Call"),
            },
        },
    }


def build_document() -> dict:
    document = _base_document()
    for contribution in _contributions:
        part = contribution()
        for path, operations in part.get("paths", {}).items():
            if path in document["paths"]:
                raise ValueError(f"Chemin OpenAPI déclaré deux fois : {path}")
            document["paths"][path] = operations
        for name, schema in part.get("components", {}).get("schemas", {}).items():
            if name in document["components"]["schemas"]:
                raise ValueError(f"Schéma OpenAPI déclaré deux fois : {name}")
            document["components"]["schemas"][name] = schema
        document["tags"].extend(
            tag
            for tag in part.get("tags", [])
            if tag["name"] not in {t["name"] for t in document["tags"]}
        )
    return document
