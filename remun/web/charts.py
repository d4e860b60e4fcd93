"""Geometry for the simple bar charts: bars sized in Python so templates stay plain SVG."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from remun.money import ZERO

CHART_WIDTH = 640
LABEL_WIDTH = 280  # room for 30 characters of a role title at 16px
BAR_AREA = CHART_WIDTH - LABEL_WIDTH - 90  # room on the right for the value
ROW_HEIGHT = 40
BAR_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    width: int
    y: int
    highlight: bool  # the comparator, drawn in a second colour and named in its label


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    height: int
    marker_x: int | None  # a reference line, such as the Real Living Wage
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH


def bar_chart(items: list[tuple[str, Decimal | None, bool]], marker: Decimal | None = None) -> BarChart:
    """Bars for (label, value, highlight) items, scaled to the largest value or marker."""
    values = [value for _, value, _ in items if value is not None]
    if marker is not None:
        values.append(marker)
    top = max(values, default=ZERO)
    scale = (Decimal(BAR_AREA) / top) if top > 0 else ZERO
    bars = tuple(
        Bar(
            label=label,
            value=value,
            width=int((value or ZERO) * scale),
            y=index * ROW_HEIGHT + 10,
            highlight=highlight,
        )
        for index, (label, value, highlight) in enumerate(items)
    )
    marker_x = LABEL_WIDTH + int(marker * scale) if marker is not None and scale else None
    return BarChart(bars=bars, height=len(bars) * ROW_HEIGHT + 30, marker_x=marker_x)
