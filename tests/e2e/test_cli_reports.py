"""The published reports (xlsx, csv, html) written by the CLI from a real ledger, on both backends.

Every figure in a report is checked against `score --format json` of the same ledger and the same
moment; a few are also written out by hand. The workbook is read back with openpyxl.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tests.conftest import items_of, unit_of
from tests.e2e.report_ledger import ReportLedger, record_bulletin_ledger

AS_OF = ("--year", "2025", "--as-of", "2025-10-31")
RECORD_SHEETS = ["扣分与加分记录", "报送期限", "影响比率的工单"]
#: A column width unit prints 7 px at 96 dpi: 1.852 mm (the OOXML default font's digit width).
MM_PER_WIDTH_UNIT = 7 * 25.4 / 96
SECTIONS = ["1 组织领导与制度建设", "2 办理质量", "3 督查督办", "4 媒体监督落实情况", "5 市领导批示落实情况"]
SUMMARY = ["排名", "单位代码", "单位", *SECTIONS, "总分", "其中加分"]


@pytest.fixture
def recorded(cli: Any, tmp_path: Path) -> ReportLedger:
    return record_bulletin_ledger(cli, tmp_path)


def _write(cli: Any, path: Path, fmt: str, *args: Any) -> Path:
    result = cli("score", *AS_OF, "--format", fmt, "--output", str(path), *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the report goes to the file; only "wrote …" on stderr
    return path


def _header_row(ws: Any, first: str) -> int:
    return next(c.row for c in ws["A"] if c.value == first)


def _table(ws: Any, first: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The header starting with `first` in column A and its rows down to the first blank one."""
    top = _header_row(ws, first)
    headers = [c.value for c in ws[top] if c.value is not None]
    rows = []
    for cells in ws.iter_rows(min_row=top + 1, max_col=len(headers)):
        if cells[0].value is None:
            break
        rows.append(cells)
    return headers, rows


