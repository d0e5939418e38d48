"""Placing the free-text localisations of historical PTCE lists on the official geography.

Real lists write « Romans-sur-Isère (agglomération de Romans) », « Toulouse (Toulouse
Métropole) », « Grand Calais », « Cœur de Savoie (communauté de communes) », « Montaigu » (a
commune déléguée since 2019), « Landes / Pyrénées-Atlantiques », « Dijon (quartier des
Grésilles) », « Pays d'Auge ». ``PlaceResolver.resolve`` splits such a text into parts (the text
in parentheses, then « / », « ; », « + », « , », « - » between spaces), tries each part and
says how each was found:

- an INSEE code (commune, département) or a SIREN (EPCI);
- « agglomération de X », « X (agglomération) », « X Métropole », « Eurométropole de X »,
  « Grand X » → the EPCI (by its official name, accent- and case-insensitive, CC/CA/CU/M
  abbreviations understood), or the EPCI of the commune X;
- « communauté de communes … », « CC … », « CA … » → the EPCI by its name;
- a commune name (current, or former/delegated/associated → the current commune), a
  département or a région name;
- what is not an administrative unit (quartier, pays, parc naturel régional, bassin…) is kept
  as text and flagged.

Hints (département, région given in other columns, or found in another part of the same text)
settle homonyms: « Montaigu » with « Vendée » is the delegated commune of Montaigu-Vendée.
One resolver loads the geography once (a few hundred ms) and resolves thousands of texts.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from territories.models import Commune, CommuneType, Department, Epci, Region
from territories.text import normalise

# Kinds of EPCI, as abbreviated in their official names and in people's lists.
EPCI_PREFIXES = {
    "cc": "communauté de communes",
    "ca": "communauté d’agglomération",
    "cu": "communauté urbaine",
    "m": "métropole",
}
_ARTICLES = r"(?:(?:de la|de l|des|du|de|d|la|le|les|l)\s+)?"
_EPCI_HEAD = re.compile(
    r"^(?:communaute de communes|communaute d agglomeration|communaute urbaine|cc|ca|cu|m)\s+"
    + _ARTICLES
)
_AGGLO_BEFORE = re.compile(
    r"^(?:agglomeration|agglo|eurometropole|metropole|metro)\s+" + _ARTICLES + r"(?P<x>.+)$"
)
_AGGLO_AFTER = re.compile(
    r"^(?P<x>.+?)\s+(?:agglomeration|agglo|metropole|eurometropole|communaute)$"
)
_AGGLO_ALONE = re.compile(
    r"^(?:l\s+)?(?:agglomeration|agglo|eurometropole|metropole|communaute d agglomeration"
    r"|communaute urbaine)(?:\s+" + _ARTICLES + r"(?P<x>.+))?$"
)
_GRAND = re.compile(r"^grand\s+(?P<x>.+)$")
_CC_ALONE = re.compile(r"^(?:communaute de communes|cc|intercommunalite|epci)$")
_NOT_ADMINISTRATIVE = re.compile(
    r"^(?P<what>quartiers?|pays|parc naturel regional|parc naturel|pnr|bassin|vallee|plateau"
    r"|massif|territoire|region naturelle|presqu ile|marais)\b\s*" + _ARTICLES + r"(?P<rest>.*)$"
)
_SPLIT = re.compile(r"\s*(?:/|;|\+|,|\s-\s|\s–\s)\s*")
_PAREN = re.compile(r"\(([^()]*)\)")
_LEADING_ARTICLE = re.compile(r"^(?:l|le|la|les)\s+")
_COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[ab]\d{3})$")


class _Commune(NamedTuple):
    pk: int
    code: str
    type: str
    name: str
    search_name: str
    department_id: str | None
    region_id: str | None
    epci_id: str | None
    parent_id: int | None
    population: int | None


@dataclass(frozen=True)
class PlaceMatch:
    """One part of the text and what it was matched to (``kind`` ``text``: kept as is)."""

    part: str
    kind: str  # commune, epci, department, region, text
    code: str
    label: str
    how: str

    def describe(self) -> str:
        if self.kind == "text":
            return self.how
        kinds = {
            "commune": "commune",
            "epci": "EPCI",
            "department": "département",
            "region": "région",
        }
        return f"« {self.part} » → {kinds[self.kind]} {self.label} ({self.how})"


@dataclass
class Placement:
    matches: list[PlaceMatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def codes(self, kind: str) -> list[str]:
        seen = []
        for match in self.matches:
            if match.kind == kind and match.code not in seen:
                seen.append(match.code)
        return seen

    @property
    def placed(self) -> bool:
        """At least one official unit: commune, EPCI, département, or a région (a pole of a
        whole région, « OCCITANIE »)."""
        return any(match.kind != "text" for match in self.matches)

    @property
    def kept_as_text(self) -> list[str]:
        return [match.part for match in self.matches if match.kind == "text"]


def split_parts(text: str) -> list[str]:
    """« Romans-sur-Isère (agglomération de Romans) » → ["Romans-sur-Isère", "agglomération de
    Romans"]; « Landes / Pyrénées-Atlantiques » → both; hyphens inside names are kept."""
    text = " ".join((text or "").split())
    inner = _PAREN.findall(text)
    outer = _PAREN.sub(" ", text).replace("(", " ").replace(")", " ")
    parts = []
    for chunk in [outer, *inner]:
        for part in _SPLIT.split(chunk):
            part = part.strip(" .:-–\"'«»")
            if part and part not in parts:
                parts.append(part)
    return parts


def _epci_keys(name: str) -> list[str]:
    """Keys of an official EPCI name: « CA Valence Romans Agglo » → « ca valence romans agglo »,
    « valence romans agglo », « valence romans »."""
    full = normalise(name)
    bare = _EPCI_HEAD.sub("", full)
    keys = [full, bare]
    trimmed = re.sub(r"\s+(?:agglo|agglomeration|metropole|communaute)$", "", bare)
    trimmed = re.sub(r"^(?:eurometropole|metropole)\s+" + _ARTICLES, "", trimmed)
    keys.append(trimmed)
    return list(dict.fromkeys(key for key in keys if key))


class PlaceResolver:
    """The official geography in memory, for many texts in a row."""

    def __init__(self):
        self.regions: dict[str, Region] = {}
        for region in Region.objects.filter(retired=False):
            self.regions[region.code] = region
            self.regions[normalise(region.name)] = region
        self.departments: dict[str, Department] = {}
        for department in Department.objects.filter(retired=False):
            self.departments[department.code.lower()] = department
            self.departments[normalise(department.name)] = department
            if department.code.isdigit() and len(department.code) == 2:
                self.departments[department.code.lstrip("0")] = department
        self._cache: dict[tuple, Placement] = {}
        self.epcis: dict[str, Epci] = {}
        self.epci_keys: dict[str, list[Epci]] = defaultdict(list)
        for epci in Epci.objects.filter(retired=False).order_by("code"):
            self.epcis[epci.code] = epci
            for key in _epci_keys(epci.name):
                self.epci_keys[key].append(epci)
        # Indexes built once, so no lookup scans every EPCI name: sorted keys for « a name that
        # starts so » (bisect), and the keys holding each word for « a name that contains ».
        self._sorted_epci_keys = sorted(self.epci_keys)
        self._epci_keys_by_word: dict[str, set[str]] = defaultdict(set)
        for key in self.epci_keys:
            for word in key.split():
                self._epci_keys_by_word[word].add(key)
        self.communes_by_code: dict[str, Commune] = {}
        self.communes_by_name: dict[str, list[Commune]] = defaultdict(list)
        self.other_by_name: dict[str, list[tuple[Commune, str]]] = defaultdict(list)
        self.bare_communes_by_name: dict[str, list[Commune]] = defaultdict(list)
        # Plain tuples, not model instances: 37 000 rows load several times faster.
        fields = (
            "pk",
            "code",
            "type",
            "name",
            "search_name",
            "department_id",
            "region_id",
            "epci_id",
            "parent_id",
            "population",
        )
        by_pk = {}
        others = []
        for values in (
            Commune.objects.filter(retired=False)
            .order_by("code", "type")
            .values_list(*fields)
            .iterator(chunk_size=5000)
        ):
            row = _Commune(*values)
            by_pk[row.pk] = row
            if row.type == CommuneType.CURRENT:
                self.communes_by_code[row.code] = row
                self.communes_by_name[row.search_name].append(row)
                bare = _LEADING_ARTICLE.sub("", row.search_name)
                if bare != row.search_name:
                    # « Ile-Saint-Denis » for « L'Île-Saint-Denis »
                    self.bare_communes_by_name[bare].append(row)
            else:
                others.append(row)
        labels = dict(CommuneType.choices)
        for row in others:
            parent = by_pk.get(row.parent_id)
            if parent is not None and parent.type == CommuneType.CURRENT:
                self.other_by_name[row.search_name].append((parent, str(labels[row.type])))

    # ------------------------------------------------------------------ lookups

    def region(self, text: str) -> Region | None:
        key = normalise(text)
        if key.isdigit():
            return self.regions.get(key.zfill(2))
        return self.regions.get(key) or self.regions.get(re.sub(r"^(la|le|les) ", "", key))

    def department(self, text: str) -> Department | None:
        key = normalise(text)
        compact = key.replace(" ", "")
        if compact in self.departments:
            return self.departments[compact]
        return self.departments.get(key) or self.departments.get(re.sub(r"^(la|le|les) ", "", key))

    @staticmethod
    def _narrow(communes, departments: list[str], region: str | None):
        if departments:
            narrowed = [c for c in communes if c.department_id in departments]
            if narrowed:
                return narrowed
            return []
        if region:
            return [c for c in communes if c.region_id == region]
        return communes

    def communes(self, key: str, departments: list[str], region: str | None):
        """Current communes named ``key`` (folded), then former/delegated ones → current."""
        found = self._narrow(self.communes_by_name.get(key, []), departments, region)
        if found:
            return found, "nom de commune"
        found = self._narrow(self.bare_communes_by_name.get(key, []), departments, region)
        if found:
            return found, "nom de commune sans son article"
        others = self.other_by_name.get(key, [])
        current = self._narrow([parent for parent, _ in others], departments, region)
        if current:
            kinds = {kind.lower() for parent, kind in others if parent in current}
            return current, f"{' ou '.join(sorted(kinds))} rattachée à la commune actuelle"
        return [], ""

    def epci_by_name(self, key: str, departments: list[str], region: str | None):
        candidates = list(self.epci_keys.get(key, []))
        if not candidates:
            # « grand calais » → « CA Grand Calais Terres et Mers »: a name that starts so.
            candidates = [
                epci for name in self._keys_starting(key + " ") for epci in self.epci_keys[name]
            ]
            candidates = list({epci.code: epci for epci in candidates}.values())
        if len(candidates) > 1 and (departments or region):
            narrowed = [epci for epci in candidates if self._epci_in(epci, departments, region)]
            candidates = narrowed or candidates
        return candidates

    def _keys_starting(self, prefix: str) -> list[str]:
        """EPCI keys starting with ``prefix``, in the order of ``epci_keys`` (bisect)."""
        keys = self._sorted_epci_keys
        found = []
        index = bisect_left(keys, prefix)
        while index < len(keys) and keys[index].startswith(prefix):
            found.append(keys[index])
            index += 1
        order = self._key_order()
        return sorted(found, key=order.__getitem__)

    def _key_order(self) -> dict[str, int]:
        if not hasattr(self, "_order"):
            self._order = {key: index for index, key in enumerate(self.epci_keys)}
        return self._order

    def _keys_containing(self, words: str) -> list[str]:
        """EPCI keys holding ``words`` as whole words, in the order of ``epci_keys``."""
        parts = words.split()
        if not parts:
            return []
        pattern = re.compile(rf"\b{re.escape(words)}\b")
        candidates = set.intersection(*(self._epci_keys_by_word.get(part, set()) for part in parts))
        order = self._key_order()
        return sorted((k for k in candidates if pattern.search(k)), key=order.__getitem__)

    def _epci_in(self, epci: Epci, departments: list[str], region: str | None) -> bool:
        communes = self._epci_communes().get(epci.code, ())
        if departments:
            return any(c.department_id in departments for c in communes)
        return any(c.region_id == region for c in communes)

    def _epci_communes(self):
        if not hasattr(self, "_by_epci"):
            self._by_epci = defaultdict(list)
            for commune in self.communes_by_code.values():
                if commune.epci_id:
                    self._by_epci[commune.epci_id].append(commune)
        return self._by_epci

    # ------------------------------------------------------------------ resolution

    def resolve(
        self, text: str, *, departments: list[str] | None = None, region: str | None = None
    ) -> Placement:
        """Every part of ``text`` matched (or kept as text), with how it was found."""
        key = (text, tuple(departments or ()), region)
        if key not in self._cache:
            self._cache[key] = self._resolve(text, departments=departments, region=region)
        cached = self._cache[key]
        return Placement(list(cached.matches), list(cached.notes))

    def _resolve(self, text, *, departments, region) -> Placement:
        placement = Placement()
        departments = list(departments or [])
        parts = split_parts(text)
        pending_epci_hint = None  # « (agglomération) », « (communauté de communes) » alone
        resolved_commune: Commune | None = None
        for part in parts:
            key = normalise(part)
            if _AGGLO_ALONE.match(key) and not _AGGLO_ALONE.match(key).group("x"):
                pending_epci_hint = "agglomeration"
                continue
            if _CC_ALONE.match(key):
                pending_epci_hint = "cc"
                continue
        for part in parts:
            key = normalise(part)
            if not key:
                continue
            alone = _AGGLO_ALONE.match(key)
            if (alone and not alone.group("x")) or _CC_ALONE.match(key):
                continue
            match = self._resolve_part(
                part, key, departments, region, resolved_commune, pending_epci_hint
            )
            if isinstance(match, str):  # ambiguity or failure: a note
                placement.notes.append(match)
                placement.matches.append(PlaceMatch(part, "text", "", part, match))
                continue
            placement.matches.append(match)
            if match.kind == "commune":
                resolved_commune = self.communes_by_code[match.code]
                if not departments and resolved_commune.department_id:
                    departments = [resolved_commune.department_id]
            elif match.kind == "department" and match.code not in departments:
                departments.append(match.code)
        # « Tours (agglomération) »: the commune's EPCI, once the commune is known.
        if pending_epci_hint and resolved_commune and resolved_commune.epci_id:
            epci = self.epcis.get(resolved_commune.epci_id)
            if epci and epci.code not in placement.codes("epci"):
                placement.matches.append(
                    PlaceMatch(
                        resolved_commune.name,
                        "epci",
                        epci.code,
                        epci.name,
                        f"intercommunalité de la commune de {resolved_commune.name}",
                    )
                )
        for match in placement.matches:
            if match.kind == "text" and not any(
                note.startswith(f"« {match.part} »") for note in placement.notes
            ):
                placement.notes.append(match.how)
        return placement

    def _resolve_part(self, part, key, departments, region, commune_context, epci_hint):
        # Codes.
        compact = key.replace(" ", "")
        if _COMMUNE_CODE.match(compact) and compact.upper() in self.communes_by_code:
            commune = self.communes_by_code[compact.upper()]
            return PlaceMatch(part, "commune", commune.code, commune.name, "code Insee")
        if compact.isdigit() and len(compact) == 9 and compact in self.epcis:
            epci = self.epcis[compact]
            return PlaceMatch(part, "epci", epci.code, epci.name, "SIREN de l’EPCI")
        # Agglomérations and métropoles.
        for pattern in (_AGGLO_BEFORE, _AGGLO_AFTER, _GRAND):
            found = pattern.match(key)
            if not found:
                continue
            target = found.group("x")
            if pattern is _GRAND:
                candidates = self.epci_by_name(key, departments, region)
                if len(candidates) == 1:
                    epci = candidates[0]
                    return PlaceMatch(part, "epci", epci.code, epci.name, "nom officiel de l’EPCI")
            whole = self.epci_by_name(key, departments, region)
            if len(whole) == 1:
                epci = whole[0]
                return PlaceMatch(part, "epci", epci.code, epci.name, "nom officiel de l’EPCI")
            epci = self._agglomeration_of(target, departments, region, commune_context)
            if epci is not None:
                return (
                    epci
                    if isinstance(epci, str)
                    else PlaceMatch(part, "epci", epci[0].code, epci[0].name, epci[1])
                )
        # Communautés de communes by their name.
        head = _EPCI_HEAD.match(key)
        if head:
            candidates = self.epci_by_name(_EPCI_HEAD.sub("", key), departments, region)
            if len(candidates) == 1:
                epci = candidates[0]
                return PlaceMatch(part, "epci", epci.code, epci.name, "nom officiel de l’EPCI")
            if len(candidates) > 1:
                return f"« {part} » : plusieurs EPCI de ce nom ({_names(candidates)})"
        if epci_hint == "cc":
            candidates = self.epci_by_name(key, departments, region)
            if len(candidates) == 1:
                epci = candidates[0]
                return PlaceMatch(part, "epci", epci.code, epci.name, "nom officiel de l’EPCI")
        # Not administrative units (quartier, pays, parc…): an EPCI of that exact name
        # (« Pays de Grasse »), else the commune or département it is named after (« Pays de
        # Saugues », « Parc naturel régional des Ardennes »), else kept as text.
        other = _NOT_ADMINISTRATIVE.match(key)
        if other:
            candidates = list(self.epci_keys.get(key, []))
            if len(candidates) == 1:
                epci = candidates[0]
                return PlaceMatch(part, "epci", epci.code, epci.name, "nom officiel de l’EPCI")
            rest = other.group("rest")
            if rest and not other.group("what").startswith("quartier"):
                after = f"d’après le nom « {part} », qui n’est pas une unité administrative"
                department = self.department(rest)
                if department is not None:
                    return PlaceMatch(part, "department", department.code, department.name, after)
                communes, _ = self.communes(rest, departments, region)
                if len(communes) == 1:
                    commune = communes[0]
                    return PlaceMatch(part, "commune", commune.code, commune.name, after)
            return (
                f"« {part} » : pas une unité administrative (quartier, pays, parc…), "
                "conservé comme texte"
            )
        # Communes, then départements, régions, EPCI. A département name wins over a commune
        # of another département (« Landes » is a département, not the commune of Charente-
        # Maritime), not over its own (« Paris »).
        communes, how = self.communes(key, departments, region)
        department = self.department(part)
        if department is not None and not any(c.department_id == department.code for c in communes):
            return PlaceMatch(
                part, "department", department.code, department.name, "nom de département"
            )
        if len(communes) == 1:
            commune = communes[0]
            return PlaceMatch(part, "commune", commune.code, commune.name, how)
        if len(communes) > 1:
            names = [f"{c.name} ({c.department_id})" for c in communes[:5]]
            if how == "nom de commune":
                names += [
                    f"{kind.lower()} de {parent.name} ({parent.department_id})"
                    for parent, kind in self.other_by_name.get(key, [])[:3]
                    if not departments or parent.department_id in departments
                ]
            return f"« {part} » : commune ambiguë ({', '.join(names)}) ; précisez le département"
        department = self.department(part)
        if department is not None:
            return PlaceMatch(
                part, "department", department.code, department.name, "nom de département"
            )
        found_region = self.region(part)
        if found_region is not None:
            return PlaceMatch(part, "region", found_region.code, found_region.name, "nom de région")
        candidates = self.epci_by_name(key, departments, region)
        if len(candidates) == 1:
            epci = candidates[0]
            return PlaceMatch(part, "epci", epci.code, epci.name, "nom officiel de l’EPCI")
        if len(candidates) > 1:
            return f"« {part} » : plusieurs EPCI de ce nom ({_names(candidates)})"
        return f"« {part} » : lieu non reconnu"

    def _agglomeration_of(self, target, departments, region, commune_context):
        """The EPCI of the agglomération of commune ``target`` (« agglomération de Romans »:
        the EPCI of Romans-sur-Isère given in the same text)."""
        if commune_context is not None and (
            commune_context.search_name == target
            or commune_context.search_name.startswith(target + " ")
        ):
            commune = commune_context
        else:
            communes, _ = self.communes(target, departments, region)
            if len(communes) != 1:
                candidates = [
                    epci
                    for name in self._keys_containing(target)
                    for epci in self.epci_keys[name]
                    if epci.kind != "CC"
                ]
                candidates = list({epci.code: epci for epci in candidates}.values())
                if len(candidates) > 1 and (departments or region):
                    candidates = [
                        e for e in candidates if self._epci_in(e, departments, region)
                    ] or candidates
                if len(candidates) == 1:
                    return candidates[0], "EPCI dont le nom contient « " + target + " »"
                return None
            commune = communes[0]
        epci = self.epcis.get(commune.epci_id or "")
        if epci is None:
            return None
        return epci, f"intercommunalité de la commune de {commune.name}"


def _names(epcis) -> str:
    return ", ".join(epci.name for epci in epcis[:4])
