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


#: The same chart for phones: each label on its own line above its bar, so the picture needs
#: no shrinking to fit a 390 px screen and its words stay at least 12 px (issue 16).
NARROW_WIDTH = 340
NARROW_BAR_AREA = NARROW_WIDTH - 100
NARROW_ROW_HEIGHT = 56


@dataclass(frozen=True)
class NarrowBar:
    label: str
    value: Decimal | None
    width: int
    label_y: int
    y: int
    highlight: bool


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    height: int
    marker_x: int | None  # a reference line, such as the Real Living Wage
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH
    #: The same bars laid out for phones.
    narrow_bars: tuple[NarrowBar, ...] = ()
    narrow_height: int = 0
    narrow_marker_x: int | None = None
    narrow_width: int = NARROW_WIDTH


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
    narrow_scale = (Decimal(NARROW_BAR_AREA) / top) if top > 0 else ZERO
    narrow = tuple(
        NarrowBar(label=label, value=value, width=int((value or ZERO) * narrow_scale),
                  label_y=index * NARROW_ROW_HEIGHT + 18, y=index * NARROW_ROW_HEIGHT + 24, highlight=highlight)
        for index, (label, value, highlight) in enumerate(items)
    )
    narrow_marker = int(marker * narrow_scale) if marker is not None and narrow_scale else None
    return BarChart(bars=bars, height=len(bars) * ROW_HEIGHT + 30, marker_x=marker_x, narrow_bars=narrow,
                    narrow_height=len(narrow) * NARROW_ROW_HEIGHT + 30, narrow_marker_x=narrow_marker)