class TestWorkbook:
    def test_the_summary_sheet_holds_the_json_scores_as_two_decimal_numbers(self, recorded, tmp_path):
        cli = recorded.cli
        book = openpyxl.load_workbook(_write(cli, tmp_path / "s.xlsx", "xlsx"))
        doc = cli.json("score", *AS_OF)
        assert book.sheetnames == ["汇总", *(u["name"] for u in doc["units"]), *RECORD_SHEETS]
        headers, rows = _table(book["汇总"], "排名")
        assert headers == SUMMARY  # Tai'an has no classes or grades: no 类别 or 等次 column
        assert len(rows) == 8
        for cells, unit in zip(rows, doc["units"], strict=True):
            row = dict(zip(headers, cells, strict=True))
            assert (row["排名"].value, row["单位代码"].value, row["单位"].value) == (
                unit["rank"], unit["unit"], unit["name"])
            assert row["总分"].value == float(unit["total"]) and row["其中加分"].value == float(unit["bonus"])
            for title, section in zip(SECTIONS, unit["sections"], strict=True):
                assert row[title].value == float(section["points"])
            for title in (*SECTIONS, "其中加分", "总分"):
                assert row[title].number_format == "0.00" and isinstance(row[title].value, int | float)
        taishan = dict(zip(headers, next(r for r in rows if r[1].value == "taishan"), strict=True))
        # section 5: 4.00 + bonus 1.00 = 5.00, as in the JSON; 其中加分 1.00 is part of it, not added again
        assert (taishan["5 市领导批示落实情况"].value, taishan["其中加分"].value) == (5.0, 1.0)

    def test_a_unit_sheet_lists_every_item_with_max_points_and_status(self, recorded, tmp_path):
        cli = recorded.cli
        book = openpyxl.load_workbook(_write(cli, tmp_path / "s.xlsx", "xlsx"))
        items = items_of(unit_of(cli.json("score", *AS_OF), "taishan"))
        headers, rows = _table(book["泰山区"], "代码")
        assert headers == ["代码", "项目", "满分", "得分", "扣分", "其中加分", "状态", "计算说明"]
        by_code = {r[0].value: r for r in rows}
        assert set(items) <= set(by_code)  # every item (and pool) of the JSON, plus the five sections
        for code, item in items.items():
            row = by_code[code]
            if "points" in item:
                assert (row[2].value, row[3].value) == (float(item["max"]), float(item["points"]))
                assert row[6].value == {"scored": "已计分", "pending": "待定"}[item["status"]]
                assert row[3].number_format == "0.00"
            elif "pool" in item:
                assert row[4].value == float(item["deducted"]) and row[6].value == f"计入 {item['pool']}"
            else:
                assert row[5].value == float(item["bonus"])
        assert by_code["2.1"][3].value == 2.7  # 3.00 − 3 × 0.10
        assert "3.00 − 3 × 0.10 = 2.70" in by_code["2.1"][7].value

    def test_the_record_sheet_lists_each_occurrence_with_its_id_evidence_hash_recorder_and_dispute_state(
            self, recorded, tmp_path):
        cli = recorded.cli
        book = openpyxl.load_workbook(_write(cli, tmp_path / "s.xlsx", "xlsx"))
        headers, rows = _table(book["扣分与加分记录"], "单位")
        assert headers == ["单位", "项目", "编号", "证据", "日期", "次数", "分值", "状态", "备注", "附件（SHA-256）",
                           "记录人（认证身份）", "记录时间", "申诉与更正记录"]
        who = cli.json("log")[0]["authenticated_as"]  # the OS account, or the PostgreSQL role
        lag = next(r for r in rows if r[3].value == "工单TA2025030400123")
        # Each record named by its id beside its evidence, so a unit can cite it in a dispute.
        assert [c.value for c in lag[:9]] == ["泰山区", "2.1", recorded.lag, "工单TA2025030400123", "2025-03-04", 3,
                                              0.1, "有效", "知识库未及时更新"]
        assert lag[6].number_format == "0.00" and lag[5].number_format == "0"
        assert hashlib.sha256(recorded.attachment.read_bytes()).hexdigest() in lag[9].value
        assert lag[10].value == f"tester（{who}）"
        assert lag[11].value.endswith(" +08:00")  # Beijing time, with its offset
        by_unit = {r[0].value: r for r in rows}
        accepted = by_unit["新泰市"]
        assert (accepted[1].value, accepted[2].value, accepted[7].value) == ("4.1", recorded.accepted, "申诉成立")
        dispute = next(d["id"] for d in cli.json("dispute", "list") if d["target"] == recorded.accepted)
        assert f"提出申诉 {dispute[:8]}（tester，认证：{who}）：已按期整改" in accepted[12].value
        assert f"申诉裁定 {dispute[:8]}（tester，认证：{who}）：核实整改到位 → 成立" in accepted[12].value
        disputed = by_unit["肥城市"]
        assert (disputed[1].value, disputed[2].value, disputed[7].value) == ("2.4", recorded.disputed, "申诉中")
        assessed = by_unit["宁阳县"]
        assert (assessed[1].value, assessed[6].value, assessed[7].value) == ("1.3", 0.8, "有效")
        assert len(assessed[2].value) == 36  # the assessment's id too

    def test_sheets_freeze_their_headers_fit_widths_and_print_on_a4_one_page_wide(self, recorded, tmp_path):
        book = openpyxl.load_workbook(_write(recorded.cli, tmp_path / "s.xlsx", "xlsx"))
        for ws in book.worksheets:
            top = _header_row(ws, "排名" if ws.title == "汇总" else "单位" if ws.title in RECORD_SHEETS else "代码")
            assert ws.freeze_panes.endswith(str(top + 1))
            assert int(ws.page_setup.paperSize) == 9  # A4 in the OOXML paper-size table
            assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.print_title_rows == f"${top}:${top}"  # the header repeats on every printed page
        # 泰安高新区: five CJK characters at two columns each, plus a margin of 2
        assert book["汇总"].column_dimensions["C"].width >= 12

    def test_every_sheet_prints_on_a4_landscape_fitted_to_width_at_9_pt_or_more_with_wrapped_text(
            self, recorded, tmp_path):
        book = openpyxl.load_workbook(_write(recorded.cli, tmp_path / "s.xlsx", "xlsx"))
        for ws in book.worksheets:
            assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
            # Fitting to the width scales the sheet down by printable width / sheet width (never up).
            printable = 297 - (ws.page_margins.left + ws.page_margins.right) * 25.4
            width = sum(ws.column_dimensions[get_column_letter(c)].width * MM_PER_WIDTH_UNIT
                        for c in range(1, ws.max_column + 1))
            scale = min(1.0, printable / width)
            smallest = min(c.font.sz for row in ws.iter_rows() for c in row if c.value is not None)
            assert smallest * scale >= 9, (ws.title, smallest, scale)
            top = _header_row(ws, "排名" if ws.title == "汇总" else "单位" if ws.title in RECORD_SHEETS else "代码")
            assert ws.print_title_rows == f"${top}:${top}"  # the sheet's one table: its header on every page
            texts = [c for row in ws.iter_rows(min_row=top) for c in row if isinstance(c.value, str)]
            assert all(c.alignment.wrap_text for c in texts), ws.title
            # A cell of several lines gets a row tall enough for them (15 pt a line).
            for cell in texts:
                lines = cell.value.count("\n") + 1
                if lines > 1:
                    assert ws.row_dimensions[cell.row].height >= 15 * lines, (ws.title, cell.coordinate)

    def test_the_change_since_the_compared_date_is_the_total_minus_the_earlier_total(self, recorded, tmp_path):
        cli = recorded.cli
        book = openpyxl.load_workbook(_write(cli, tmp_path / "s.xlsx", "xlsx", "--compare-as-of", "2025-05-31"))
        now = {u["unit"]: Decimal(u["total"]) for u in cli.json("score", *AS_OF)["units"]}
        then = {u["unit"]: Decimal(u["total"])
                for u in cli.json("score", "--year", "2025", "--as-of", "2025-05-31")["units"]}
        headers, rows = _table(book["汇总"], "排名")
        assert headers == [*SUMMARY, "上期总分", "上期排名", "较上期变化"]
        ranks = {u["unit"]: u["rank"] for u in cli.json("score", "--year", "2025", "--as-of", "2025-05-31")["units"]}
        for row in rows:
            unit, (total, rank, change) = row[1].value, (c.value for c in row[-3:])
            assert change == pytest.approx(float(now[unit] - then[unit])) and row[-1].number_format == "0.00"
            assert (total, rank) == (pytest.approx(float(then[unit])), ranks[unit])
        facts = " ".join(str(c.value) for c in book["汇总"]["A"][:_header_row(book["汇总"], "排名")])
        assert "对比日期：2025-05-31" in facts


