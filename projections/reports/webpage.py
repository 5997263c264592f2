"""`score --format html`: one self-contained page for leaders and units, on a phone or on paper.

No network access is needed or made: the stylesheet, the SVG chart and a four-line print
helper are inline, and the page names no external URL. Every ledger string is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from projections.reports.bar_chart import render_bar_chart, render_legend
from projections.reports.page_style import CSS, PRINT_SCRIPT
from projections.reports.page_units import anchor, render_unit
from projections.reports.ranking import (
    RankingRow,
    SectionHead,
    heading_facts,
    ranked_units,
    ranking_rows,
    section_heads,
    two_places,
)


def _facts(scores: Mapping[str, Any], compare: Mapping[str, Any] | None) -> str:
    pairs = [fact.split("：", 1) for fact in heading_facts(scores, compare)]
    return '<dl class="facts">' + "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs) + "</dl>"


def _change_cell(row: RankingRow) -> str:
    if row.change is None:
        return '<td class="change">—</td>'
    css = "up" if row.change > 0 else "down" if row.change < 0 else ""
    return f'<td class="change {css}">{two_places(row.change, signed=True).replace("-", "−")}</td>'


def _ranking_table(rows: Sequence[RankingRow], heads: Sequence[SectionHead], compare: bool) -> str:
    head = ['<th class="rank" scope="col">排名</th>', '<th class="unit" scope="col">单位</th>',
            '<th scope="col">总分</th>']
    head += ['<th scope="col">较上期</th>'] if compare else []
    head += [f'<th scope="col">{escape(h.title)}</th>' for h in heads]
    head += ['<th scope="col">加分</th>']
    body = []
    for row in rows:
        cells = [f'<td class="rank">{escape(str(row.rank if row.rank is not None else "—"))}</td>',
                 f'<th class="unit" scope="row"><a href="#{anchor(row.unit)}">{escape(row.name)}</a></th>',
                 f'<td class="total">{two_places(row.total)}</td>']
        cells += [_change_cell(row)] if compare else []
        cells += [f"<td>{two_places(p)}</td>" for p in row.sections]
        cells += [f"<td>{two_places(row.bonus)}</td>"]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def render_page(scores: Mapping[str, Any], traces: Mapping[str, Mapping[str, Any]],
                compare: Mapping[str, Any] | None = None) -> str:
    """The complete HTML5 document for `scores`.

    `traces` maps unit code → the unit's `trace --format json` dict (used for the drill-down;
    a unit without one shows its points only). `compare`, the score dict at an earlier date,
    adds the change of each unit's total since then.
    """
    rows = ranking_rows(scores, compare)
    heads = section_heads(scores)
    year = escape(str(scores.get("year", "")))
    title = f"{year}年度 12345热线办理工作年终评价"
    units = ranked_units(scores)
    drill = "".join(render_unit(unit, row, traces.get(row.unit))
                    for unit, row in zip(units, rows, strict=True))
    ruleset = scores.get("ruleset") or {}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<div class="page">
<header>
<h1>{title}</h1>
{_facts(scores, compare)}
</header>
<main>
<section id="chart" aria-labelledby="h-chart">
<h2 id="h-chart">总分构成</h2>
<figure class="card">{render_bar_chart(rows, heads)}
<figcaption>{render_legend(heads)}</figcaption></figure>
</section>
<section id="ranking" aria-labelledby="h-ranking">
<h2 id="h-ranking">排名</h2>
{_ranking_table(rows, heads, compare is not None)}
<p class="note">各部分得分不含加分，各部分得分与加分之和为总分；总分相同者名次并列。</p>
</section>
<section id="units" aria-labelledby="h-units">
<h2 id="h-units">各单位明细</h2>
<p class="note">点击单位展开：部分 → 项目 → 扣分与加分记录（证据、附件哈希、记录人、申诉经过）。
打印时全部展开。</p>
{drill}
</section>
</main>
<footer>评价细则 {escape(str(ruleset.get("id") or ""))} ·
SHA-256 {escape(str(ruleset.get("sha256") or ""))}</footer>
</div>
<script>{PRINT_SCRIPT}</script>
</body>
</html>
"""
