"""An inline SVG chart of where each unit lost its points: one horizontal bar per unit, stacked by section.

The composition chart (bar_chart.py) runs from 0 to full marks, so the few points that separate
the units are a sliver at its right end; this one draws only what each section fell short of its
maximum (its points without bonus), so the differences are what the reader sees. Plain SVG, no
script, no network, vectors on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from html import escape

from projections.reports.bar_chart import BAR_H, LABEL_W, ROW_H, TOP, TOTAL_W, WIDTH, label_width, series
from projections.reports.ranking import RankingRow, SectionHead, two_places

AXIS_H = 22


def points_lost(row: RankingRow, heads: Sequence[SectionHead]) -> list[Decimal | None]:
    """What each section fell short of its maximum (bonus not counted); None where it does not apply."""
    bases = row.bases or row.sections
    return [None if base is None or head.max is None else max(head.max - base, Decimal("0"))
            for head, base in zip(heads, bases, strict=True)]


def _step(top: Decimal) -> Decimal:
    for step in (Decimal("0.5"), Decimal("1"), Decimal("2"), Decimal("5"), Decimal("10")):
        if top / step <= 6:
            return step
    return Decimal("20")


def render_loss_chart(rows: Sequence[RankingRow], heads: Sequence[SectionHead],
                      title: str = "各单位失分（按部分分段）", ident: str = "loss-title") -> str:
    """The stacked bar chart of points lost as an `<svg>` element (rows in ranking order)."""
    colours = series(heads)[:-1]  # the sections' colours as in the composition chart; no bonus here
    lost = [points_lost(row, heads) for row in rows]
    totals = [sum((v for v in values if v is not None), Decimal("0")) for values in lost]
    step = _step(max(totals, default=Decimal("0")) or Decimal("1"))
    most = max(totals, default=step)
    top = max(step, (most / step).to_integral_value(rounding=ROUND_CEILING) * step)  # up to a whole step
    label_w = label_width(r.name for r in rows)
    span = WIDTH - LABEL_W - TOTAL_W  # as in the composition chart: a long name widens the drawing
    height = TOP + ROW_H * len(rows) + AXIS_H

    def x(value: Decimal) -> float:
        return label_w + float(value / top) * span

    parts = [f'<svg class="chart loss" viewBox="0 0 {label_w + span + TOTAL_W} {height}" role="img" '
             f'aria-labelledby="{escape(ident)}">',
             f'<title id="{escape(ident)}">{escape(title)}</title>']
    axis_y = TOP + ROW_H * len(rows)
    tick = Decimal("0")
    while tick <= top:
        tx = x(tick)
        label = f"{tick.normalize():f}"
        parts.append(f'<line class="grid" x1="{tx:.1f}" y1="{TOP}" x2="{tx:.1f}" y2="{axis_y}"/>'
                     f'<text class="tick" x="{tx:.1f}" y="{axis_y + 15}" text-anchor="middle">{label}</text>')
        tick += step
    for n, (row, values, total) in enumerate(zip(rows, lost, totals, strict=True)):
        y = TOP + n * ROW_H + (ROW_H - BAR_H) / 2
        parts.append(f'<text class="unit" x="{label_w - 6}" y="{y + BAR_H - 3:.1f}" '
                     f'text-anchor="end">{escape(row.name)}</text>')
        start = Decimal("0")
        for (label, colour), value in zip(colours, values, strict=True):
            if not value:
                continue
            x0, x1 = x(start), x(start + value)
            parts.append(f'<rect x="{x0:.2f}" y="{y:.1f}" width="{x1 - x0:.2f}" height="{BAR_H}" '
                         f'fill="{colour}"><title>{escape(row.name)} · {escape(label)}：失分 '
                         f'{two_places(value)}</title></rect>')
            start += value
        parts.append(f'<text class="total" x="{x(start) + 4:.1f}" y="{y + BAR_H - 3:.1f}">−{two_places(total)}</text>')
    parts.append("</svg>")
    return "".join(parts)
