"""`bulletin --format html`: the monthly bulletin (月度通报) as one self-contained page.

The month's ranking with each unit's change of total and rank since the previous month's end,
then one trend chart per unit (inline SVG). Like the score page: no network, every ledger
string escaped, the same stylesheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from projections.reports.bulletin_rows import BulletinRow, bulletin_facts, bulletin_rows, bulletin_title, by_class
from projections.reports.page_style import CSS
from projections.reports.ranking import section_heads, two_places
from projections.reports.trend_chart import render_trend_chart

TREND_CSS = """
.trends { display:grid; grid-template-columns:repeat(auto-fill, minmax(280px, 1fr)); gap:10px; }
.trends figure { break-inside:avoid; }
.trends figcaption { font-weight:600; font-size:.9rem; margin-bottom:2px; }
svg.trend .point { font-size:9px; fill:var(--muted); }
"""


def _signed(text: str) -> str:
    return text.replace("-", "−")


def _change(row: BulletinRow) -> str:
    if row.change is None:
        return '<td class="change">—</td><td class="change">—</td>'
    css = "up" if row.change > 0 else "down" if row.change < 0 else ""
    moved = row.rank_change or 0
    arrow = f"↑{moved}" if moved > 0 else f"↓{-moved}" if moved < 0 else "—"
    rank_css = "up" if moved > 0 else "down" if moved < 0 else ""
    return (f'<td class="change {css}">{_signed(two_places(row.change, signed=True))}</td>'
            f'<td class="change {rank_css}">{arrow}</td>')


def _table(doc: Mapping[str, Any], rows: list[BulletinRow]) -> str:
    heads = section_heads(doc)
    head = ['<th class="rank" scope="col">排名</th>', '<th class="unit" scope="col">单位</th>',
            '<th scope="col">总分</th>', '<th scope="col">较上月</th>', '<th scope="col">名次变化</th>',
            '<th scope="col">上月总分（名次）</th>']
    head += [f'<th scope="col">{escape(h.title)}</th>' for h in heads]
    head += ['<th scope="col">其中加分</th>']
    classes = by_class(rows)
    if classes:  # ranks start again at 1 in each class: say which
        head.insert(2, '<th class="class" scope="col">类别</th>')
    body = []
    for row in rows:
        before = "—" if row.previous_total is None else f"{two_places(row.previous_total)}（{row.previous_rank}）"
        cells = [f'<td class="rank">{escape(str(row.rank))}</td>',
                 f'<th class="unit" scope="row">{escape(row.name)}</th>',
                 f'<td class="total">{two_places(row.total)}</td>', _change(row), f"<td>{before}</td>"]
        cells += [f"<td>{two_places(p) if p is not None else '—'}</td>" for p in row.sections]
        cells += [f"<td>{two_places(row.bonus)}</td>"]
        if classes:
            cells.insert(2, f'<td class="class">{escape(row.class_name)}</td>')
        body.append(f'<tr data-unit="{escape(row.unit)}">' + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def render_bulletin_page(doc: Mapping[str, Any]) -> str:
    """The complete HTML5 document of the bulletin `doc` (projections/bulletin.py)."""
    rows = bulletin_rows(doc)
    title = escape(bulletin_title(doc))
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>"
                    for k, v in (f.split("：", 1) for f in bulletin_facts(doc)))
    trends = "".join(
        f'<figure class="card" data-unit="{escape(r.unit)}"><figcaption>{escape(r.name)}</figcaption>'
        f'{render_trend_chart(r.name, r.trend, f"trend-{n}")}</figure>'
        for n, r in enumerate(rows))
    ruleset = doc.get("ruleset") or {}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{title}</title>
<style>{CSS}{TREND_CSS}</style>
</head>
<body>
<div class="page">
<header>
<h1>{title}</h1>
<dl class="facts">{facts}</dl>
</header>
<main>
<section id="ranking" aria-labelledby="h-ranking">
<h2 id="h-ranking">本月排名</h2>
{_table(doc, rows)}
<p class="note">各部分得分与总分同 score --format json：第 5 部分含加分（“其中加分”为其中的加分，不另计入总分）；
较上月 = 本月末总分 − 上月末总分；名次变化 ↑ 为上升；总分相同者名次并列。</p>
</section>
<section id="trends" aria-labelledby="h-trends">
<h2 id="h-trends">逐月走势（各月末总分）</h2>
<div class="trends">{trends}</div>
</section>
</main>
<footer>评价细则 {escape(str(ruleset.get("id") or ""))} ·
SHA-256 {escape(str(ruleset.get("sha256") or ""))}</footer>
</div>
</body>
</html>
"""
