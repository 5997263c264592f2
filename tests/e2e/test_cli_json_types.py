"""Every JSON field has one type wherever it appears (docs/json.md): points and percents are
two-decimal strings, counts and ranks integers, a numerator a number (weighted: with its fraction).

Walks the whole ``score`` and ``trace`` documents of a ledger with a weighted rate, a rank by a rate,
a rank by volume, a bonus and a cap, and checks each field against the table of docs/json.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.conftest import Cli, items_of, unit_of
from tests.ruleset_text import TWO_UNITS

TWO_DECIMALS = {"total", "base", "bonus", "capped", "max", "points", "deducted", "absorbed", "amount", "rate",
                "threshold"}
INTEGERS = {"year", "rank", "count", "effective_count", "denominator", "volume"}

RULESET = """id = "typed"
name = "类型细则"

[scoring]
total_cap = 100
""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "办理质量"
max = 100

[[rates]]
code = "resolution"
name = "解决率"
numerator = [{ where = { satisfaction = ["满意"] } }, { where = { satisfaction = ["基本满意"] }, weight = 0.5 }]
denominator = { satisfaction = ["满意", "基本满意", "不满意"] }

[[items]]
code = "1.1"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 40
threshold = 90
per_point = 0.1

[[items]]
code = "1.2"
name = "满意率排名"
section = "1"
kind = "rank"
by = "resolution"
max = 30
step = 5

[[items]]
code = "1.3"
name = "承办量排名"
section = "1"
kind = "rank"
by = "volume"
max = 20
step = 5

[[items]]
code = "1.4"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 10
amount = 0.5

[[items]]
code = "1.5"
name = "表扬"
section = "1"
kind = "bonus"
amount = 1
"""

ORDERS = """工单编号,承办单位,派单时间,办结时限,办结时间,满意度
A1,a,2025-03-01 09:00,2025-03-10,2025-03-05,满意
A2,a,2025-03-02 09:00,2025-03-10,2025-03-05,基本满意
A3,a,2025-03-03 09:00,2025-03-10,2025-03-05,不满意
B1,b,2025-03-01 09:00,2025-03-10,2025-03-05,满意
"""


def _check(node: Any, where: str = "") -> None:
    if isinstance(node, list):
        for n, child in enumerate(node):
            _check(child, f"{where}[{n}]")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        at = f"{where}.{key}"
        if key in TWO_DECIMALS and value is not None:
            assert isinstance(value, str) and re.fullmatch(r"-?\d+\.\d\d", value), (at, value)
        elif key in INTEGERS and value is not None:
            assert type(value) is int, (at, value)
        elif key == "numerator" and value is not None:
            assert type(value) in (int, float), (at, value)
        else:
            _check(value, at)


def test_every_field_of_score_and_trace_has_the_documented_type(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "typed.toml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(ORDERS, encoding="utf-8")
    assert cli("init", "--year", 2025, "--ruleset", tmp_path / "typed.toml").exit_code == 0
    assert cli("import", "workorders", tmp_path / "orders.csv").exit_code == 0
    for item, count in (("1.4", 1), ("1.5", 2)):
        assert cli("record", "--unit", "a", "--item", item, "--date", "2025-03-04", "--evidence", "E",
                   "--count", count).exit_code == 0
    score = cli.json("score", "--year", 2025, "--as-of", "2025-12-31")
    _check(score)
    a, b = items_of(unit_of(score, "a")), items_of(unit_of(score, "b"))
    # a: (1 + 0.5) / 3 = 50 %: 40 − 40 × 0.1 = 36.00; b: 1 / 1 = 100 %: 40.00
    assert (a["1.1"]["numerator"], a["1.1"]["denominator"], a["1.1"]["rate"]) == (1.5, 3, "50.00")
    assert (b["1.1"]["numerator"], b["1.1"]["denominator"]) == (1, 1)
    # by resolution: b 100 % rank 1 (30.00), a 50 % rank 2 (25.00); by volume: a 3 rank 1, b 1 rank 2
    assert (a["1.2"]["rank"], a["1.2"]["rate"], a["1.2"]["points"]) == (2, "50.00", "25.00")
    assert (a["1.3"]["rank"], a["1.3"]["volume"], b["1.3"]["volume"]) == (1, 3, 1)
    # a: 36 + 25 + 20 + (10 − 0.5) + 2 = 92.50; b: 40 + 30 + 15 + 10 = 95.00
    assert (unit_of(score, "a")["total"], unit_of(score, "b")["total"]) == ("92.50", "95.00")
    for unit in "ab":
        _check(cli.json("trace", "--year", 2025, "--unit", unit, "--as-of", "2025-12-31"))
