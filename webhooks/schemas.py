"""Pydantic description of the webhook payloads (the bodies built by ``webhooks.triggers`` and
wrapped by ``webhooks.services.emit``), published in the ``webhooks`` section of the OpenAPI 3.1
document of /api/v1/ (``directory.openapi``). Tests validate real payloads against them
(``extra="forbid"``: a key added to a builder without its description fails)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionSession(_Closed):
    id: int
    title: str
    date: str = Field(json_schema_extra={"format": "date"})
    published_at: str = Field(json_schema_extra={"format": "date-time"})


class DecisionCall(_Closed):
    slug: str
    title: str


class DecisionPtce(_Closed):
    uuid: str = Field(json_schema_extra={"format": "uuid"})
    slug: str
    url: str = Field(json_schema_extra={"format": "uri"})


class Decision(_Closed):
    application_reference: str | None
    pole_name: str | None = Field(description="Lauréats seulement (minimisation des données).")
    phase: str
    region: str
    decision: str = Field(description="accepted, rejected, waiting_list…")
    decision_label: str
    amount: str | None = Field(description="Montant en euros (texte décimal).")
    ptce: DecisionPtce | None


class DecisionPublishedData(_Closed):
    session: DecisionSession
    call: DecisionCall
    decisions: list[Decision]
    changed_fields: list[str] | None = Field(
        None, description="Clés modifiées depuis l’envoi précédent sur le même sujet."
    )


class PtceChangedData(_Closed):
    """Un PTCE créé ou modifié ; supprimé : ``deleted`` vrai avec uuid, slug, nom seulement."""

    uuid: str = Field(json_schema_extra={"format": "uuid"})
    slug: str
    name: str
    deleted: bool | None = None
    url: str | None = Field(None, json_schema_extra={"format": "uri"})
    status: str | None = None
    status_label: str | None = None
    status_changed_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    lead_organisation_name: str | None = None
    region: str | None = None
    department: str | None = None
    population_covered: int | None = None
    themes: list[str] | None = None
    labels: list[str] | None = None
    contact_email: str | None = None
    website: str | None = None
    changed_fields: list[str] | None = Field(
        None, description="Clés modifiées depuis l’envoi précédent sur le même sujet."
    )


class _Envelope(_Closed):
    id: str = Field(description="Identifiant de l’événement (UUID), le même à chaque tentative.")
    created_at: str = Field(json_schema_extra={"format": "date-time"})


class DecisionPublished(_Envelope):
    """Publication d’une séance du comité de sélection."""

    type: Literal["decision.published"]
    data: DecisionPublishedData


class PtceChanged(_Envelope):
    """Création, modification ou suppression d’un PTCE de l’annuaire."""

    type: Literal["ptce.changed"]
    data: PtceChangedData


PAYLOADS: dict[str, type[BaseModel]] = {
    "decision.published": DecisionPublished,
    "ptce.changed": PtceChanged,
}
