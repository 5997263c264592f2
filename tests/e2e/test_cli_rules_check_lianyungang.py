"""An extended ruleset end to end: ``rules check`` it, ``init --ruleset`` it, then import, assess,
score and trace through the CLI on both backends (Lianyungang: classes, monthly averages, a floor).
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of

LIANYUNGANG = str(resources.files("ledger.rulesets").joinpath("lianyungang.toml"))
HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "满意度"]


def january(order_id: str, unit: str, satisfaction: str, completed: str = "2025-01-10 10:00:00") -> list[str]:
    """An order of January 2025, due on 13 January (completed by then unless told otherwise)."""
    return [order_id, unit, "2025-01-06 09:00:00", "2025-01-13 18:00:00", completed, satisfaction]


@pytest.fixture
def adopted(cli: Any, tmp_path: Path) -> Any:
    """Lianyungang adopted for 2025, January's orders imported and 东海县's assessment recorded."""
    assert cli("rules", "check", LIANYUNGANG).exit_code == 0
    assert cli("init", "--year", "2025", "--ruleset", LIANYUNGANG).exit_code == 0
    rows = [january(f"DH{n}", "东海县", "满意" if n < 7 else "不满意") for n in range(8)]
    rows += [january("GY1", "灌云县", "非常满意"), january("GY2", "灌云县", "不满意", completed="2025-01-20 10:00:00")]
    rows += [january(f"HZ{n}", "海州区", "基本满意" if n < 3 else "不满意") for n in range(4)]
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    imported = cli("import", "workorders", str(export))
    assert imported.exit_code == 0, imported.stderr
    assessed = cli("assess", "--unit", "东海县", "--item", "2.1", "--points", "100", "--date", "2025-12-20",
                   "--evidence", "考核组评定表")
    assert assessed.exit_code == 0, assessed.stderr
    return cli


def scores(cli: Any) -> Any:
    return cli.json("score", "--year", "2025", "--as-of", "2025-12-31")


class TestLianyungangEndToEnd:
    def test_counties_and_districts_are_scored_and_ranked_separately(self, adopted: Any) -> None:
        doc = scores(adopted)
        donghai, guanyun, haizhou = (unit_of(doc, u) for u in ("donghai", "guanyun", "haizhou"))
        # 东海县: 7/8 = 87.5 % → 19.75; 8/8 on time → 25.00; assessed 100: 144.75 of 150
        assert (donghai["class"], donghai["total"], donghai["rank"]) == ("county", "144.75", 1)
        # 灌云县: 1/2 satisfied → 12.50 (held); 1/2 on time, 50 points below → 25 − 50 → 0.00
        assert (guanyun["total"], guanyun["rank"]) == ("12.50", 2)
        # 海州区: 3/4 = 75 % → 13.50; 4/4 on time → 25.00: 38.50, first among the districts
        assert (haizhou["class"], haizhou["total"], haizhou["rank"]) == ("district", "38.50", 1)

    def test_the_rate_items_carry_their_counts(self, adopted: Any) -> None:
        items = items_of(unit_of(scores(adopted), "guanyun"))
        assert items["1.2"] | {"name": None} == {
            "code": "1.2", "name": None, "max": "25.00", "points": "12.50", "status": "scored", "rate": "50.00",
            "numerator": 1, "denominator": 2, "absorbed": "11.50"}  # 25 − 48 × 0.5 = 1.00, held at 12.50
        assert items["1.1"]["points"] == "0.00"

    def test_trace_shows_the_monthly_arithmetic(self, adopted: Any) -> None:
        doc = adopted.json("trace", "--year", "2025", "--unit", "东海县", "--item", "1.2", "--as-of", "2025-12-31")
        (line,) = doc["items"]
        assert line["points"] == "19.75"
        assert line["explanation"] == ("1 个月平均：(19.75) / 1 = 19.75"
                                       "［2025-01：7/8 = 87.50% < 98%：25.00 − 10.5 × 0.50 = 19.75］")

    def test_assessing_a_county_on_the_district_item_is_refused_and_changes_nothing(self, adopted: Any) -> None:
        before = adopted.json("log")
        refused = adopted("assess", "--unit", "donghai", "--item", "3.1", "--points", "10", "--date", "2025-12-20",
                          "--evidence", "评定表")
        assert refused.exit_code == 1
        assert "item 3.1 does not apply to donghai (东海县)" in refused.stderr
        assert adopted.json("log") == before
