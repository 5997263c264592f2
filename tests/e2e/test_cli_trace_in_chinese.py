"""``trace`` explains each item in Chinese, through the command line, on both backends.

Every figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def year(cli: Any) -> int:
    assert cli("init", "--year", 2025).exit_code == 0
    return 2025


def test_a_pool_member_traces_its_deduction_and_the_pools_points(cli, year):
    for _ in range(3):
        assert cli("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04",
                   "--evidence", "工单TA1").exit_code == 0
    doc = cli.json("trace", "--year", 2025, "--unit", "taishan", "--item", "2.2.1", "--as-of", "2025-12-31")
    entry = doc["items"][0]
    # 3 × 0.10 = 0.30 out of pool 2.2: 7.00 − 0.30 = 6.70
    assert entry["explanation"] == "3 × 0.10 = 0.30，从 2.2 中扣除；2.2 得分：7.00 − 0.30 = 6.70"
    assert (entry["deducted"], entry["points"]) == ("0.30", "6.70")


def test_the_trace_table_shows_the_chinese_explanations(cli, year):
    result = cli("trace", "--year", 2025, "--unit", "taishan", "--as-of", "2025-12-31")
    assert result.exit_code == 0
    assert "未评估：待定（按 0.00 计）" in result.stdout
    assert "无计入群众满意率的工单：待定（按 0.00 计）" in result.stdout
    assert "pending (counts as" not in result.stdout
