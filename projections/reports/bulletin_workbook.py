"""`bulletin --format xlsx`: the monthly bulletin as a workbook.

Sheet 通报 holds the month's ranking with each unit's change since the previous month's end;
sheet 走势 holds the month-end totals (one row per month, one column per unit) and a native
line chart drawn from them, so the chart stays live if someone corrects a cell.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from projections.reports.bulletin_rows import BulletinRow, bulletin_facts, bulletin_rows, bulletin_title, by_class
from projections.reports.ranking import decimal_or_none, section_heads
from projections.reports.sheet_layout import fit_columns, set_print, write_header, write_row, write_title

RANKING_SHEET, TREND_SHEET = "通报", "走势"


def _ranking(ws: Worksheet, doc: Mapping[str, Any], rows: list[BulletinRow]) -> None:
    headers = ["排名", "单位代码", "单位", "总分", "较上月", "名次变化", "上月总分", "上月排名",
               *(h.title for h in section_heads(doc)), "其中加分"]
    facts = [*bulletin_facts(doc), "各部分得分之和为总分（第 5 部分含加分，“其中加分”不另计入）；"
             "较上月 = 本月末总分 − 上月末总分；名次变化为正表示上升。"]
    classes = by_class(rows)  # ranks start again at 1 in each class: a column says which
    headers = [*headers[:3], "类别", *headers[3:]] if classes else headers
    header_row = write_title(ws, bulletin_title(doc), facts, len(headers))
    write_header(ws, header_row, headers)
    for n, row in enumerate(rows, start=header_row + 1):
        cells = [row.rank, row.unit, row.name, row.total, row.change, row.rank_change,
                 row.previous_total, row.previous_rank, *row.sections, row.bonus]
        write_row(ws, n, [*cells[:3], row.class_name, *cells[3:]] if classes else cells)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=4)
    fit_columns(ws, header_row)
    set_print(ws, [header_row], landscape=True)


def _trend(ws: Worksheet, doc: Mapping[str, Any], rows: list[BulletinRow]) -> None:
    months = [f"{doc['year']}-{m:02d}" for m in range(1, int(doc["month"]) + 1)]
    header_row = write_title(ws, f"{bulletin_title(doc)}：逐月总分走势（各月末）", [], len(rows) + 1)
    write_header(ws, header_row, ["月份", *(r.name for r in rows)])
    by_unit = [{str(p.get("month")): decimal_or_none(p.get("total")) for p in r.trend} for r in rows]
    for n, month in enumerate(months, start=header_row + 1):
        write_row(ws, n, [month, *(totals.get(month) for totals in by_unit)])
    fit_columns(ws, header_row)
    chart = LineChart()
    chart.title = "各单位逐月总分"
    chart.y_axis.title = "总分"
    chart.x_axis.title = "月份"
    chart.y_axis.number_format = "0.00"
    chart.height, chart.width = 10, 24
    last = header_row + len(months)
    chart.add_data(Reference(ws, min_col=2, max_col=len(rows) + 1, min_row=header_row, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    for series in chart.series:  # straight segments between month-ends, a marker on each: no invented curve
        series.smooth = False
        series.marker.symbol = "circle"
    ws.add_chart(chart, ws.cell(row=last + 2, column=1).coordinate)
    set_print(ws, [header_row], landscape=True)


def write_bulletin_workbook(doc: Mapping[str, Any], path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write the bulletin `doc` (projections/bulletin.py) to `path` (a file name or a binary file)."""
    rows = bulletin_rows(doc)
    wb = Workbook()
    ranking = wb.active
    ranking.title = RANKING_SHEET
    _ranking(ranking, doc, rows)
    _trend(wb.create_sheet(TREND_SHEET), doc, rows)
    wb.save(path if hasattr(path, "write") else os.fspath(path))
