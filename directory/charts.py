"""Horizontal bar charts drawn as SVG on the server (no JavaScript): geometry computed here,
markup in ``directory/_bar_chart.html``. Each bar carries its value as text, so nothing is
conveyed by colour or length alone; every chart comes with a text summary and, on the page, a
data table with the same figures."""

from dataclasses import dataclass
from decimal import Decimal

from core.formatting import format_euros, format_number

WIDTH = 720
LABEL_WIDTH = 260
VALUE_WIDTH = 110
BAR_HEIGHT = 22
GAP = 8
TOP = 8
MAX_LABEL_CHARS = 38


@dataclass
class ChartBar:
    label: str
    short_label: str
    value_text: str
    y: float
    text_y: float
    width: float
    value_x: float


@dataclass
class BarChart:
    identifier: str
    title: str
    summary: str
    bars: list[ChartBar]
    width: int
    height: int
    bar_x: int
    bar_height: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def is_empty(self) -> bool:
        return not self.bars


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(
    identifier: str,
    title: str,
    items: list[tuple[str, float | int | Decimal, str]],
    *,
    summary: str = "",
) -> BarChart:
    """``items`` = (label, value, value as read by people). Bars scaled to the largest value
    (zero-length bars for zeros; negative values are not expected)."""
    largest = max((float(value) for _, value, _ in items), default=0.0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value, text) in enumerate(items):
        y = TOP + index * (BAR_HEIGHT + GAP)
        length = 0.0 if largest <= 0 else round(span * float(value) / largest, 1)
        bars.append(
            ChartBar(
                label=label,
                short_label=_shorten(label),
                value_text=text,
                y=y,
                text_y=y + BAR_HEIGHT * 0.7,
                width=length,
                value_x=LABEL_WIDTH + length + 6,
            )
        )
    height = TOP * 2 + len(items) * (BAR_HEIGHT + GAP)
    if not summary and items:
        top_label, _, top_text = max(items, key=lambda item: float(item[1]))
        summary = f"Valeur la plus élevée : {top_label} ({top_text})."
    return BarChart(
        identifier=identifier,
        title=title,
        summary=summary,
        bars=bars,
        width=WIDTH,
        height=max(height, 40),
        bar_x=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
    )


def euros(amount) -> str:
    """« 1 234 567 € », rounded to the euro (``core.formatting``)."""
    return format_euros(amount or 0, cents=False)


def number(value) -> str:
    return "—" if value is None else format_number(value)
