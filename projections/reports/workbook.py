"""`score --format xlsx`: the ranking workbook the centre sends to leaders and to each unit.

Sheet 汇总 holds the ranking (rank, unit, the five sections as the JSON has them — section 5
with its bonus —, total, 其中加分 and, with a comparison, the previous total and rank and the
change of total); then one sheet per unit, named by its Chinese name, lists every item with its
points; then the record sheets list every unit's occurrences (with their ids), deadline periods
and costly work orders, one table per sheet. Numbers are numeric cells formatted
`0.00`, so a reader can sum and sort them; every sheet prints on A4, one page wide.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.ranking import heading_facts, pending_note, ranked_units, ranking_columns, ranking_rows
from projections.reports.record_sheets import SHEETS, fill_record_sheets
from projections.reports.sheet_layout import (
    fit_columns,
    set_print,
    sheet_title,
    write_header,
    write_row,
    write_title,
)
from projections.reports.summary_table import summary_headers, summary_lines
from projections.reports.unit_sheet import fill_unit_sheet

SUMMARY_SHEET = "汇总"


def _fill_summary(ws: Worksheet, scores: Mapping[str, Any], compare: Mapping[str, Any] | None) -> None:
    headers = summary_headers(scores, compare)
    facts = [*heading_facts(scores, compare),
             "各部分得分之和 = 总分（第 5 部分含加分）；“其中加分”为总分中的加分，不另计入。"]
    if ranking_columns(scores).has_class:
        facts.append("各类别分别排名。")
    facts += [note for note in (pending_note(ranking_rows(scores)),) if note]
    header_row = write_title(ws, f"{scores.get('year', '')}年度 12345热线办理工作年终评价 汇总",
                             facts, len(headers))
    write_header(ws, header_row, headers)
    for row, values in enumerate(summary_lines(scores, compare), start=header_row + 1):
        write_row(ws, row, values)
    # Rank, code and unit (and class) stay in view while scrolling right; the header while scrolling down.
    ws.freeze_panes = ws.cell(row=header_row + 1, column=headers.index("单位") + 2)
    ws.auto_filter.ref = f"A{header_row}:{ws.cell(row=ws.max_row, column=len(headers)).coordinate}"
    fit_columns(ws, header_row)
    set_print(ws, [header_row], landscape=True)


def write_workbook(scores: Mapping[str, Any], traces: Mapping[str, Mapping[str, Any]],
                   path: str | os.PathLike[str] | IO[bytes], compare: Mapping[str, Any] | None = None) -> None:
    """Write the ranking workbook for `scores` to `path` (a file name, or a binary file open for writing).

    `traces` maps unit code → that unit's `trace --format json` dict (a unit without one gets
    a sheet with its items and no occurrences). `compare` is the score dict at an earlier
    date; with it 汇总 gains 上期总分, 上期排名 and 较上期变化 = total − earlier total.
    """
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    _fill_summary(summary, scores, compare)
    facts = heading_facts(scores)
    taken = {SUMMARY_SHEET}
    units = ranked_units(scores)
    for unit in units:
        code = str(unit.get("unit") or "")
        ws = wb.create_sheet(sheet_title(str(unit.get("name") or code), taken))
        fill_unit_sheet(ws, scores, unit, traces.get(code), facts)
    records = [wb.create_sheet(sheet_title(name, taken)) for name, *_ in SHEETS]
    fill_record_sheets(records, scores.get("year", ""), units, traces, facts)
    wb.save(path if hasattr(path, "write") else os.fspath(path))
