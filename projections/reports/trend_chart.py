"""An inline SVG line chart of one unit's month-end totals (the bulletin's trend, one per unit).

Plain SVG with a `viewBox` and no script, like bar_chart.py: it scales to its box, needs no
network and prints as vectors. Each month is one point (`<circle data-month="2025-03">`) with
its total as a tooltip and a label, so the numbers read without hovering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from projections.reports.ranking import decimal_or_none, two_places

WIDTH, HEIGHT = 300, 120
LEFT, RIGHT, TOP, BOTTOM = 30, 12, 16, 20
INSET = 14  # the first and last points stand clear of the axis labels
LINE_COLOUR = "#0072B2"


def _scale(totals: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """A y range around the totals, whole points, at least 2 points tall (a flat line sits mid-chart)."""
    low, high = min(totals), max(totals)
    low, high = Decimal(int(low)) - 1, Decimal(int(high)) + 1
    if high - low < 2:
        high = low + 2
    return low, high


def render_trend_chart(name: str, trend: Sequence[Mapping[str, Any]], ident: str) -> str:
    """One unit's trend (`trend` as in the bulletin document: `{month, total, rank}` per month) as `<svg>`."""
    points = [(str(p.get("month") or ""), decimal_or_none(p.get("total")), p.get("rank")) for p in trend]
    points = [(m, t, r) for m, t, r in points if t is not None]
    title = f"{name}：逐月总分走势"
    parts = [f'<svg class="chart trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{escape(ident)}">',
             f'<title id="{escape(ident)}">{escape(title)}</title>']
    if not points:
        parts.append("</svg>")
        return "".join(parts)
    low, high = _scale([t for _, t, _ in points])
    span_x = WIDTH - LEFT - RIGHT - 2 * INSET
    span_y = HEIGHT - TOP - BOTTOM
    step = span_x / max(len(points) - 1, 1)

    def y(total: Decimal) -> float:
        return TOP + float((high - total) / (high - low)) * span_y

    for value in (low, high):
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}"/>'
                     f'<text class="tick" x="{LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end">{value}</text>')
    xs = [LEFT + INSET + (n * step if len(points) > 1 else span_x / 2) for n in range(len(points))]
    path = " ".join(f"{x:.1f},{y(t):.1f}" for x, (_, t, _) in zip(xs, points, strict=True))
    parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>')
    for x, (month, total, rank) in zip(xs, points, strict=True):
        label = f"{month[-2:].lstrip('0')}月"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(total):.1f}" r="3" fill="{LINE_COLOUR}" data-month="{escape(month)}" '
            f'data-total="{two_places(total)}"><title>{escape(month)}：{two_places(total)} 分，'
            f'第 {escape(str(rank))} 名</title></circle>'
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 5}" text-anchor="middle">{label}</text>'
            f'<text class="point" x="{x:.1f}" y="{y(total) - 5:.1f}" text-anchor="middle">{two_places(total)}</text>')
    parts.append("</svg>")
    return "".join(parts)
