"""`score --format html`: one self-contained page for leaders and units, on a phone or on paper.

No network access is needed or made: the stylesheet, the SVG chart and a four-line print
helper are inline, and the page names no external URL. Every ledger string is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from projections.reports.bar_chart import render_bar_chart, render_legend
from projections.reports.loss_chart import render_loss_chart
from projections.reports.page_style import CSS, PRINT_SCRIPT
from projections.reports.page_units import anchor, render_unit
from projections.reports.ranking import (
    RankingRow,
    SectionHead,
    class_groups,
    heading_facts,
    pending_note,
    points,
    ranked_units,
    ranking_columns,
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


def _previous_cell(row: RankingRow) -> str:
    if row.previous_total is None:
        return '<td class="previous">—</td>'
    return f'<td class="previous">{two_places(row.previous_total)}（{escape(str(row.previous_rank))}）</td>'


def _total_cell(row: RankingRow) -> str:
    mark = ' <span class="status pending" title="含尚不能计算的项目">待定</span>' if row.pending else ""
    return f'<td class="total">{two_places(row.total)}{mark}</td>'


def _ranking_table(rows: Sequence[RankingRow], heads: Sequence[SectionHead], compare: bool,
                   grades: bool = False) -> str:
    head = ['<th class="rank" scope="col">排名</th>', '<th class="unit" scope="col">单位</th>',
            '<th scope="col">总分</th>']
    head += ['<th scope="col">等次</th>'] if grades else []
    head += ['<th scope="col">上期总分（排名）</th>', '<th scope="col">较上期</th>'] if compare else []
    head += [f'<th scope="col">{escape(h.title)}</th>' for h in heads]
    head += ['<th scope="col">其中加分</th>']
    body = []
    for row in rows:
        cells = [f'<td class="rank">{escape(str(row.rank if row.rank is not None else "—"))}</td>',
                 f'<th class="unit" scope="row"><a href="#{anchor(row.unit)}">{escape(row.name)}</a></th>',
                 _total_cell(row)]
        cells += [f'<td class="grade">{escape(row.grade_text)}</td>'] if grades else []
        cells += [_previous_cell(row), _change_cell(row)] if compare else []
        cells += [f"<td>{two_places(p) if p is not None else '—'}</td>" for p in row.sections]
        cells += [f"<td>{two_places(row.bonus)}</td>"]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _full_marks(units: Sequence[Mapping[str, Any]]) -> Decimal:
    """The most points a unit of the group can reach without bonus: the sum of its sections' maxima."""
    sums = [sum((points(sec.get("max")) for sec in u.get("sections") or []), Decimal("0")) for u in units]
    return max(sums, default=Decimal("100")) or Decimal("100")


def _chart_and_ranking(scores: Mapping[str, Any], rows: Sequence[RankingRow], heads: Sequence[SectionHead],
                       compare: bool) -> tuple[str, str, str]:
    """The charts and ranking table(s): one of each per unit class (ranks are per class)."""
    grades = ranking_columns(scores).has_grade
    by_code = {str(u.get("unit") or ""): u for u in scores.get("units") or []}
    charts, losses, tables = [], [], []
    for n, (name, group) in enumerate(class_groups(rows)):
        full = _full_marks([by_code[r.unit] for r in group if r.unit in by_code])
        caption = f'<h3 class="class-name">{escape(name)}</h3>' if name else ""
        title = f"{name}：各单位总分构成（按部分分段，含加分）" if name else "各单位总分构成（按部分分段，含加分）"
        ident = "chart-title" if n == 0 else f"chart-title-{n}"
        charts.append(f"{caption}{render_bar_chart(group, heads, full, title, ident)}")
        lost = f"{name}：各单位失分（按部分分段，不计加分）" if name else "各单位失分（按部分分段，不计加分）"
        losses.append(f"{caption}{render_loss_chart(group, heads, lost, ident.replace('chart', 'loss'))}")
        tables.append(f"{caption}{_ranking_table(group, heads, compare, grades)}")
    return "".join(charts), "".join(losses), "".join(tables)


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
    charts, losses, tables = _chart_and_ranking(scores, rows, heads, compare is not None)
    note = _notes(scores, rows)
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
{_main(heads, charts, losses, tables, note, drill)}
<footer>评价细则 {escape(str(ruleset.get("id") or ""))} ·
SHA-256 {escape(str(ruleset.get("sha256") or ""))}</footer>
</div>
<script>{PRINT_SCRIPT}</script>
</body>
</html>
"""


def _notes(scores: Mapping[str, Any], rows: Any) -> str:
    """The notes under the ranking: how the total adds up, ranks per class, and the pending units."""
    notes = ["各部分得分之和为总分（第 5 部分含加分，“其中加分”为总分中的加分，不另计入）；总分相同者名次并列。"]
    notes += ["各类别分别排名。"] if ranking_columns(scores).has_class else []
    notes += [escape(n) for n in (pending_note(rows),) if n]
    return "".join(f'<p class="note">{n}</p>' for n in notes)


def _main(heads: Any, charts: str, losses: str, tables: str, note: str, drill: str) -> str:
    """The page's ``<main>``: the charts, the ranking and each unit's drill-down."""
    return f"""<main>
<section id="chart" aria-labelledby="h-chart">
<h2 id="h-chart">总分构成</h2>
<figure class="card">{charts}
<figcaption>{render_legend(heads)}</figcaption></figure>
</section>
<section id="loss" aria-labelledby="h-loss">
<h2 id="h-loss">失分分布</h2>
<figure class="card">{losses}
<figcaption>{render_legend(heads, bonus=False)}<p class="note">各部分满分减去得分（不计加分）：哪一部分丢分最多。</p>
</figcaption></figure>
</section>
<section id="ranking" aria-labelledby="h-ranking">
<h2 id="h-ranking">排名</h2>
{tables}
{note}
</section>
<section id="units" aria-labelledby="h-units">
<h2 id="h-units">各单位明细</h2>
<p class="note">点击单位展开：部分 → 项目 → 扣分与加分记录（证据、附件哈希、记录人、申诉经过）。
打印时全部展开。</p>
{drill}
</section>
</main>"""
