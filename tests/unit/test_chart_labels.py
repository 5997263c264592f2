"""The ranking charts show every unit's name whole: a long name (another city's 连云港经济技术开发区) widens the
drawing instead of being cut at its left edge; Tai'an's three-character names keep the drawing as it was."""

from __future__ import annotations

import re
from decimal import Decimal

from projections.reports.bar_chart import label_width, render_bar_chart
from projections.reports.loss_chart import render_loss_chart
from projections.reports.ranking import RankingRow, SectionHead

HEADS = (SectionHead("1", "工单办理", Decimal("50")),)


def row(rank: int, name: str, points: str) -> RankingRow:
    value = Decimal(points)
    return RankingRow(rank=rank, unit=f"u{rank}", name=name, sections=(value,), bonus=Decimal("0"), total=value,
                      change=None, bases=(value,))


def name_x_and_width(svg: str) -> tuple[float, float]:
    """Where the names end (their right edge, text-anchor end) and the drawing's width."""
    (x,) = set(re.findall(r'<text class="unit" x="([\d.]+)"', svg))
    (width,) = re.findall(r'viewBox="0 0 ([\d.]+) ', svg)
    return float(x), float(width)


def test_a_long_name_gets_room_for_every_character_and_the_bars_keep_their_length() -> None:
    long_name = "连云港经济技术开发区"  # 10 full-width characters at 13 px: 130 user units
    for render in (render_bar_chart, render_loss_chart):
        x, width = name_x_and_width(render([row(1, "海州区", "46.56"), row(2, long_name, "43.70")], HEADS))
        assert x >= 130  # the name, right-aligned at x, starts at x − 130 ≥ 0: nothing cut
        assert width == 380 + (x + 6 - 74)  # the label column grew; the bars' span (380 − 74 − 48) is the same


def test_short_names_keep_the_drawing_as_it_was() -> None:
    for render in (render_bar_chart, render_loss_chart):
        x, width = name_x_and_width(render([row(1, "泰山区", "98.22"), row(2, "宁阳县", "88.59")], HEADS))
        assert (x, width) == (68, 380)


def test_label_width_counts_full_width_characters_as_squares_and_others_as_halves() -> None:
    assert label_width(["连云港经济技术开发区"]) == 138  # 10 × 13 + 8
    assert label_width(["Lianyungang ETDZ"]) == 128  # 16 × 7.5 = 120, + 8
    assert label_width(["泰山区"]) == 74  # never narrower than before
    assert label_width([]) == 74
