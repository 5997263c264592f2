"""An inline SVG chart of the ranking: one horizontal bar per unit, stacked by section + bonus.

Plain SVG with a `viewBox` and no script: it scales to the page width (a phone is ~390 px,
so the drawing is kept about that wide in user units and text stays legible), needs no
network, and prints as vectors.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape

from projections.reports.ranking import RankingRow, SectionHead, two_places

#: Okabe–Ito colours (distinguishable with common colour-vision deficiencies); the last is bonus.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442")
BONUS_COLOUR = "#D55E00"
WIDTH, LABEL_W, TOTAL_W = 380, 74, 48
ROW_H, BAR_H, TOP, AXIS_H = 26, 16, 6, 22


def label_width(names: Iterable[str]) -> int:
    """The room left of the bars for the units' names at the charts' 13 px (at least ``LABEL_W``): the longest name
    measured, a full-width character as about a square and any other as about half, so that a long name
    (连云港经济技术开发区) is shown whole instead of cut at the chart's edge."""
    def width(name: str) -> float:
        return sum(13 if unicodedata.east_asian_width(c) in "WF" else 7.5 for c in name)

    return max(LABEL_W, math.ceil(max(map(width, names), default=0)) + 8)


def series(heads: Sequence[SectionHead]) -> list[tuple[str, str]]:
    """(legend label, colour) for each section, then 加分."""
    colours = [c for c in PALETTE if c != BONUS_COLOUR]
    named = [(h.title, colours[n % len(colours)]) for n, h in enumerate(heads)]
    return [*named, ("加分", BONUS_COLOUR)]


def _ticks(top: Decimal) -> list[int]:
    step = 20 if top <= 120 else 50
    return list(range(0, int(top) + 1, step))


def render_bar_chart(rows: Sequence[RankingRow], heads: Sequence[SectionHead], full: Decimal = Decimal("100"),
                     title: str = "各单位总分构成（按部分分段，含加分）", ident: str = "chart-title") -> str:
    """The stacked bar chart as an `<svg>` element (rows in ranking order).

    The axis runs to `full` (the units' full marks) or the highest total, whichever is more;
    `ident` keeps the title's id unique when a page has one chart per unit class.
    """
    colours = series(heads)
    top = max([full, *(r.total for r in rows)])
    label_w = label_width(r.name for r in rows)
    span = WIDTH - LABEL_W - TOTAL_W  # the bars keep their length; a long name widens the drawing
    height = TOP + ROW_H * len(rows) + AXIS_H

    def x(value: Decimal) -> float:
        return label_w + float(value / top) * span

    parts = [f'<svg class="chart" viewBox="0 0 {label_w + span + TOTAL_W} {height}" role="img" '
             f'aria-labelledby="{escape(ident)}">',
             f'<title id="{escape(ident)}">{escape(title)}</title>']
    axis_y = TOP + ROW_H * len(rows)
    for tick in _ticks(top):
        tx = x(Decimal(tick))
        parts.append(f'<line class="grid" x1="{tx:.1f}" y1="{TOP}" x2="{tx:.1f}" y2="{axis_y}"/>'
                     f'<text class="tick" x="{tx:.1f}" y="{axis_y + 15}" text-anchor="middle">{tick}</text>')
    for n, row in enumerate(rows):
        y = TOP + n * ROW_H + (ROW_H - BAR_H) / 2
        parts.append(f'<text class="unit" x="{label_w - 6}" y="{y + BAR_H - 3:.1f}" '
                     f'text-anchor="end">{escape(row.name)}</text>')
        start = Decimal("0")
        # The sections without their bonus items, then the bonus: each point drawn once.
        for (label, colour), value in zip(colours, (*(row.bases or row.sections), row.bonus), strict=True):
            if value is None or value <= 0:  # None: a section that does not apply to the unit's class
                continue
            x0, x1 = x(start), x(start + value)
            parts.append(f'<rect x="{x0:.2f}" y="{y:.1f}" width="{x1 - x0:.2f}" height="{BAR_H}" '
                         f'fill="{colour}"><title>{escape(row.name)} · {escape(label)}：'
                         f'{two_places(value)}</title></rect>')
            start += value
        parts.append(f'<text class="total" x="{x(start) + 4:.1f}" y="{y + BAR_H - 3:.1f}">'
                     f'{two_places(row.total)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_legend(heads: Sequence[SectionHead], bonus: bool = True) -> str:
    """The chart's legend as an HTML list (it wraps on a narrow screen, unlike SVG text); `bonus`: with 加分."""
    shown = series(heads) if bonus else series(heads)[:-1]
    items = "".join(f'<li><span class="swatch" style="background:{colour}"></span>{escape(label)}</li>'
                    for label, colour in shown)
    return f'<ul class="legend">{items}</ul>'
