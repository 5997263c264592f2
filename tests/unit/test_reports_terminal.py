"""The terminal ranking table (rich): a 待定 mark on totals that count a pending item, class and grade columns."""

from __future__ import annotations

import copy
import io

from rich.console import Console

from cli_terminal import ranking_table
from tests.unit.report_fixtures import scores_and_traces


def _text(doc: dict) -> str:
    console = Console(width=200, record=True, file=io.StringIO())  # wide enough not to wrap
    console.print(ranking_table(doc))
    return console.export_text()


def _row(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("│") and name in line)


def test_only_a_total_counting_a_pending_item_is_marked_and_tai_an_has_no_class_or_grade_column():
    scores, _, _ = scores_and_traces()
    text = _text(scores)
    assert "类别" not in text and "等次" not in text
    # 泰山区: 5.00 + 54.74 + 32.00 + 4.00 + 5.00 (bonus inside) = 100.74, nothing pending
    assert "100.74" in _row(text, "泰山区") and "待定" not in _row(text, "泰山区")
    assert "待定" in _row(text, "泰山景区")  # its 1.3 is not assessed yet (counted as 0.00)
    assert "待定：泰山景区 的总分含尚不能计算的项目（按 0 分计），结果可能变化。" in text


def test_a_total_counting_a_pending_item_is_marked_and_explained_below():
    scores, _, _ = scores_and_traces()
    scores = copy.deepcopy(scores)
    daiyue = next(u for u in scores["units"] if u["unit"] == "daiyue")
    daiyue["sections"][0]["status"] = "pending"
    text = _text(scores)
    assert "待定" in _row(text, "岱岳区") and "待定" not in _row(text, "泰山区")
    assert "待定：岱岳区、泰山景区 的总分含尚不能计算的项目（按 0 分计）" in text


def test_classes_and_grades_get_their_own_columns():
    scores, _, _ = scores_and_traces()
    scores = copy.deepcopy(scores)
    for n, unit in enumerate(scores["units"]):
        unit.update({"class": "county" if n < 4 else "district", "class_name": "县" if n < 4 else "区",
                     "grade": "优秀", "vetoed_by": None})
    scores["units"][-1].update(grade="不合格", vetoed_by="3.2.7")
    text = _text(scores)
    header = next(line for line in text.splitlines() if "排名" in line)
    assert header.index("类别") < header.index("排名") and "等次" in header
    last = _row(text, scores["units"][-1]["name"])
    assert last.split("│")[1].strip() == "区" and "不合格（一票否决：3.2.7）" in last
