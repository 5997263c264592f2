"""Reports of rulesets with unit classes (ranked per class) and grades, through the CLI on both backends."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import unit_of
from tests.ruleset_text import THREE_GRADES

RULESETS = resources.files("ledger.rulesets")
LIANYUNGANG = str(RULESETS.joinpath("lianyungang.toml"))
GRADES = """""" + THREE_GRADES + """
[[vetoes]]
item = "3.2.7"
grade = "不合格"
"""
SECTIONS = ["1 组织领导与制度建设", "2 办理质量", "3 督查督办", "4 媒体监督落实情况", "5 市领导批示落实情况"]
AS_OF = ("--year", "2025", "--as-of", "2025-12-31")


@pytest.fixture
def lianyungang(cli: Any, tmp_path: Path) -> Any:
    """Lianyungang 2025 with a few January orders of 东海县 (county) and 海州区 (district)."""
    assert cli("init", "--year", "2025", "--ruleset", LIANYUNGANG).exit_code == 0
    export = tmp_path / "orders.csv"
    rows = [["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "满意度"]]
    rows += [[f"DH{n}", "东海县", "2025-01-06 09:00:00", "2025-01-13 18:00:00", "2025-01-10 10:00:00",
              "满意" if n < 7 else "不满意"] for n in range(8)]
    rows += [[f"HZ{n}", "海州区", "2025-01-06 09:00:00", "2025-01-13 18:00:00", "2025-01-10 10:00:00",
              "基本满意" if n < 3 else "不满意"] for n in range(4)]
    with export.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert cli("import", "workorders", str(export)).exit_code == 0
    return cli


@pytest.fixture
def graded(cli: Any, tmp_path: Path) -> Any:
    """Tai'an's rules plus grade bands and a veto on 3.2.7 (失泄密), which 泰山区 incurred."""
    ruleset = tmp_path / "taian-graded.toml"
    ruleset.write_text(RULESETS.joinpath("taian.toml").read_text(encoding="utf-8") + GRADES, encoding="utf-8")
    assert cli("init", "--year", "2025", "--ruleset", str(ruleset)).exit_code == 0
    recorded = cli("record", "--unit", "taishan", "--item", "3.2.7", "--date", "2025-06-01", "--evidence", "泄密通报")
    assert recorded.exit_code == 0, recorded.stderr
    return cli


def _csv(cli: Any) -> list[dict[str, str]]:
    result = cli("score", *AS_OF, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"))))  # as Excel reads it


class TestUnitClasses:
    def test_the_csv_leads_with_the_class_and_ranks_each_class_on_its_own(self, lianyungang):
        rows = _csv(lianyungang)
        doc = lianyungang.json("score", *AS_OF)
        assert list(rows[0])[:4] == ["类别", "排名", "单位代码", "单位"] and "等次" not in rows[0]
        classes = [r["类别"] for r in rows]
        # Lianyungang: 3 counties (县), then 7 districts (区（功能区）), each group contiguous
        assert classes == ["县"] * 3 + ["区（功能区）"] * 7
        for row in rows:
            unit = unit_of(doc, row["单位代码"])
            assert (row["排名"], row["总分"], row["类别"]) == (str(unit["rank"]), unit["total"], unit["class_name"])
        # 东海县 leads the counties and 海州区 the districts: each class has its own 1st place
        assert [(r["单位代码"], r["排名"]) for r in rows if r["排名"] == "1"][:2] == [("donghai", "1"),
                                                                                     ("haizhou", "1")]

    def test_the_workbook_and_page_group_the_ranking_by_class(self, lianyungang, tmp_path):
        book_path, page_path = tmp_path / "l.xlsx", tmp_path / "l.html"
        for fmt, path in (("xlsx", book_path), ("html", page_path)):
            assert lianyungang("score", *AS_OF, "--format", fmt, "--output", str(path)).exit_code == 0
        ws = openpyxl.load_workbook(book_path)["汇总"]
        top = next(c.row for c in ws["A"] if c.value == "类别")
        assert [c.value for c in ws[top]][:4] == ["类别", "排名", "单位代码", "单位"]
        assert ws.freeze_panes == f"E{top + 1}"  # class, rank, code and unit stay in view
        assert [ws.cell(row=top + n, column=1).value for n in (1, 4)] == ["县", "区（功能区）"]
        page = page_path.read_text("utf-8")
        # Per class: the composition chart, the chart of points lost and the ranking table.
        assert page.count('<h3 class="class-name">') == 3 * 2
        assert page.count('<svg class="chart"') == 2 and page.count('<svg class="chart loss"') == 2
        assert "类别：县（类别内第 1 名）" in page

    def test_the_terminal_table_has_a_class_column(self, lianyungang):
        table = lianyungang("score", *AS_OF, env={"COLUMNS": "200"}).stdout  # wide enough not to wrap
        lines = [line for line in table.splitlines() if line.startswith("│") and ("东海县" in line or "海州区" in line)]
        assert "类别" in table and len(lines) == 2
        assert "县" in lines[0].split("│")[1] and "区（功能区）" in lines[1].split("│")[1]


class TestGrades:
    def test_the_csv_gives_each_unit_its_grade_and_names_the_veto(self, graded):
        rows = {r["单位代码"]: r for r in _csv(graded)}
        doc = graded.json("score", *AS_OF)
        assert list(next(iter(rows.values()))) == ["排名", "单位代码", "单位", *SECTIONS, "总分", "其中加分", "等次"]
        assert rows["taishan"]["等次"] == "不合格（一票否决：3.2.7）"
        for code, row in rows.items():
            unit = unit_of(doc, code)
            assert row["等次"].startswith(unit["grade"])

    def test_the_workbook_page_and_terminal_show_the_grade(self, graded, tmp_path):
        book_path, page_path = tmp_path / "g.xlsx", tmp_path / "g.html"
        for fmt, path in (("xlsx", book_path), ("html", page_path)):
            assert graded("score", *AS_OF, "--format", fmt, "--output", str(path)).exit_code == 0
        book = openpyxl.load_workbook(book_path)
        ws = book["汇总"]
        top = next(c.row for c in ws["A"] if c.value == "排名")
        headers = [c.value for c in ws[top]]
        assert headers[-1] == "等次"
        grades = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=len(headers)).value
                  for r in range(top + 1, top + 9)}
        assert grades["taishan"] == "不合格（一票否决：3.2.7）"
        assert "等次：不合格（一票否决：3.2.7）" in " ".join(str(c.value) for c in book["泰山区"]["A"][:8])
        assert '<td class="grade">不合格（一票否决：3.2.7）</td>' in page_path.read_text("utf-8")
        table = graded("score", *AS_OF, env={"COLUMNS": "200"}).stdout
        assert "等次" in table and "不合格（一票否决：3.2.7）" in table
