"""One interface to the company register, whatever the source.

``lookup_siret``, ``lookup_siren`` and ``lookup_many`` return :class:`CompanyRecord`. The source
is the ``SIRENE_SOURCE`` setting:

- ``"local"``: the tables loaded by ``manage.py import_sirene``;
- ``"online"``: the API Recherche d'entreprises; the local table is used only when the API fails
  (timeout, 429, 5xx, malformed JSON);
- ``"online_then_local"``: the API, then the local table when the API fails *or* does not know
  the number.

A lookup made while a person waits (``interactive=True``: the application form, the auto-fill
endpoint) never blocks for long: the local table first, then the API with a short timeout
(``SIRENE_API_INTERACTIVE_TIMEOUT``, 0.15 s) and no retry; when the API is slow or down the number
is « à vérifier » and the periodic task checks it again in the background.

Nothing here raises to the caller: a number that no source knows comes back with the status
« à vérifier », is recorded in ``PendingVerification`` and re-checked by a periodic task; it never
blocks a candidate. Only a number whose checksum is wrong is refused (status « invalide »).
"""

import logging
from collections import namedtuple
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from registry.legal_categories import ESS_BY_STATUS, FAMILY_LABELS, Family, category
from registry.models import Establishment, LegalUnit, OnlineCacheEntry, PendingVerification
from registry.online import NOT_FOUND, OnlineClient, OnlineUnavailable, find_establishment
from registry.validators import clean_number, is_valid_siret, validate_siren, validate_siret

logger = logging.getLogger(__name__)

SOURCES = ("local", "online", "online_then_local")
ONLINE_PAUSED_KEY = "registry:online-paused"


class Status:
    FOUND = "found"
    TO_VERIFY = "to_verify"
    INVALID = "invalid"


STATUS_LABELS = {
    Status.FOUND: "trouvé dans le répertoire",
    Status.TO_VERIFY: "à vérifier",
    Status.INVALID: "numéro invalide",
}


@dataclass(slots=True)
class CompanyRecord:
    number: str
    status: str
    source: str = ""  # "local" | "online" | "" (nothing found)
    siren: str = ""
    siret: str = ""
    name: str = ""
    legal_category_code: str = ""
    legal_category_label: str = ""
    family: str = Family.UNKNOWN.value
    family_label: str = Family.UNKNOWN.label
    naf: str = ""
    is_ess: bool | None = None  # the register's flag (economieSocialeSolidaireUniteLegale)
    ess_by_status: bool = False  # association, cooperative, mutual, foundation (article 1)
    is_active: bool | None = None
    closed_since: date | None = None
    creation_date: date | None = None
    is_head_office: bool | None = None
    address: str = ""
    postal_code: str = ""
    city: str = ""
    commune_code: str = ""
    message: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def found(self) -> bool:
        return self.status == Status.FOUND

    @property
    def is_closed(self) -> bool:
        return self.is_active is False

    @property
    def full_address(self) -> str:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.address, town) if part)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("closed_since", "creation_date"):
            data[key] = data[key].isoformat() if data[key] else None
        data["status_label"] = self.status_label
        data["full_address"] = self.full_address
        data.pop("notes")
        return data


def _source() -> str:
    source = getattr(settings, "SIRENE_SOURCE", "local")
    return source if source in SOURCES else "local"


def _record(values: dict) -> CompanyRecord:
    """A record with its legal category's label and article 1 family filled in."""
    code = values.get("legal_category_code", "")
    legal = category(code)
    family = legal.family
    values["legal_category_label"] = legal.label if code else ""
    values["family"] = family.value
    values["family_label"] = FAMILY_LABELS[family]
    values["ess_by_status"] = family in ESS_BY_STATUS
    return CompanyRecord(**values)


def _date(value) -> date | None:
    if isinstance(value, date) or not value:
        return value or None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# --- local source ---------------------------------------------------------------------------


def _from_local(number: str, unit: LegalUnit | None, establishment: Establishment | None):
    if unit is None and establishment is None:
        return None
    values = {"number": number, "status": Status.FOUND, "source": "local"}
    if unit is not None:
        values.update(
            siren=unit.siren,
            name=unit.name,
            legal_category_code=unit.legal_category,
            naf=unit.naf,
            is_ess=unit.is_ess,
            is_active=unit.state == "A",
            closed_since=_date(unit.state_since) if unit.state != "A" else None,
            creation_date=_date(unit.creation_date),
        )
    if establishment is not None:
        values.update(
            siren=establishment.siren,
            siret=establishment.siret,
            name=values.get("name") or establishment.name,
            naf=establishment.naf or values.get("naf", ""),
            is_active=establishment.state == "A",
            closed_since=_date(establishment.state_since) if establishment.state != "A" else None,
            is_head_office=establishment.is_head_office,
            address=establishment.address,
            postal_code=establishment.postal_code,
            city=establishment.city,
            commune_code=establishment.commune_code,
        )
        if unit is None:
            values["notes"] = ["unité légale absente du répertoire local"]
    elif len(number) == 14:
        values["siret"] = number
        values["notes"] = ["établissement absent du répertoire local (adresse à compléter)"]
    return _record(values)


