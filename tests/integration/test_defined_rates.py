"""A ruleset's own rates (``[[rates]]``) scored from imported work orders, on both backends."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger.usecases.imports.workorder_import import import_workorders
from projections.reading import open_reading

RULESET = """
id = "tiny"
name = "小城细则"

[workorders]
satisfaction_scale = ["非常满意", "满意", "理解", "不满意", "未评价"]
satisfied_values = ["非常满意", "满意"]
unrated_value = "未评价"
columns = [{ header = "解决情况", values = ["解决", "部分解决", "未解决"] }]

[[units]]
code = "a"
name = "甲区"

[[sections]]
code = "1"
name = "办理"
max = 20

[[rates]]
code = "completed_satisfaction"
name = "办结工单满意率"
denominator = { completed = ["是"] }
numerator = [{ where = { satisfaction = ["非常满意", "满意", "理解"] } }]

[[rates]]
code = "resolution"
name = "解决率"
numerator = [{ where = { "解决情况" = ["解决"] } }]

[[items]]
code = "1.1"
name = "办结工单满意率"
section = "1"
kind = "rate_threshold"
rate = "completed_satisfaction"
max = 10
threshold = 100
per_point = 0.1

[[items]]
code = "1.2"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 90
per_point = 0.1
"""

HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "满意度"]


@pytest.fixture
def app(ledger: Any, tmp_path: Path) -> Any:
    ledger.adopt_ruleset(2025, RULESET, "tiny.toml", "tester")
    rows = [["A1", "a", "2025-04-01", "2025-04-08", "2025-04-03", "非常满意"],
            ["A2", "a", "2025-04-01", "2025-04-08", "2025-04-03", "理解"],
            ["A3", "a", "2025-04-01", "2025-04-08", "2025-04-03", "不满意"],
            ["A4", "a", "2025-04-01", "2025-04-08", "", "满意"]]  # still open: not in the denominator
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    import_workorders(ledger, str(path), "tester")
    return ledger


def line(app: Any, code: str) -> Any:
    return open_reading(app, 2025, date(2025, 12, 31)).scores()[0].item(code)


class TestDefinedRates:
    def test_a_rate_over_built_in_fields_is_counted_from_the_imported_orders(self, app: Any) -> None:
        item = line(app, "1.1")
        # three completed orders, 非常满意 and 理解 satisfied: 2/3 = 66.67 %, 33.33… below 100 %:
        # 10 − 3.333… = 6.666… → 6.67
        assert (item.numerator, item.denominator, item.points) == (2, 3, Decimal("6.67"))

    def test_a_rate_over_an_export_column_the_ledger_does_not_keep_is_pending(self, app: Any) -> None:
        item = line(app, "1.2")
        assert item.status == "pending"
        assert "解决情况" in item.reason

