"""The workbook's sheet for one unit: its standing and every item with its points.

The records behind the points (occurrences, assessments, deadline periods, work orders) are on
the record sheets (record_sheets.py), one table per sheet, so that every printed page carries
the header of its own table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.ranking import capped_text, points, two_places, unit_is_pending
from projections.reports.sheet_layout import (
    SECTION_FILL,
    fit_columns,
    set_print,
    write_header,
    write_row,
    write_title,
)
from projections.reports.unit_detail import unit_sections

ITEM_HEADERS = ("代码", "项目", "满分", "得分", "扣分", "其中加分", "状态", "计算说明")
#: The item table's widest columns: 项目 and 计算说明 wrap (together ≤ MAX_PRINT_UNITS with the rest).
ITEM_CAPS = {2: 34, 8: 60}
RECORDS_NOTE = ("本单位的扣分与加分记录、报送期限和影响比率的工单见“扣分与加分记录”“报送期限”“影响比率的工单”表"
                "（可按单位筛选）。")


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


def fill_unit_sheet(ws: Worksheet, scores: Mapping[str, Any], unit: Mapping[str, Any],
                    trace: Mapping[str, Any] | None, facts: Sequence[str]) -> None:
    """Write `unit`'s detail into `ws`: title, standing, facts, and the item table (frozen header)."""
    name = unit.get("name") or unit.get("unit") or ""
    total, bonus = points(unit.get("total")), points(unit.get("bonus"))
    base = points(unit["base"]) if unit.get("base") else total - bonus
    standing = (f"排名：{unit.get('rank', '—')}　总分：{two_places(total)}"
                f"（基础分 {two_places(base)} + 加分 {two_places(bonus)}{capped_text(unit)}）")
    if unit.get("class"):
        standing = f"类别：{unit.get('class_name') or unit['class']}（类别内排名）　{standing}"
    if unit.get("grade"):
        veto = f"（一票否决：{unit['vetoed_by']}）" if unit.get("vetoed_by") else ""
        standing += f"　等次：{unit['grade']}{veto}"
    if unit_is_pending(unit):
        standing += "　待定：总分含尚不能计算的项目（按 0 分计）"
    row = write_title(ws, f"{scores.get('year', '')}年度 {name}（{unit.get('unit', '')}）评价明细",
                      [standing, *facts, RECORDS_NOTE], len(ITEM_HEADERS))
    header_row = row
    write_header(ws, header_row, ITEM_HEADERS)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _write_items(ws, header_row + 1, unit, trace)
    fit_columns(ws, header_row, caps=ITEM_CAPS)
    set_print(ws, [header_row], landscape=True)
