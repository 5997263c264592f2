"""The workbook's record sheets: every unit's occurrences and assessments, deadline periods and the
work orders that cost a rate, one table per sheet with a 单位 column.

One table per sheet so that each prints with its own header repeated on every page (a sheet has
one set of print titles); the 单位 column and the filter let a unit keep only its own rows. Each
record is named by its full id beside its evidence (a unit cites it to dispute it; the CLI
accepts the id or any unique prefix of it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.sheet_layout import fit_columns, put, set_print, write_header, write_row, write_title
from projections.reports.unit_detail import (
    attachment_lines,
    event_points,
    history_line,
    local_time,
    recorder_text,
    screening_text,
    state_text,
    unit_events,
    verdict_text,
)

Row = Mapping[str, Any]
EVENTS_SHEET, PERIODS_SHEET, ORDERS_SHEET = "扣分与加分记录", "报送期限", "影响比率的工单"
EVENT_HEADERS = ("单位", "项目", "编号", "证据", "日期", "次数", "分值", "状态", "备注", "附件（SHA-256）",
                 "记录人（认证身份）", "记录时间", "申诉与更正记录")
#: Widest each event column may be (a UUID wraps at its hyphens, a SHA-256 over three lines):
#: together at most MAX_PRINT_UNITS, so the sheet prints at ≥ 9 pt.
EVENT_CAPS = (11, 9, 20, 18, 12, 6, 7, 10, 13, 22, 14, 16, 24)
PERIOD_HEADERS = ("单位", "项目", "期间", "截止日", "报送日", "结论", "原因")
ORDER_HEADERS = ("单位", "项目", "工单编号", "原因", "甄别")


def _event_lines(name: str, trace: Row | None) -> list[list[Any]]:
    lines = []
    for code, event in unit_events(trace):
        count = event.get("count")
        lines.append([
            name, code, event.get("id") or "", event.get("evidence") or "", event.get("date") or "",
            count if isinstance(count, int) else (count or ""), event_points(event), state_text(event),
            event.get("note") or "", "\n".join(attachment_lines(event)), recorder_text(event),
            local_time(event.get("recorded_at")), "\n".join(history_line(h) for h in event.get("history") or []),
        ])
    return lines


def _period_lines(name: str, trace: Row | None) -> list[list[Any]]:
    return [[name, i.get("code"), p.get("period") or "", p.get("deadline") or "", p.get("submitted") or "未报送",
             verdict_text(p), p.get("reason") or ""]
            for i in (trace or {}).get("items") or [] for p in i.get("periods") or []]


def _order_lines(name: str, trace: Row | None) -> list[list[Any]]:
    return [[name, i.get("code"), o.get("order_id") or "", o.get("reason") or "", screening_text(o)]
            for i in (trace or {}).get("items") or [] for o in i.get("orders") or []]


def _fill(ws: Worksheet, title: str, facts: Sequence[str], headers: Sequence[str], lines: list[list[Any]],
          caps: Sequence[int] | None = None) -> None:
    header_row = write_title(ws, title, facts, len(headers))
    write_header(ws, header_row, headers)
    for n, line in enumerate(lines, start=header_row + 1):
        write_row(ws, n, line)
    if not lines:
        put(ws, header_row + 1, 1, "（无）")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    last = ws.cell(row=max(ws.max_row, header_row), column=len(headers)).coordinate
    ws.auto_filter.ref = f"A{header_row}:{last}"
    fit_columns(ws, header_row, caps=dict(enumerate(caps, start=1)) if caps else None)
    set_print(ws, [header_row], landscape=True)


#: Each record sheet: its name, what its rows are, its header, its rows from one unit's trace, its caps.
SHEETS: tuple[tuple[str, str, Sequence[str], Callable[[str, Row | None], list[list[Any]]],
                    Sequence[int] | None], ...] = (
    (EVENTS_SHEET, "扣分与加分记录（含评估记录）", EVENT_HEADERS, _event_lines, EVENT_CAPS),
    (PERIODS_SHEET, "报送期限（月报、季报与情况说明）", PERIOD_HEADERS, _period_lines, None),
    (ORDERS_SHEET, "影响比率的工单（不满意、未回复、超期）", ORDER_HEADERS, _order_lines, None),
)


def fill_record_sheets(sheets: Sequence[Worksheet], year: Any, units: Sequence[Row],
                       traces: Mapping[str, Row], facts: Sequence[str]) -> None:
    """Fill `sheets` (one per entry of `SHEETS`, in order) with the rows of `units` in ranking order."""
    for ws, (_, caption, headers, lines_of, caps) in zip(sheets, SHEETS, strict=True):
        lines = [line for unit in units
                 for line in lines_of(str(unit.get("name") or unit.get("unit") or ""),
                                      traces.get(str(unit.get("unit") or "")))]
        _fill(ws, f"{year}年度 {caption}", facts, headers, lines, caps)
