"""``bulletin --year Y --month M`` (CLI.md "Publishing"): the files the CLI writes, read back.

The ledger (Tai'an 2025, nothing else recorded) and what each month's end says, by hand:
- every unit starts at 48.00: section 1 and 3.1 not assessed yet and 2.3.x without work orders
  (pending, 0), so 2.1 3 + 2.2 7 + 3.2 30 + 4 + 4 = 48.00;
- a monthly report not submitted costs 0.50 from 3.2 once its deadline (the 5th working day of
  the next month) has passed: January's by the end of February, February's by the end of March;
- daiyue submits January's and February's reports on time: it keeps 48.00 throughout;
- taishan: 2.1 on 2025-02-03 (−0.10) and a praise 5.1 on 2025-03-03 (+1.00).

| unit        | Jan end      | Feb end               | Mar end                      |
|-------------|--------------|-----------------------|------------------------------|
| daiyue      | 48.00 (1)    | 48.00 (1)             | 48.00 (1)                    |
| taishan     | 48.00 (1)    | 48.00−0.50−0.10=47.40 (8) | 47.40−0.50+1.00=47.90 (2) |
| the other 6 | 48.00 (1)    | 47.50 (2)             | 47.00 (3)                    |
So in March: daiyue +0.00 and rank ±0, taishan +0.50 and up 6 (8 → 2), the others −0.50 and down 1.
"""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

OTHERS = ["xintai", "feicheng", "ningyang", "dongping", "gaoxin", "jingqu"]
#: unit → [(month, total, rank)] from January to March, from the table in the docstring.
TREND = {
    "daiyue": [("2025-01", "48.00", 1), ("2025-02", "48.00", 1), ("2025-03", "48.00", 1)],
    "taishan": [("2025-01", "48.00", 1), ("2025-02", "47.40", 8), ("2025-03", "47.90", 2)],
    **{u: [("2025-01", "48.00", 1), ("2025-02", "47.50", 2), ("2025-03", "47.00", 3)] for u in OTHERS},
}
CHANGE = {"daiyue": ("0.00", 0), "taishan": ("0.50", 6), **{u: ("-0.50", -1) for u in OTHERS}}


@pytest.fixture
def ledger(cli: Any) -> Any:
    assert cli("init", "--year", "2025").exit_code == 0
    cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-02-03", "--evidence", "知识库核查")
    cli.json("record", "--unit", "taishan", "--item", "5.1", "--date", "2025-03-03", "--evidence", "市领导表扬")
    cli.json("submit-report", "--unit", "daiyue", "--kind", "monthly", "--period", "2025-01", "--date", "2025-02-05",
             "--evidence", "一月分析报告")
    cli.json("submit-report", "--unit", "daiyue", "--kind", "monthly", "--period", "2025-02", "--date", "2025-03-03",
             "--evidence", "二月分析报告")
    return cli


def _bulletin(cli: Any, path: Path, fmt: str, *args: Any) -> Path:
    result = cli("bulletin", "--year", "2025", "--month", "3", "--format", fmt, "--output", str(path), *args)
    assert result.exit_code == 0, result.stderr
    return path


def test_the_json_holds_the_ranking_changes_and_one_trend_point_per_month(ledger, tmp_path):
    doc = json.loads(_bulletin(ledger, tmp_path / "b.json", "json").read_text("utf-8"))
    assert (doc["as_of"], doc["previous_as_of"]) == ("2025-03-31", "2025-02-28")
    units = {u["unit"]: u for u in doc["units"]}
    assert [u["unit"] for u in doc["units"]][:2] == ["daiyue", "taishan"]
    for code, points in TREND.items():
        unit = units[code]
        assert [(p["month"], p["total"], p["rank"]) for p in unit["trend"]] == points
        assert (unit["total"], unit["rank"]) == points[-1][1:]
        assert unit["previous"] == {"as_of": "2025-02-28", "total": points[1][1], "rank": points[1][2]}
        assert (unit["change"], unit["rank_change"]) == CHANGE[code]


