"""The report renderers (CSV, workbook, web page) against the score and trace dicts they render.

Expected values are read from the fixture dicts (the JSON the core prints) or written out by
hand; the renderers' own helpers are never used to compute an expectation.
"""

from __future__ import annotations

import copy
import csv
import io
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from projections.reports.summary_csv import render_summary_csv
from projections.reports.webpage import render_page
from projections.reports.workbook import write_workbook
from tests.unit.report_fixtures import HOSTILE, scores_and_traces

RECORD_SHEETS = ["扣分与加分记录", "报送期限", "影响比率的工单"]
SECTION_HEADERS = ["1 组织领导与制度建设", "2 办理质量", "3 督查督办", "4 媒体监督落实情况", "5 市领导批示落实情况"]


@pytest.fixture(scope="module")
def data():
    return scores_and_traces()


@pytest.fixture(scope="module")
def workbook(data, tmp_path_factory):
    scores, traces, earlier = data
    path = tmp_path_factory.mktemp("xlsx") / "score.xlsx"
    write_workbook(scores, traces, path, compare=earlier)
    return openpyxl.load_workbook(path)


def _traced(trace: dict, code: str) -> dict:
    return next(i for i in trace["items"] if i["code"] == code)


def _header_row(ws, first: str) -> int:
    return next(c.row for c in ws["A"] if c.value == first)


class TestSummaryCsv:
    def test_the_header_names_every_section_with_its_code(self, data):
        scores, _, earlier = data
        header = next(csv.reader(io.StringIO(render_summary_csv(scores, earlier))))
        assert header == ["排名", "单位代码", "单位", *SECTION_HEADERS, "总分", "其中加分", "上期总分", "上期排名",
                          "较上期变化"]

    def test_rows_follow_the_ranking_and_the_sections_add_up_to_the_total_with_the_bonus_inside(self, data):
        scores, _, _ = data
        rows = list(csv.reader(io.StringIO(render_summary_csv(scores))))
        assert rows[0][-2:] == ["总分", "其中加分"]  # no comparison, no change column
        # 泰山区: 5.00 + 54.74 + 32.00 + 4.00 + 5.00 (section 5: 4.00 + the bonus 1.00) = 100.74, of which 1.00 bonus
        assert rows[1] == ["1", "taishan", "泰山区", "5.00", "54.74", "32.00", "4.00", "5.00", "100.74", "1.00"]
        assert [r[1] for r in rows[1:]] == [u["unit"] for u in scores["units"]]
        assert [r[-2] for r in rows[1:]] == [u["total"] for u in scores["units"]]

    def test_the_change_is_the_total_minus_the_earlier_total(self, data):
        scores, _, earlier = data
        rows = {r["单位代码"]: r for r in csv.DictReader(io.StringIO(render_summary_csv(scores, earlier)))}
        assert rows["taishan"]["较上期变化"] == "1.06"  # 100.74 − 99.68
        then = next(u for u in earlier["units"] if u["unit"] == "taishan")
        assert (rows["taishan"]["上期总分"], rows["taishan"]["上期排名"]) == ("99.68", str(then["rank"]))
        assert rows["dongping"]["较上期变化"] == "-1.90"  # 95.99 − 97.89: 5.2 deducted 2.00 in December

    def test_a_unit_absent_at_the_earlier_date_has_an_empty_change(self, data):
        scores, _, earlier = data
        earlier = {**earlier, "units": [u for u in earlier["units"] if u["unit"] != "jingqu"]}
        rows = {r["单位代码"]: r for r in csv.DictReader(io.StringIO(render_summary_csv(scores, earlier)))}
        assert rows["jingqu"]["较上期变化"] == rows["jingqu"]["上期总分"] == rows["jingqu"]["上期排名"] == ""


