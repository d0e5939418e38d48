"""Columns of the reviewer list: the default set that fits a 1 280 px screen, the others a
person may add (kept in their saved views as ``cols=``), and the sort of each column.

Sorts on figures read the ``visible_*`` annotations of ``reviews.views.filtered_files``, never
the raw figures: a file awaiting the reader's own evaluation sorts as unscored, so the order
tells nothing of the others' scores.
"""

from dataclasses import dataclass

from django.db.models import F


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    order: tuple  # ascending order expressions (the reference always breaks ties)
    default: bool = True
    numeric: bool = False


def _asc(name):
    return F(name).asc(nulls_last=True)


COLUMNS = (
    Column("reference", "Référence", ("reference",)),
    Column("pole", "Pôle", (_asc("pole_name"),)),
    Column("department", "Département", (_asc("review_summary__department__name"),)),
    Column("phase", "Phase", ("phase",)),
    Column("status", "État", ("status",)),
    Column("mean", "Note moy.", (_asc("visible_mean"),), numeric=True),
    Column(
        "reviews",
        "Évaluations",
        (F("review_summary__review_count").asc(nulls_first=True),),
        numeric=True,
    ),
    Column("opinion", "Avis régional", (_asc("regional_opinion__opinion"),)),
    Column("signals", "Signaux", ("visible_signals",)),
    Column("region", "Région", (_asc("region__name"),), default=False),
    Column("call", "Appel", ("call__title",), default=False),
    Column("round", "Relève", (_asc("round__name"),), default=False),
    Column("submitted_at", "Déposé le", (_asc("submitted_at"),), default=False),
    Column("lead", "Porteur", (_asc("lead_name"),), default=False),
    Column("std_dev", "Écart-type", (_asc("visible_std_dev"),), default=False, numeric=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_KEYS = tuple(column.key for column in COLUMNS if column.default)
OPTIONAL = tuple(column for column in COLUMNS if not column.default)


def parse(values) -> list[Column]:
    """The columns asked for by ``cols`` values (repeated or comma-separated); unknown names
    are ignored; none known → the default set. The reference always comes first."""
    asked = {
        name.strip() for value in values or () for name in (value or "").split(",") if name.strip()
    }
    known = asked & BY_KEY.keys()
    if not known:
        return [BY_KEY[key] for key in DEFAULT_KEYS]
    return [column for column in COLUMNS if column.key in known or column.key == "reference"]


def query_value(columns) -> str:
    """``cols`` as kept in a saved view ("" for the default set)."""
    keys = tuple(column.key for column in columns)
    return "" if keys == DEFAULT_KEYS else ",".join(keys)


def _reverse(expression):
    """Descending, files without a value still last."""
    if isinstance(expression, str):
        return F(expression).desc(nulls_last=True)
    return expression.expression.desc(nulls_last=True)


def sorts() -> dict[str, tuple[str, list]]:
    """Every column sortable both ways: ``key`` ascending, ``-key`` descending."""
    result = {}
    for column in COLUMNS:
        result[column.key] = (f"{column.label} (croissant)", [*column.order, "reference"])
        result[f"-{column.key}"] = (
            f"{column.label} (décroissant)",
            [*(_reverse(e) for e in column.order), "-reference"],
        )
    return result