def _local_siret(siret: str) -> CompanyRecord | None:
    establishment = Establishment.objects.filter(siret=siret).first()
    unit = LegalUnit.objects.filter(siren=siret[:9]).first()
    return _from_local(siret, unit, establishment)


def _local_siren(siren: str) -> CompanyRecord | None:
    unit = LegalUnit.objects.filter(siren=siren).first()
    head_office = None
    if unit is not None:
        head_office = (
            Establishment.objects.filter(siren=siren, is_head_office=True)
            .order_by("-state")  # "F" (closed) after "A"
            .first()
        )
    record = _from_local(siren, unit, head_office)
    if record is not None and unit is not None:
        # a SIREN's state is the legal unit's, not its head office's
        record = replace(
            record,
            is_active=unit.state == "A",
            closed_since=unit.state_since if unit.state != "A" else None,
        )
    return record


# --- online source --------------------------------------------------------------------------


def _split_address(full: str, postal_code: str, city: str) -> str:
    tail = f" {postal_code} {city}".rstrip()
    if postal_code and full.upper().endswith(tail.upper()):
        return full[: -len(tail)].strip()
    return full.strip()


def _from_online(number: str, result: dict, establishment: dict | None) -> CompanyRecord:
    complements = result.get("complements") or {}
    values = {
        "number": number,
        "status": Status.FOUND,
        "source": "online",
        "siren": str(result.get("siren") or ""),
        "name": str(result.get("nom_complet") or result.get("nom_raison_sociale") or ""),
        "legal_category_code": str(result.get("nature_juridique") or ""),
        "naf": str(result.get("activite_principale") or ""),
        "is_ess": complements.get("est_ess") if "est_ess" in complements else None,
        "is_active": result.get("etat_administratif") == "A",
        "closed_since": _date(result.get("date_fermeture"))
        if result.get("etat_administratif") != "A"
        else None,
        "creation_date": _date(result.get("date_creation")),
    }
    if establishment is not None:
        postal_code = str(establishment.get("code_postal") or "")
        city = str(establishment.get("libelle_commune") or "")
        active = establishment.get("etat_administratif") == "A"
        values.update(
            siret=str(establishment.get("siret") or ""),
            naf=str(establishment.get("activite_principale") or values["naf"]),
            is_active=active,
            closed_since=None if active else _date(establishment.get("date_fermeture")),
            is_head_office=bool(establishment.get("est_siege")),
            address=_split_address(str(establishment.get("adresse") or ""), postal_code, city),
            postal_code=postal_code,
            city=city,
            commune_code=str(establishment.get("commune") or ""),
        )
    return _record(values)


def _online(number: str, *, interactive: bool = False) -> CompanyRecord | None:
    """Raises OnlineUnavailable when the API cannot answer."""
    client = (
        OnlineClient(timeout=getattr(settings, "SIRENE_API_INTERACTIVE_TIMEOUT", 0.15), retries=0)
        if interactive
        else OnlineClient()
    )
    if len(number) == 14:
        result = client.establishment(number)
        return (
            None
            if result is None
            else _from_online(number, result, find_establishment(result, number))
        )
    result = client.unit(number)
    if result is None:
        return None
    siege = result.get("siege") or None
    record = _from_online(number, result, siege)
    return replace(
        record,
        is_active=result.get("etat_administratif") == "A",
        closed_since=None
        if result.get("etat_administratif") == "A"
        else _date(result.get("date_fermeture")),
    )


# --- the interface --------------------------------------------------------------------------


def _to_verify(number: str, reason: str, record_pending: bool) -> CompanyRecord:
    if record_pending and len(number) == 14:
        item, created = PendingVerification.objects.get_or_create(
            siret=number, defaults={"reason": reason[:255]}
        )
        if not created and item.resolved_at is not None:  # known before, unknown again
            item.resolved_at = None
            item.resolved_source = ""
            item.save(update_fields=["resolved_at", "resolved_source"])
    return CompanyRecord(
        number=number,
        status=Status.TO_VERIFY,
        siren=number[:9],
        siret=number if len(number) == 14 else "",
        message=(
            "Numéro introuvable dans le répertoire des entreprises pour l’instant : il est "
            "accepté et sera vérifié plus tard."
        ),
        notes=[reason],
    )