def test_january_has_one_point_and_no_change(ledger, tmp_path):
    result = ledger("bulletin", "--year", "2025", "--month", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["previous_as_of"] is None
    for unit in doc["units"]:
        assert [p["month"] for p in unit["trend"]] == ["2025-01"]
        assert unit["previous"] is None and unit["change"] is None and unit["rank_change"] is None


def test_the_page_draws_one_point_per_month_for_every_unit_and_shows_the_changes(ledger, tmp_path):
    page = _bulletin(ledger, tmp_path / "b.html", "html").read_text("utf-8")
    assert "2025年3月 12345热线办理工作月度通报" in page and "http" not in page
    figures = re.findall(r'<figure class="card" data-unit="([a-z]+)">(.*?)</figure>', page, re.S)
    assert sorted(code for code, _ in figures) == sorted(TREND)
    for code, figure in figures:
        assert "<svg" in figure and "<polyline" in figure
        drawn = re.findall(r'data-month="([0-9-]+)" data-total="([0-9.]+)"', figure)
        assert drawn == [(month, total) for month, total, _ in TREND[code]]
    rows = dict(re.findall(r'<tr data-unit="([a-z]+)">(.*?)</tr>', page, re.S))
    assert "+0.50" in rows["taishan"] and "↑6" in rows["taishan"] and "47.40（8）" in rows["taishan"]
    assert "−0.50" in rows["xintai"] and "↓1" in rows["xintai"]
    # Section 5 of taishan with its praise inside (4.00 + 1.00), and the bonus shown as 其中加分.
    assert "其中加分" in page and "<td>5.00</td><td>1.00</td>" in rows["taishan"]


def test_the_workbook_holds_the_ranking_and_a_native_line_chart_of_the_months(ledger, tmp_path):
    path = _bulletin(ledger, tmp_path / "b.xlsx", "xlsx")
    book = openpyxl.load_workbook(path)
    ranking, trend = book["通报"], book["走势"]
    top = next(c.row for c in ranking["A"] if c.value == "排名")
    headers = [c.value for c in ranking[top] if c.value is not None]
    assert headers[:8] == ["排名", "单位代码", "单位", "总分", "较上月", "名次变化", "上月总分", "上月排名"]
    assert headers[-1] == "其中加分"
    rows = {r[1].value: r for r in ranking.iter_rows(min_row=top + 1, max_row=top + 8)}
    for code, points in TREND.items():
        row = rows[code]
        assert row[0].value == points[-1][2] and row[3].value == pytest.approx(float(points[-1][1]))
        assert row[4].value == pytest.approx(float(CHANGE[code][0])) and row[5].value == CHANGE[code][1]
        assert row[6].value == pytest.approx(float(points[1][1])) and row[7].value == points[1][2]
        # The sections add up to the total: section 5 carries the bonus, 其中加分 is not added again.
        sections = [Decimal(str(c.value)) for c in row[8:-1]]
        assert sum(sections) == Decimal(points[-1][1])
    head = next(c.row for c in trend["A"] if c.value == "月份")
    months = [r[0].value for r in trend.iter_rows(min_row=head + 1) if r[0].value]
    assert months == ["2025-01", "2025-02", "2025-03"]
    names = [c.value for c in trend[head]][1:]
    taishan = names.index("泰山区") + 1
    assert [trend.cell(row=head + n, column=taishan + 1).value for n in (1, 2, 3)] == [48.0, 47.4, 47.9]
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    assert "lineChart" in xml
    assert len(re.findall(r"<(?:c:)?ser>", xml)) == 8
    assert f"'走势'!$B${head + 1}:$B${head + 3}" in xml  # each series: the three months of one unit


def test_a_month_not_ended_is_refused_and_writes_nothing(ledger, tmp_path):
    out = tmp_path / "later.html"
    result = ledger("bulletin", "--year", "2999", "--month", "1", "--output", str(out))
    assert result.exit_code == 1 and "2999-01" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert ledger("bulletin", "--year", "2025", "--month", "13", "--output", str(out)).exit_code == 2
    assert ledger("bulletin", "--year", "2025", "--month", "3", "--format", "xlsx").exit_code == 2


def test_known_at_reads_every_month_with_what_was_recorded_then(ledger, tmp_path):
    first = json.loads(_bulletin(ledger, tmp_path / "then.json", "json").read_text("utf-8"))
    log = ledger.json("log")
    published = log[-1]["recorded_at"]
    # Recorded later, dated in February: today's bulletin counts it in February and March …
    ledger.json("record", "--unit", "daiyue", "--item", "2.1", "--date", "2025-02-10", "--evidence", "补录")
    now = {u["unit"]: u for u in json.loads(
        _bulletin(ledger, tmp_path / "now.json", "json").read_text("utf-8"))["units"]}
    assert [p["total"] for p in now["daiyue"]["trend"]] == ["48.00", "47.90", "47.90"]
    # … and the bulletin as known when it was published does not.
    again = json.loads(_bulletin(ledger, tmp_path / "again.json", "json", "--known-at", published)
                       .read_text("utf-8"))
    assert [u["trend"] for u in again["units"]] == [u["trend"] for u in first["units"]]


def test_the_bulletin_workbook_prints_on_a4_landscape_with_its_headers_as_print_titles(ledger, tmp_path):
    book = openpyxl.load_workbook(_bulletin(ledger, tmp_path / "b.xlsx", "xlsx"))
    for ws, first in ((book["通报"], "排名"), (book["走势"], "月份")):
        top = next(c.row for c in ws["A"] if c.value == first)
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${top}:${top}"
        assert min(c.font.sz for row in ws.iter_rows() for c in row if c.value is not None) >= 11