class TestWorkbook:
    def test_it_has_a_summary_sheet_then_one_sheet_per_unit_by_rank(self, workbook, data):
        scores, _, _ = data
        assert workbook.sheetnames == ["汇总", *(u["name"] for u in scores["units"]), *RECORD_SHEETS]

    def test_the_summary_holds_numbers_formatted_with_two_decimals(self, workbook, data):
        scores, _, earlier = data
        ws = workbook["汇总"]
        top = _header_row(ws, "排名")
        headers = [c.value for c in ws[top]]
        assert headers == ["排名", "单位代码", "单位", *SECTION_HEADERS, "总分", "其中加分", "上期总分", "上期排名",
                           "较上期变化"]
        before = {u["unit"]: float(u["total"]) for u in earlier["units"]}
        for offset, unit in enumerate(scores["units"], start=1):
            row = {h: c for h, c in zip(headers, ws[top + offset], strict=True)}
            assert row["单位"].value == unit["name"] and row["排名"].value == unit["rank"]
            assert row["总分"].value == float(unit["total"]) and row["其中加分"].value == float(unit["bonus"])
            assert row["5 市领导批示落实情况"].value == float(unit["sections"][4]["points"])  # bonus inside
            assert row["2 办理质量"].value == float(unit["sections"][1]["points"])
            assert row["较上期变化"].value == pytest.approx(float(unit["total"]) - before[unit["unit"]])
            for header in (*SECTION_HEADERS, "其中加分", "总分", "上期总分", "较上期变化"):
                assert row[header].number_format == "0.00"
                assert isinstance(row[header].value, int | float)  # openpyxl reads 5.00 back as 5

    def test_the_summary_states_what_it_was_computed_from(self, workbook, data):
        scores, _, _ = data
        titles = " ".join(str(c.value) for c in workbook["汇总"]["A"][:8])
        for fact in ("2025", "2025-12-31", scores["ruleset"]["sha256"], "2025-10-31"):
            assert fact in titles

    def test_sheets_freeze_their_header_fit_widths_and_print_on_a4_one_page_wide(self, workbook):
        for ws in workbook.worksheets:
            first = "排名" if ws.title == "汇总" else "单位" if ws.title in RECORD_SHEETS else "代码"
            assert ws.freeze_panes.endswith(str(_header_row(ws, first) + 1))
            assert int(ws.page_setup.paperSize) == 9  # A4 in the OOXML paper-size table
            assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        summary = workbook["汇总"]
        # 泰安高新区: five CJK characters count double → at least 10 wide.
        assert summary.column_dimensions["C"].width >= 10

    def test_a_unit_sheet_lists_every_item_with_max_points_and_status(self, workbook):
        ws = workbook["岱岳区"]
        top = _header_row(ws, "代码")
        assert [c.value for c in ws[top]][:8] == ["代码", "项目", "满分", "得分", "扣分", "其中加分", "状态",
                                                  "计算说明"]
        rows: dict = {}
        for r in ws.iter_rows(min_row=top + 1):  # the item table ends at the first blank row
            if r[0].value is None:
                break
            rows[r[0].value] = r
        assert len(rows) == 5 + 25  # five sections and their 6 + 11 + 5 + 1 + 2 items
        rate = rows["2.3.2"]
        assert (rate[2].value, rate[3].value, rate[6].value) == (20.0, 19.91, "已计分")
        assert rate[3].number_format == "0.00"
        assert "89.53%（7700/8600）" in rate[7].value
        pool_member = rows["2.4"]
        assert (pool_member[4].value, pool_member[6].value) == (0.5, "计入 2")
        assert rows["3"][3].value == 31.8  # section 3: 3.1 2.00 + 3.2 (30 − ⌊40 ÷ 20⌋ × 0.10 = 29.80)

    def test_the_record_sheet_lists_occurrences_with_ids_evidence_hashes_recorder_and_state(self, workbook, data):
        _, traces, _ = data
        ws = workbook["扣分与加分记录"]
        top = _header_row(ws, "单位")
        assert [c.value for c in ws[top]][:8] == ["单位", "项目", "编号", "证据", "日期", "次数", "分值", "状态"]
        events = {r[3].value: r for r in ws.iter_rows(min_row=top + 1) if r[0].value == "岱岳区"}
        lag = events["知识库核查记录2025-02"]
        traced = _traced(traces["daiyue"], "2.1")["events"][0]
        digest = traced["attachments"][0]["sha256"]
        assert lag[2].value == traced["id"]
        assert (lag[4].value, lag[5].value, lag[6].value, lag[7].value) == ("2025-02-11", 3, 0.3, "有效")
        assert digest in lag[9].value and lag[10].value == "li.na" and lag[8].value == HOSTILE
        disputed = events["工单TA2025090300881"]
        assert disputed[7].value == "申诉中" and "提出申诉" in disputed[12].value

    def test_sheet_names_are_sanitised_and_unique(self, data, tmp_path):
        scores, traces, _ = copy.deepcopy(data)
        scores["units"][0]["name"] = "泰山区/景区[试点]:一个非常非常非常非常非常长的名字超过三十一个字符"
        scores["units"][1]["name"] = scores["units"][0]["name"]
        write_workbook(scores, traces, tmp_path / "s.xlsx")
        names = openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames
        assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
        assert len(set(names)) == len(names) == 1 + 8 + 3

    def test_a_unit_without_trace_still_gets_its_items(self, data, tmp_path):
        scores, _, _ = data
        write_workbook(scores, {}, tmp_path / "bare.xlsx")
        book = openpyxl.load_workbook(tmp_path / "bare.xlsx")
        assert "2.3.2" in [c.value for c in book["泰山区"]["A"]]
        assert "（无）" in [c.value for c in book["扣分与加分记录"]["A"]]