class TestCsvAndPage:
    def test_the_csv_is_the_summary_table_of_the_json(self, recorded, tmp_path):
        cli = recorded.cli
        raw = _write(cli, tmp_path / "s.csv", "csv").read_bytes()
        assert raw.startswith("\ufeff".encode())  # a BOM, so Excel reads it as UTF-8
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == SUMMARY
        doc = cli.json("score", *AS_OF)
        for line, unit in zip(rows[1:], doc["units"], strict=True):
            # The sections exactly as the JSON has them (section 5 with its bonus), then 总分 and 其中加分.
            assert line == [str(unit["rank"]), unit["unit"], unit["name"],
                            *(s["points"] for s in unit["sections"]), unit["total"], unit["bonus"]]
            assert sum(Decimal(s["points"]) for s in unit["sections"]) == Decimal(unit["total"])
        # The same bytes on stdout, BOM included: `score --format csv > s.csv` is `--output s.csv`.
        assert cli("score", *AS_OF, "--format", "csv").stdout_bytes == raw

    def test_compare_as_of_feeds_the_csv_and_the_page(self, recorded, tmp_path):
        cli = recorded.cli
        rows = list(csv.DictReader(io.StringIO(cli("score", *AS_OF, "--format", "csv", "--compare-as-of",
                                                   "2025-05-31").stdout)))
        # 泰山区: the bonus of 2025-07-01 (+1.00) came after 31 May, like the monthly reports missed
        # since; its change is the difference of the two JSON totals
        then = unit_of(cli.json("score", "--year", "2025", "--as-of", "2025-05-31"), "taishan")["total"]
        now = unit_of(cli.json("score", *AS_OF), "taishan")["total"]
        taishan = next(r for r in rows if r["单位代码"] == "taishan")
        assert Decimal(taishan["较上期变化"]) == Decimal(now) - Decimal(then)
        page = _write(cli, tmp_path / "s.html", "html", "--compare-as-of", "2025-05-31").read_text("utf-8")
        assert "较上期" in page and "对比日期" in page and "2025-05-31" in page

    def test_the_page_shows_every_unit_event_and_dispute_history(self, recorded, tmp_path):
        cli = recorded.cli
        page = _write(cli, tmp_path / "s.html", "html").read_text("utf-8")
        doc = cli.json("score", *AS_OF)
        assert page.count('<details class="unit"') == 8
        for unit in doc["units"]:
            assert unit["name"] in page and unit["total"] in page
        for text in ("工单TA2025030400123", "申诉成立", "申诉中", "核实整改到位",
                     hashlib.sha256(recorded.attachment.read_bytes()).hexdigest()):
            assert text in page
        assert "http:" not in page and "https:" not in page and "<link" not in page and " src=" not in page

    def test_xlsx_and_html_without_output_are_refused_and_write_nothing(self, recorded, tmp_path):
        for fmt in ("xlsx", "html"):
            result = recorded.cli("score", *AS_OF, "--format", fmt)
            assert result.exit_code == 2 and "--output" in result.stderr
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".html")) == []


