"""Finishing touches to the OpenAPI document that django-ninja generates from the operations of
``directory/api.py`` and ``calls/api.py``: the tags' descriptions and the ``webhooks`` section
(OpenAPI 3.1), generated from the pydantic descriptions of the payloads (``webhooks.schemas``)."""

from pydantic.json_schema import models_json_schema

TAGS = [
    {"name": "PTCE", "description": "Annuaire des pôles"},
    {"name": "Appels", "description": "Appels à candidatures publiés"},
    {"name": "Lauréats", "description": "Décisions de soutien publiées"},
    {"name": "Événements", "description": "Animation du réseau"},
    {
        "name": "Agents",
        "description": "Ressources réservées aux agents du programme (jeton d’API).",
    },
    {"name": "Éligibilité", "description": "Simulateur d’éligibilité (rien n’est conservé)."},
]
WEBHOOK_HEADERS = {
    "webhook-id": "Identifiant du message (msg_<id de l’événement>), le même à chaque tentative.",
    "webhook-timestamp": "Horodatage Unix de la tentative.",
    "webhook-signature": "v1,<HMAC-SHA256 en base64> (Standard Webhooks, docs/webhooks.md).",
}


def _webhooks(document: dict) -> dict:
    from webhooks.schemas import PAYLOADS

    _, definitions = models_json_schema(
        [(model, "serialization") for model in PAYLOADS.values()],
        ref_template="#/components/schemas/{model}",
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in definitions.get("$defs", {}).items():
        if name in schemas:
            raise ValueError(f"Schéma OpenAPI déclaré deux fois : {name}")
        schemas[name] = schema
    result = {}
    for event, model in PAYLOADS.items():
        result[event] = {
            "post": {
                "operationId": "webhook_" + event.replace(".", "_"),
                "summary": (model.__doc__ or event).strip(),
                "description": "Envoyé en POST JSON à chaque point de réception abonné, signé "
                "selon Standard Webhooks (docs/webhooks.md).",
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": description,
                        "schema": {"type": "string"},
                    }
                    for name, description in WEBHOOK_HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                        }
                    },
                },
                "responses": {"2XX": {"description": "Reçu (toute autre réponse : nouvel essai)."}},
            }
        }
    return result


def finish_document(document: dict) -> dict:
    document["tags"] = TAGS
    document["webhooks"] = _webhooks(document)
    return document