class _Checker(HTMLParser):
    """Collects what the page is made of, and whether its tags nest properly."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "line"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID and (not self.stack or self.stack[-1] != tag):
            return
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(data):
    scores, traces, earlier = data
    return render_page(scores, traces, earlier)


class TestWebPage:
    def test_it_is_a_well_formed_chinese_html5_document(self, page):
        checker = _Checker()
        checker.feed(page)
        checker.close()
        assert page.startswith("<!DOCTYPE html>")
        assert checker.errors == [] and checker.stack == []
        assert ("html", {"lang": "zh-CN"}) in checker.tags
        assert any(t == "meta" and a.get("name") == "viewport" for t, a in checker.tags)

    def test_it_is_self_contained(self, page):
        assert "http:" not in page and "https:" not in page and "//" not in page.replace("://", "")
        assert "<link" not in page and " src=" not in page and "@import" not in page

    def test_a_hostile_evidence_string_is_escaped(self, data):
        scores, traces, _ = copy.deepcopy(data)
        _traced(traces["taishan"], "2.2.1")["events"][0]["evidence"] = HOSTILE
        scores["units"][0]["name"] = '泰山区"><img onerror=x>'
        page = render_page(scores, traces)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert page.count("<script>") == 1  # the page's own print helper, nothing else
        assert "<img" not in page and "&lt;img onerror=x&gt;" in page

    def test_it_shows_the_ranking_chart_and_every_unit_drill_down(self, page, data):
        scores, _, _ = data
        checker = _Checker()
        checker.feed(page)
        text = "".join(checker.text)
        assert "<svg" in page and page.count('<details class="unit"') == 8
        for unit in scores["units"]:
            assert unit["name"] in text and unit["total"] in text
        for legend in (*SECTION_HEADERS, "加分"):
            assert legend in text
        assert "工单TA2025090300881" in text and "申诉中" in text and "+1.06" in text

    def test_print_styles_expand_the_drill_downs(self, page):
        assert "@media print" in page and "::details-content" in page and "beforeprint" in page


def test_reports_accept_minimal_dicts(tmp_path: Path):
    """Optional keys missing: no known_at, no ruleset name, no traces, no items."""
    scores = {"year": 2025, "as_of": "2025-06-30", "ruleset": {"id": "taian", "sha256": "ab"},
              "units": [{"unit": "taishan", "name": "泰山区", "rank": 1, "total": "50.00", "bonus": "0.00",
                         "sections": [{"code": "1", "max": "5.00", "points": "5.00"}]}]}
    assert render_summary_csv(scores).splitlines()[1] == "1,taishan,泰山区,5.00,50.00,0.00"
    assert "泰山区" in render_page(scores, {})
    write_workbook(scores, {}, tmp_path / "m.xlsx")
    assert openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames == ["汇总", "泰山区", *RECORD_SHEETS]


class TestCompactPrintedPage:
    def test_orders_are_listed_only_where_they_cost_points(self, data):
        scores, traces, _ = copy.deepcopy(data)
        taishan = next(u for u in scores["units"] if u["unit"] == "taishan")
        rate = next(i for s in taishan["sections"] for i in s["items"] if i["code"] == "2.3.2")
        daiyue = next(u for u in scores["units"] if u["unit"] == "daiyue")
        below = next(i for s in daiyue["sections"] for i in s["items"] if i["code"] == "2.3.2")
        assert rate["points"] == rate["max"] and below["points"] != below["max"]  # 20.00 / 20.00 vs 19.91
        page = render_page(scores, traces)
        assert "TA2025TAI00001" not in page and "2 件工单未达标，但比率已达要求，未扣分" in page
        assert "TA2025DAI00001" in page  # 岱岳区 lost points on the rate: its orders are listed

    def test_items_at_full_marks_without_records_collapse_into_one_line_on_paper(self, page):
        assert '<li class="full">' in page
        assert '<li class="full-list">满分或未扣分的项目（明细见网页展开或工作簿）：' in page
        assert "ul.items > li.full { display:none; }" in page  # in the print style only

    def test_records_are_table_rows_named_by_their_ids_first_8_characters(self, data):
        scores, traces, _ = data
        page = render_page(scores, traces)
        event = _traced(traces["taishan"], "2.2.1")["events"][0]
        ident = event["id"]
        assert f'<tr class="event" data-item="2.2.1" data-id="{ident}"><td class="id">' in page
        assert f'<span class="hash" title="{ident}">{ident[:8]}</span>' in page

    def test_periods_met_are_marked_to_be_left_off_paper(self, data):
        scores, traces, _ = copy.deepcopy(data)
        item = next(i for i in traces["taishan"]["items"] if i.get("periods"))
        item["periods"] = [{"period": "2025-01", "deadline": "2025-02-10", "submitted": "2025-02-08",
                            "verdict": "on_time"},
                           {"period": "2025-02", "deadline": "2025-03-07", "submitted": None, "verdict": "missing"},
                           {"period": "2025-03", "deadline": "2025-04-08", "submitted": "2025-04-07",
                            "verdict": "on_time"}]
        page = render_page(scores, traces)
        assert page.count('<tr class="fine"><td>2025-01</td>') == 1 and "<tr><td>2025-02</td>" in page
        assert "另有 2 期按期报送或未到期，未列出。" in page


class TestLossChart:
    def test_each_bar_is_what_the_sections_fell_short_of_their_maxima(self):
        from projections.reports.loss_chart import points_lost, render_loss_chart
        from projections.reports.ranking import RankingRow, SectionHead

        heads = [SectionHead("1", "组织领导", Decimal("5.00")), SectionHead("5", "批示", Decimal("4.00"))]
        # Section 5 holds 2.00 of bonus: its base 4.00 lost nothing; section 1 lost 5.00 − 4.60 = 0.40.
        row = RankingRow(rank=1, unit="taishan", name="泰山区", sections=(Decimal("4.60"), Decimal("6.00")),
                         bonus=Decimal("2.00"), total=Decimal("10.60"), change=None,
                         bases=(Decimal("4.60"), Decimal("4.00")))
        assert points_lost(row, heads) == [Decimal("0.40"), Decimal("0.00")]
        svg = render_loss_chart([row], heads)
        assert svg.count("<rect") == 1 and "泰山区 · 1 组织领导：失分 0.40" in svg and "−0.40" in svg