def _lookup(number: str, local, record_pending: bool, interactive: bool = False) -> CompanyRecord:
    source = _source()
    notes = []
    if interactive and source != "local":
        # Someone is waiting: the local table answers at once when it knows the number.
        record = local(number)
        if record is not None:
            return record
    if source != "local" and cache.get(ONLINE_PAUSED_KEY):
        notes.append("API indisponible il y a peu : répertoire local utilisé")
        record = local(number)
    elif source != "local":
        try:
            record = _online(number, interactive=interactive)
        except OnlineUnavailable as error:
            notes.append(f"API indisponible ({error}) : répertoire local utilisé")
            logger.warning("Recherche de %s : API indisponible (%s), repli local", number, error)
            # degraded mode: the next lookups go straight to the local table for a while
            cache.set(ONLINE_PAUSED_KEY, True, getattr(settings, "SIRENE_API_PAUSE_SECONDS", 60))
            record = local(number)
        else:
            if record is None and source == "online_then_local":
                record = local(number)
    else:
        record = local(number)
    if record is None:
        return _to_verify(number, "; ".join(notes) or "inconnu du répertoire", record_pending)
    if notes:
        record = replace(record, notes=[*record.notes, *notes])
    return record


def lookup_siret(
    siret: str, *, record_pending: bool = True, interactive: bool = False
) -> CompanyRecord:
    siret = clean_number(siret)
    try:
        validate_siret(siret)
    except ValidationError as error:
        return CompanyRecord(number=siret, status=Status.INVALID, message=error.messages[0])
    return _lookup(siret, _local_siret, record_pending, interactive)


def lookup_siren(siren: str) -> CompanyRecord:
    siren = clean_number(siren)
    try:
        validate_siren(siren)
    except ValidationError as error:
        return CompanyRecord(number=siren, status=Status.INVALID, message=error.messages[0])
    return _lookup(siren, _local_siren, record_pending=False)


_ROW_TYPES: dict = {}


