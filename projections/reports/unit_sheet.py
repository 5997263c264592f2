"""The workbook's sheet for one unit: its items, then every occurrence behind its points.

Each record is named by its full id beside its evidence (a unit cites it to dispute it; the
CLI accepts the id or any unique prefix of it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.ranking import points, two_places, unit_is_pending
from projections.reports.sheet_layout import (
    SECTION_FILL,
    fit_columns,
    put,
    set_print,
    write_header,
    write_row,
    write_title,
)
from projections.reports.unit_detail import (
    attachment_lines,
    event_points,
    history_line,
    recorder_text,
    screening_text,
    state_text,
    unit_events,
    unit_sections,
    verdict_text,
)

ITEM_HEADERS = ("代码", "项目", "满分", "得分", "扣分", "其中加分", "状态", "计算说明")
EVENT_HEADERS = ("项目", "编号", "证据", "日期", "次数", "分值", "状态", "备注", "附件（SHA-256）",
                 "记录人（认证身份）", "记录时间", "申诉与更正记录")
PERIOD_HEADERS = ("项目", "期间", "截止日", "报送日", "结论", "原因")
ORDER_HEADERS = ("项目", "工单编号", "原因", "甄别")


def _caption(ws: Worksheet, row: int, text: str) -> int:
    put(ws, row, 1, text).font = Font(bold=True, size=12)
    return row + 1


def _write_items(ws: Worksheet, row: int, unit: Mapping[str, Any], trace: Mapping[str, Any] | None) -> int:
    for section in unit_sections(unit, trace):
        # The section's points as the JSON has them (bonus inside), its bonus beside as 其中加分.
        bonus = section.points - section.base if section.points is not None else None
        write_row(ws, row, [section.code, section.name, section.max,
                            section.points if section.points is not None else section.base, None,
                            bonus or None, "", ""], fill=SECTION_FILL, bold=True)
        row += 1
        for item in section.items:
            note = "；".join(t for t in (item.rate, item.explanation) if t)
            write_row(ws, row, [item.code, item.name, item.max, item.points, item.deducted, item.bonus,
                                item.status_text, note])
            row += 1
    return row


def _write_events(ws: Worksheet, row: int, trace: Mapping[str, Any] | None) -> int:
    events = unit_events(trace)
    row = _caption(ws, row, "扣分与加分记录")
    if not events:
        put(ws, row, 1, "（无记录）")
        return row + 1
    write_header(ws, row, EVENT_HEADERS)
    row += 1
    for code, event in events:
        count = event.get("count")
        write_row(ws, row, [
            code, event.get("id") or "", event.get("evidence") or "", event.get("date") or "",
            count if isinstance(count, int) else (count or ""),
            event_points(event),
            state_text(event), event.get("note") or "", "\n".join(attachment_lines(event)),
            recorder_text(event), event.get("recorded_at") or "",
            "\n".join(history_line(h) for h in event.get("history") or []),
        ])
        row += 1
    return row


def _write_table(ws: Worksheet, row: int, caption: str, headers: Sequence[str],
                 lines: Sequence[Sequence[Any]]) -> int:
    """A captioned table after one blank row; returns the next free row. Nothing when empty."""
    if not lines:
        return row
    row = _caption(ws, row + 1, caption)
    write_header(ws, row, headers)
    for offset, line in enumerate(lines, start=1):
        write_row(ws, row + offset, line)
    return row + len(lines) + 1


def _write_extras(ws: Worksheet, row: int, trace: Mapping[str, Any] | None) -> int:
    """Deadline periods and work orders that cost (or were screened out of) a rate, if any."""
    items = (trace or {}).get("items") or []
    periods = [[i.get("code"), p.get("period") or "", p.get("deadline") or "", p.get("submitted") or "未报送",
                verdict_text(p), p.get("reason") or ""]
               for i in items for p in i.get("periods") or []]
    orders = [[i.get("code"), o.get("order_id") or "", o.get("reason") or "", screening_text(o)]
              for i in items for o in i.get("orders") or []]
    row = _write_table(ws, row, "报送期限", PERIOD_HEADERS, periods)
    return _write_table(ws, row, "影响比率的工单", ORDER_HEADERS, orders)


def fill_unit_sheet(ws: Worksheet, scores: Mapping[str, Any], unit: Mapping[str, Any],
                    trace: Mapping[str, Any] | None, facts: Sequence[str]) -> None:
    """Write `unit`'s detail into `ws`: title, item table (frozen header), occurrences, extras."""
    name = unit.get("name") or unit.get("unit") or ""
    total, bonus = points(unit.get("total")), points(unit.get("bonus"))
    base = points(unit["base"]) if unit.get("base") else total - bonus
    standing = (f"排名：{unit.get('rank', '—')}　总分：{two_places(total)}"
                f"（基础分 {two_places(base)} + 加分 {two_places(bonus)}）")
    if unit.get("class"):
        standing = f"类别：{unit.get('class_name') or unit['class']}（类别内排名）　{standing}"
    if unit.get("grade"):
        veto = f"（一票否决：{unit['vetoed_by']}）" if unit.get("vetoed_by") else ""
        standing += f"　等次：{unit['grade']}{veto}"
    if unit_is_pending(unit):
        standing += "　待定：总分含尚不能计算的项目（按 0 分计）"
    row = write_title(ws, f"{scores.get('year', '')}年度 {name}（{unit.get('unit', '')}）评价明细",
                      [standing, *facts], len(ITEM_HEADERS))
    header_row = row
    write_header(ws, header_row, ITEM_HEADERS)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    row = _write_items(ws, header_row + 1, unit, trace)
    row = _write_events(ws, row + 1, trace)
    _write_extras(ws, row, trace)
    # Column 8 holds attachment hashes: wide enough for a whole SHA-256 on one line.
    fit_columns(ws, header_row, caps={EVENT_HEADERS.index("附件（SHA-256）") + 1: 66})
    set_print(ws, [header_row], landscape=True)
