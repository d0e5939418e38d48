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
    elif kind == "datetime":
        schema = {"type": "string", "format": "date-time"}
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
                "API publique en lecture seule : annuaire des PTCE et appels publiés. "
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
            "schemas": {
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
            }
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