def _select_in(table: str, columns: list[str], key: str, values: list) -> tuple[str, list]:
    """``SELECT columns FROM table WHERE key IN values`` as (sql, params). On PostgreSQL one
    array parameter (``= ANY(%s)``): a thousand placeholders cost more to bind than to run."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        sql = f"SELECT {names} FROM {quote(table)} WHERE {quote(key)} = ANY(%s)"  # noqa: S608
        return sql, [list(values)]
    marks = ", ".join(["%s"] * len(values))
    sql = f"SELECT {names} FROM {quote(table)} WHERE {quote(key)} IN ({marks})"  # noqa: S608
    return sql, list(values)


def _rows(model, key: str, values) -> list:
    """Rows of a register table as light named tuples: one plain SQL query, no model instances
    (a thousand ORM objects would cost more than the query itself)."""
    values = list(values)
    if not values:
        return []
    columns = [f.column for f in model._meta.concrete_fields]
    if model not in _ROW_TYPES:
        _ROW_TYPES[model] = namedtuple(f"{model.__name__}Row", columns)
    row_type = _ROW_TYPES[model]
    with connection.cursor() as cursor:
        cursor.execute(*_select_in(model._meta.db_table, columns, key, values))
        return [row_type._make(row) for row in cursor.fetchall()]


def lookup_many(sirets, *, record_pending: bool = False) -> dict[str, CompanyRecord]:
    """Records for many SIRETs in a few queries (lists, exports, reviews).

    Uses the local table and the online cache (answers already fetched), never the network: a
    bulk call must stay fast and must not exhaust the API's rate limit. Keys are the cleaned
    SIRETs.
    """
    results: dict[str, CompanyRecord] = {}
    valid = []
    seen = set()
    for raw in sirets:
        siret = raw if len(raw) == 14 and raw.isdigit() else clean_number(raw)
        if siret in seen:
            continue
        seen.add(siret)
        if is_valid_siret(siret):
            valid.append(siret)
            continue
        try:
            validate_siret(siret)
        except ValidationError as error:
            results[siret] = CompanyRecord(siret, Status.INVALID, message=error.messages[0])
    if valid and _source() != "local":
        with connection.cursor() as cursor:
            sql, params = _select_in(
                OnlineCacheEntry._meta.db_table,
                ["key", "payload"],
                "key",
                [f"siret:{siret}" for siret in valid],
            )
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(f"{sql} AND expires_at > %s", [*params, now])
            rows = cursor.fetchall()
        payload_field = OnlineCacheEntry._meta.get_field("payload")
        entries = [
            (key, payload_field.from_db_value(payload, None, connection)) for key, payload in rows
        ]
        for key, payload in entries:
            siret = key.removeprefix("siret:")
            if payload != NOT_FOUND and find_establishment(payload, siret):
                results[siret] = _from_online(siret, payload, find_establishment(payload, siret))
    missing = [siret for siret in valid if siret not in results]
    if missing:
        establishments = {row.siret: row for row in _rows(Establishment, "siret", missing)}
        units = {row.siren: row for row in _rows(LegalUnit, "siren", {s[:9] for s in missing})}
        for siret in missing:
            record = _from_local(siret, units.get(siret[:9]), establishments.get(siret))
            results[siret] = record or _to_verify(siret, "inconnu du répertoire", False)
    if record_pending:
        unknown = [r.number for r in results.values() if r.status == Status.TO_VERIFY]
        already = set(
            PendingVerification.objects.filter(siret__in=unknown).values_list("siret", flat=True)
        )
        PendingVerification.objects.bulk_create(
            [
                PendingVerification(siret=s, reason="inconnu du répertoire")
                for s in unknown
                if s not in already
            ],
            ignore_conflicts=True,
        )
    return results


# --- what the application form needs --------------------------------------------------------


def suggested_category(record: CompanyRecord) -> str:
    """The article 9 member category the register suggests (the candidate may change it)."""
    from applications.choices import MemberCategory

    if record.status != Status.FOUND:
        return ""
    family = Family(record.family)
    if record.is_ess or family in ESS_BY_STATUS:
        return MemberCategory.ESS_ENTERPRISE.value
    if family == Family.LOCAL_AUTHORITY:
        return MemberCategory.LOCAL_AUTHORITY.value
    if record.legal_category_code in HIGHER_EDUCATION_CATEGORIES:
        return MemberCategory.HIGHER_EDUCATION.value
    if family in (Family.COMMERCIAL_COMPANY, Family.INDIVIDUAL_ENTREPRENEUR) or (
        record.legal_category_code[:1] == "6"
    ):
        return MemberCategory.OTHER_ENTERPRISE.value
    return MemberCategory.OTHER.value


# Établissements publics à caractère scientifique, culturel et professionnel (universities…).
HIGHER_EDUCATION_CATEGORIES = frozenset({"7383"})


def closed_message(record: CompanyRecord) -> str:
    if not record.is_closed:
        return ""
    since = f" depuis le {record.closed_since:%d/%m/%Y}" if record.closed_since else ""
    if len(record.number) == 14:
        return f"Cet établissement est fermé{since} : indiquez le SIRET d’un établissement actif."
    return f"Cette entreprise a cessé son activité{since}."


def form_check_siret(siret: str) -> tuple[bool, str, dict]:
    """What the application form calls on a SIRET field: (accepted?, message, data).

    Refused: a wrong checksum, a closed establishment. Accepted: a known active establishment,
    and a number no source knows yet (« à vérifier », re-checked later: never blocks a
    candidate). ``data`` is the record as a dict plus ``suggested_category``.
    """
    record = lookup_siret(siret, interactive=True)
    data = record.as_dict()
    data["suggested_category"] = suggested_category(record)
    if record.status == Status.INVALID:
        return False, record.message, data
    if record.is_closed:
        message = closed_message(record)
        data["message"] = message
        return False, message, data
    return True, record.message, data


def recheck_pending(limit: int = 200) -> dict[str, int]:
    """Look again at SIRETs « à vérifier », oldest check first; returns counts."""
    from core import audit

    now = timezone.now()
    pending = list(
        PendingVerification.objects.filter(resolved_at=None)
        .filter(Q(last_checked_at=None) | Q(last_checked_at__lt=now))
        .order_by("last_checked_at", "created_at")[:limit]
    )
    counts = {"checked": 0, "resolved": 0}
    for item in pending:
        record = lookup_siret(item.siret, record_pending=False)
        counts["checked"] += 1
        item.attempts += 1
        item.last_checked_at = timezone.now()
        if record.found:
            item.resolved_at = item.last_checked_at
            item.resolved_source = record.source
            counts["resolved"] += 1
            audit.record(
                "registry.siret_verified",
                obj=item,
                after={"source": record.source, "active": record.is_active},
            )
        item.save()
    return counts
