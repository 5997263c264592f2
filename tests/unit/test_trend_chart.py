"""The bulletin's trend chart: one point per month, drawn where its total says."""

from __future__ import annotations

import re

from projections.reports.trend_chart import render_trend_chart


def _points(svg: str) -> list[tuple[float, float, str]]:
    return [(float(x), float(y), month) for x, y, month in
            re.findall(r'<circle cx="([0-9.]+)" cy="([0-9.]+)" r="3" fill="[^"]+" data-month="([0-9-]+)"', svg)]


def test_a_higher_total_is_drawn_higher_and_months_run_left_to_right():
    svg = render_trend_chart("泰山区", [{"month": "2025-01", "total": "48.00", "rank": 1},
                                        {"month": "2025-02", "total": "47.40", "rank": 8},
                                        {"month": "2025-03", "total": "47.90", "rank": 2}], "t")
    (x1, y1, m1), (x2, y2, m2), (x3, y3, m3) = _points(svg)
    assert [m1, m2, m3] == ["2025-01", "2025-02", "2025-03"] and x1 < x2 < x3
    assert y1 < y3 < y2  # SVG's y grows downwards: 48.00 highest, 47.40 lowest
    assert "2025-02：47.40 分，第 8 名" in svg and "<polyline" in svg


def test_a_single_month_and_a_flat_year_still_draw_every_point():
    one = _points(render_trend_chart("岱岳区", [{"month": "2025-01", "total": "48.00", "rank": 1}], "t"))
    assert len(one) == 1
    flat = _points(render_trend_chart("岱岳区", [{"month": f"2025-{m:02d}", "total": "48.00", "rank": 1}
                                               for m in range(1, 13)], "t"))
    assert len(flat) == 12 and len({y for _, y, _ in flat}) == 1


def test_a_name_is_escaped():
    svg = render_trend_chart("<b>x</b>", [], "t")
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
