"""Pydantic schemas of /api/v1/ (the generated OpenAPI document describes them). PTCE and public
awards are built from their open-data Table Schemas (``directory/schemas/*.json``): one source
for the files and the API."""

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from directory.api_http import page_schema
from directory.exports import load_schema, ptce_schema

_FORMATS = {"uuid", "email", "uri"}


def _field(spec: dict):
    """(annotation, Field) of one Table Schema field; nullable unless required."""
    kind = spec["type"]
    constraints = spec.get("constraints", {})
    extra: dict = {}
    bounds = {}
    if kind in {"integer", "number"}:
        annotation = int if kind == "integer" else float
        if "minimum" in constraints:
            bounds["ge"] = constraints["minimum"]
        if "maximum" in constraints:
            bounds["le"] = constraints["maximum"]
    elif kind in {"datetime", "date"}:
        annotation = str
        extra["format"] = "date-time" if kind == "datetime" else "date"
    else:
        annotation = str
        if spec.get("format") in _FORMATS:
            extra["format"] = spec["format"]
        if "enum" in constraints:
            extra["enum"] = constraints["enum"]
    required = constraints.get("required", False)
    if not required:
        annotation = annotation | None
    description = spec.get("description") or spec.get("title")
    return (
        annotation,
        Field(description=description, json_schema_extra=extra or None, **bounds),
    )


class _Closed(Schema):
    model_config = ConfigDict(extra="forbid")


Ptce = create_model(
    "Ptce",
    __base__=_Closed,
    __doc__="Un PTCE ; mêmes colonnes que le fichier ouvert (schéma Table Schema).",
    **{spec["name"]: _field(spec) for spec in ptce_schema()["fields"]},
)
Award = create_model(
    "Award",
    __base__=_Closed,
    __doc__="Une décision de soutien en vigueur ; mêmes colonnes que le fichier ouvert "
    "« laureats » (schéma Table Schema).",
    **{spec["name"]: _field(spec) for spec in load_schema("awards")["fields"]},
)


class PublicMember(Schema):
    nom: str
    categorie: str


class StatusHistory(Schema):
    date: str = Field(json_schema_extra={"format": "date-time"})
    de: str | None
    vers: str
    motif: str


class PtceDetail(Ptce):
    """Fiche d’un PTCE, avec ses membres ayant accepté d’être publiés et l’historique de son
    statut."""

    membres_publics: list[PublicMember]
    historique_statut: list[StatusHistory]


class CallRound(Schema):
    nom: str
    date_limite: str = Field(json_schema_extra={"format": "date-time"})
    phase: str


class Call(_Closed):
    slug: str
    titre: str
    instrument: Literal["ami", "aap"]
    annee: int
    resume: str
    permanent: bool
    ouverture: str | None = Field(json_schema_extra={"format": "date-time"})
    cloture: str | None = Field(json_schema_extra={"format": "date-time"})
    enveloppe: str = Field(description="Montant en euros.")
    montant_min: str | None
    montant_max: str | None
    phases: list[str]
    territoires_prioritaires: list[str]
    releves: list[CallRound]


class Event(_Closed):
    slug: str
    titre: str
    titre_complet: str
    type: Literal["round_table", "webinar", "national_day", "workshop"]
    format: Literal["online", "on_site", "hybrid"]
    statut: Literal["published", "cancelled"]
    debut: str = Field(json_schema_extra={"format": "date-time"})
    fin: str = Field(json_schema_extra={"format": "date-time"})
    saison: str | None
    episode: int | None
    lieu: str | None
    adresse: str | None
    commune_code: str | None
    commune_nom: str | None
    appel_slug: str | None
    places: int | None = Field(ge=1)
    inscriptions_ouvertes: bool
    replay: str | None = Field(json_schema_extra={"format": "uri"})
    url: str = Field(json_schema_extra={"format": "uri"})


class StaffAward(_Closed):
    id: int
    etat: Literal["granted", "cancelled"]
    appel_slug: str
    phase: Literal["emergence", "funding"]
    montant: float | None = Field(ge=0)
    date_decision: str = Field(json_schema_extra={"format": "date-time"})
    dossier_reference: str | None
    dossier_statut: str
    structure_porteuse: str
    siret_structure_porteuse: str | None
    contact_courriel: str | None
    region_code: str | None
    ptce_id: str | None = Field(json_schema_extra={"format": "uuid"})
    ptce_nom: str | None


PtcePage = page_schema("PtcePage", Ptce)
AwardPage = page_schema("AwardPage", Award)
CallPage = page_schema("CallPage", Call)
EventPage = page_schema("EventPage", Event)
StaffAwardPage = page_schema("StaffAwardPage", StaffAward)