def _moment() -> datetime:
    """A moment strictly between the recording before and the one after."""
    time.sleep(0.05)
    moment = datetime.now(UTC)
    time.sleep(0.05)
    return moment


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


class TestReproducingABulletin:
    def test_known_at_reproduces_the_october_bulletin_after_later_recordings(self, recorded, tmp_path):
        cli = recorded.cli
        csv_then = _write(cli, tmp_path / "then.csv", "csv").read_bytes()
        xlsx_then = _cells(_write(cli, tmp_path / "then.xlsx", "xlsx"))
        published = _moment()
        # After the bulletin: an October occurrence recorded late, and the open dispute accepted.
        cli("record", "--unit", "daiyue", "--item", "2.1", "--date", "2025-10-20", "--evidence", "补录：知识库核查")
        dispute = next(d for d in cli.json("dispute", "list", "--open"))
        assert cli("dispute", "decide", dispute["id"], "--decision", "accept", "--reason", "复核成立").exit_code == 0

        moment = published.isoformat()
        csv_again = _write(cli, tmp_path / "again.csv", "csv", "--known-at", moment).read_bytes()
        xlsx_again = _cells(_write(cli, tmp_path / "again.xlsx", "xlsx", "--known-at", moment))
        csv_now = _write(cli, tmp_path / "now.csv", "csv").read_bytes()

        assert csv_again == csv_then  # byte for byte
        assert csv_now != csv_then  # and the later recordings do change today's table
        assert xlsx_again.keys() == xlsx_then.keys()
        for sheet, rows in xlsx_then.items():
            # Only the line stating the knowledge time differs: "latest" then, the moment now.
            differ = [(n, a, b) for n, (a, b) in enumerate(zip(rows, xlsx_again[sheet], strict=True)) if a != b]
            assert len(differ) == 1, (sheet, differ)
            _, was, now = differ[0]
            assert was[0] == "记录截至：最新（全部已记录数据）" and now[0].startswith("记录截至：")
            assert now[1:] == was[1:]
        feicheng = unit_of(cli.json("score", *AS_OF), "feicheng")
        assert items_of(feicheng)["2.4"]["deducted"] == "0.00"  # accepted: wrong from the start
