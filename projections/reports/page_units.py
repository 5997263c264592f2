"""The web page's per-unit drill-down: section → item → occurrences with evidence and history.

Every string from the ledger (names, evidence, notes, reasons, recorder) goes through
`html.escape`: evidence is typed by people and may contain anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from projections.reports.ranking import RankingRow, capped_text, points, two_places
from projections.reports.unit_detail import (
    ItemDetail,
    SectionDetail,
    event_points,
    history_line,
    local_time,
    recorder_text,
    screening_text,
    state_text,
    unit_sections,
    verdict_text,
)

Row = Mapping[str, Any]


def anchor(unit_code: str) -> str:
    """A safe fragment id for a unit (`unit-taishan`)."""
    return "unit-" + (re.sub(r"[^A-Za-z0-9_-]", "_", unit_code) or "x")


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _value(item: ItemDetail) -> str:
    if item.kind == "pool_member":
        return f"−{two_places(item.deducted)}" if item.deducted else "0.00"
    if item.kind == "bonus":
        return f"+{two_places(item.bonus)}"
    return f"{two_places(item.points) or '—'} / {two_places(item.max) or '—'}"


#: The record table's columns; the last two (who recorded, when) are left off on paper, where the id is
#: what a unit cites (the workbook and `trace` keep them).
RECORD_COLUMNS = ("编号", "日期", "次数", "分值", "状态", "证据", "备注", "记录人（认证身份）", "记录时间")


def _event(code: str, event: Row) -> str:
    """One record as a table row (its history and attachments in a row of their own below it)."""
    state = str(event.get("state") or "effective")
    amount = event_points(event)
    raw = "" if event.get("id") is None else str(event.get("id"))
    ident = _e(raw)
    # The record's id beside its evidence: what a unit cites to dispute it (the first 8 characters on
    # the page, a unique prefix the CLI accepts; the whole id in its title and the row's data-id).
    cells = [f'<td class="id"><span class="hash" title="{ident}">{_e(raw[:8])}</span></td>',
             f'<td>{_e(event.get("date"))}</td>', f'<td class="n">{_e(event.get("count"))}</td>',
             f'<td class="n">{_e(two_places(amount)) if amount is not None else ""}</td>',
             f'<td><span class="status state-{_e(state)}">{_e(state_text(event))}</span></td>',
             f'<td class="text">{_e(event.get("evidence"))}</td>', f'<td class="text">{_e(event.get("note"))}</td>',
             f'<td class="aside">{_e(recorder_text(event))}</td>',
             f'<td class="aside">{_e(local_time(event.get("recorded_at")))}</td>']
    row = f'<tr class="event" data-item="{_e(code)}" data-id="{ident}">{"".join(cells)}</tr>'
    more = [f'附件 {_e(a.get("name"))} <span class="hash">SHA-256 {_e(a.get("sha256"))}</span>'
            for a in event.get("attachments") or []]
    more += [_e(history_line(h)) for h in event.get("history") or []]
    if not more:
        return row
    lines = "".join(f"<li>{m}</li>" for m in more)
    return (f'{row}<tr class="event-more" data-id="{ident}"><td></td>'
            f'<td colspan="{len(RECORD_COLUMNS) - 1}"><ol class="history">{lines}</ol></td></tr>')


def _records(code: str, events: list[Row]) -> str:
    """An item's records as one compact table (a card per record would take a third of a page each)."""
    aside = ' class="aside"'
    head = "".join(f"<th{aside if n >= len(RECORD_COLUMNS) - 2 else ''}>{h}</th>" for n, h in enumerate(RECORD_COLUMNS))
    body = "".join(_event(code, e) for e in events)
    return (f'<div class="table-wrap records"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def _mini_table(headers: tuple[str, ...], rows: list[list[Any]], quiet: list[bool] | None = None) -> str:
    """A small table; rows marked in `quiet` carry class "fine" (left off on paper)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    marks = quiet or [False] * len(rows)
    body = "".join(("<tr class=\"fine\">" if fine else "<tr>") + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>"
                   for r, fine in zip(rows, marks, strict=True))
    return (f'<div class="table-wrap mini"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


#: Deadline verdicts that cost nothing: on paper only the other periods are listed.
FINE_VERDICTS = frozenset({"on_time", "not_yet_due"})


def _periods(item: ItemDetail) -> str:
    fine = [str(p.get("verdict")) in FINE_VERDICTS for p in item.periods]
    table = _mini_table(("期间", "截止日", "报送日", "结论", "原因"), [
        [p.get("period"), p.get("deadline"), p.get("submitted") or "未报送", verdict_text(p),
         p.get("reason")] for p in item.periods], fine)
    quiet = sum(fine)
    return table + (f'<p class="explain paper">另有 {quiet} 期按期报送或未到期，未列出。</p>' if quiet else "")


def _lost_points(item: ItemDetail) -> bool:
    """True when the item scored below its maximum (a pending item has lost nothing yet)."""
    return item.max is not None and item.points is not None and item.points < item.max


def _item(item: ItemDetail) -> str:
    # "已计分" is the normal case; only pending, pool and bonus items carry a badge.
    status = "" if item.kind == "scored" and item.status == "scored" else (
        f'<span class="status {_e(item.status)}">{_e(item.status_text)}</span>')
    row = (f'<span class="code">{_e(item.code)}</span><span class="name">{_e(item.name)}{status}</span>'
           f'<span class="num">{_value(item)}</span>')
    extra = [f'<p class="explain">{_e(t)}</p>' for t in (item.rate, item.explanation) if t]
    if item.periods:
        extra.append(_periods(item))
    if item.orders and _lost_points(item):
        extra.append(_mini_table(("工单编号", "原因", "甄别"), [
            [o.get("order_id"), o.get("reason"), screening_text(o)] for o in item.orders]))
    elif item.orders:
        # The rate reached its threshold: these orders cost nothing, so the page names only their number.
        extra.append(f'<p class="explain">{len(item.orders)} 件工单未达标，但比率已达要求，未扣分'
                     '（工单清单见 trace 或工作簿“影响比率的工单”表）。</p>')
    if item.events:
        extra.append(_records(item.code, list(item.events)))
    body = f'<div class="item-body">{"".join(extra)}</div>' if extra else ""
    # On paper an item that cost nothing is left off (its code is in the section's one line).
    quiet = ' class="full"' if _costs_nothing(item) else ""
    if not item.events and not item.periods and not (item.orders and _lost_points(item)):
        return f'<li{quiet}><div class="item-row">{row}</div>{body}</li>'
    return f'<li{quiet}><details class="item"><summary class="item-row">{row}</summary>{body}</details></li>'


def _costs_nothing(item: ItemDetail) -> bool:
    """An item with nothing to read on paper: full marks, or nothing deducted with no record behind it, and
    every deadline met (orders behind a rate that reached its threshold cost nothing either)."""
    if item.status == "pending" or any(str(p.get("verdict")) not in FINE_VERDICTS for p in item.periods):
        return False
    if item.kind == "scored" and item.max is not None and item.points == item.max:
        return True  # at full marks no record behind it cost anything (an assessment of full marks, say)
    return item.kind == "pool_member" and not item.deducted and not item.events


def _section(section: SectionDetail) -> str:
    # The section's points as the JSON has them (section 5 with its bonus inside).
    got = two_places(section.points if section.points is not None else section.base)
    bonus = section.points - section.base if section.points is not None else None
    plus = f"（其中加分 {two_places(bonus)}）" if bonus else ""
    # On paper the items that cost nothing collapse into one line naming them.
    full = [i.code for i in section.items if _costs_nothing(i)]
    collapsed = (f'<li class="full-list">满分或未扣分的项目（明细见网页展开或工作簿）：{_e("、".join(full))}</li>'
                 if full else "")
    items = "".join(_item(i) for i in section.items) + collapsed
    return (f'<details class="section"><summary><span class="grow">{_e(section.code)} {_e(section.name)}'
            f'{plus}</span><span class="num">{got} / {two_places(section.max) or "—"}</span></summary>'
            f'<ul class="items">{items}</ul></details>')


def render_unit(unit: Row, row: RankingRow, trace: Row | None) -> str:
    """One unit's `<details>` drill-down (closed; printing opens it)."""
    total, bonus = points(unit.get("total")), points(unit.get("bonus"))
    base = points(unit["base"]) if unit.get("base") else total - bonus
    change = ""
    if row.change is not None:
        change = f"；较上期 {two_places(row.change, signed=True)}"
    missing = "" if trace else '<p class="note">（无追溯数据：仅显示得分。）</p>'
    standing = [f"类别：{_e(row.class_name)}（类别内第 {_e(row.rank)} 名）"] if row.class_name else []
    standing += [f"等次：{_e(row.grade_text)}"] if row.grade else []
    standing += ['<span class="status pending">待定</span> 总分含尚不能计算的项目（按 0 分计）'] if row.pending else []
    about = f'<p class="note">{"；".join(standing)}</p>' if standing else ""
    sections = "".join(_section(s) for s in unit_sections(unit, trace))
    return (f'<details class="unit" id="{anchor(row.unit)}"><summary>'
            f'<span class="badge-rank">{_e(row.rank if row.rank is not None else "—")}</span>'
            f'<span class="grow">{_e(row.name)}</span>'
            f'<span class="num">{two_places(total)} 分</span></summary>'
            f'<p class="note">基础分 {two_places(base)} + 加分 {two_places(bonus)}{capped_text(unit)}{change}</p>'
            f'{about}{missing}{sections}</details>')
